import { randomUUID } from 'node:crypto';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Ledger } from '../../core/ledger';
import type { Currency } from '../../core/money';
import { DETAIL_TYPES } from '../../events/envelope';
import type { PaymentRequested } from '../../events/payment-requested.v1';

/** A new wallet holding `minor` units (0: an empty wallet, so a payment goes to the card): its id is unique, so tests sharing a runtime never meet. */
export async function fundedWallet(
  ledger: Ledger,
  minor: number,
  currency: Currency = 'EUR',
): Promise<string> {
  const walletId = `wal_${randomUUID().slice(0, 12)}`;
  await ledger.openWallet(walletId, currency);
  if (minor > 0) await ledger.deposit(walletId, { value: minor, currency }, `dep-${walletId}`);
  return walletId;
}

/** A valid PaymentRequested v1 detail with a fresh paymentId (EUR 12.50 by card unless overridden). */
export function paymentRequest(
  walletId: string,
  overrides: Partial<PaymentRequested> = {},
): PaymentRequested {
  return {
    schemaVersion: '1',
    paymentId: `pay_${randomUUID().slice(0, 12)}`,
    walletId,
    merchantId: 'mer_bookshop',
    amount: { value: 1250, currency: 'EUR', exponent: 2 },
    paymentMethod: 'pm_card_visa',
    requestedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** Puts one event of `detailType` on the bus as an upstream system would; throws if the bus refuses it. */
export async function putRequested(
  events: EventBridgeClient,
  eventBusName: string,
  detailType: string,
  detail: unknown,
  source = 'shop.checkout',
): Promise<void> {
  const result = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: eventBusName,
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  if (result.FailedEntryCount) {
    throw new Error(`PutEvents refused the ${detailType}: ${result.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
  }
}

/** Puts one PaymentRequested on the bus as an upstream system would; throws if the bus refuses it. */
export function putPaymentRequested(
  events: EventBridgeClient,
  eventBusName: string,
  detail: unknown,
  source = 'shop.checkout',
): Promise<void> {
  return putRequested(events, eventBusName, DETAIL_TYPES.paymentRequested, detail, source);
}
