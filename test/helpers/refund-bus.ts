import { randomUUID } from 'node:crypto';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Ledger } from '../../core/ledger';
import type { PaymentRefundStore } from '../../core/payments/refund-store';
import type { PaymentsRepository } from '../../core/payments/repository';
import type { RefundRecord, RefundStatus } from '../../core/refunds/record';
import { DETAIL_TYPES } from '../../events/envelope';
import { fundedWallet, paymentRequest, putPaymentRequested, putRequested } from './payments';
import { waitFor } from './runtime';

/**
 * Refunds through a running local runtime, as a producer asks for them: a
 * card-only payment run to SUCCEEDED, RefundRequested on the bus, and waiting
 * for the refund record to reach a status.
 */

export interface RefundBus {
  readonly events: EventBridgeClient;
  readonly eventBusName: string;
  readonly ledger: Ledger;
  readonly payments: PaymentsRepository;
  readonly refunds: PaymentRefundStore;
}

/** A card-only payment (its wallet is empty) run through the payment saga to SUCCEEDED. */
export async function succeededCardPayment(bus: RefundBus, amount = 1250): Promise<string> {
  const walletId = await fundedWallet(bus.ledger, 0);
  const request = paymentRequest(walletId, { amount: { value: amount, currency: 'EUR', exponent: 2 } });
  await putPaymentRequested(bus.events, bus.eventBusName, request);
  await waitFor(
    `payment ${request.paymentId} SUCCEEDED`,
    async () => ((await bus.payments.get(request.paymentId))?.status === 'SUCCEEDED' ? true : undefined),
    30_000,
  );
  return request.paymentId;
}

/** A RefundRequested v1 detail with a fresh refundId (everything refundable unless `amount` is given). */
export const busRefundRequest = (paymentId: string, overrides: Record<string, unknown> = {}) => ({
  schemaVersion: '1',
  refundId: `rf_${randomUUID().slice(0, 12)}`,
  paymentId,
  reason: 'customer returned the goods',
  requestedAt: new Date().toISOString(),
  ...overrides,
});

export const putRefundRequested = (bus: RefundBus, detail: unknown, source = 'shop.returns') =>
  putRequested(bus.events, bus.eventBusName, DETAIL_TYPES.refundRequested, detail, source);

/** Waits for the refund record to reach `status`; answers it. */
export function refundReaching(
  bus: RefundBus,
  paymentId: string,
  refundId: string,
  status: RefundStatus,
): Promise<RefundRecord> {
  return waitFor(
    `refund ${refundId} ${status}`,
    async () => {
      const record = await bus.refunds.get(paymentId, refundId);
      return record?.status === status ? record : undefined;
    },
    30_000,
  );
}
