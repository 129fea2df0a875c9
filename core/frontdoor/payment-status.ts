import { PaymentId } from '../../events/common';
import { PaymentRequestedV1 } from '../../events/payment-requested.v1';
import { SAGA_STATES } from '../config/names';
import { requestHash } from '../payments/payment-log';
import type { PaymentRecord, StepItem } from '../payments/records';
import type { PaymentRefundStore } from '../payments/refund-store';
import { effectiveStatusOf, resolutionView } from '../payments/resolution';
import type { RefundRecord } from '../refunds/record';
import { paymentRefundsView } from '../refunds/view';
import type { ApiRequestRecord, ApiRequestStore } from './api-request-store';
import type { ApiClient } from './clients';
import type { PaymentStatusResponse } from './contract';
import { type HttpResponse, json, problem } from './http';

export interface PaymentStatusDeps {
  readonly requests: Pick<ApiRequestStore, 'get'>;
  readonly payments: {
    get(paymentId: string): Promise<PaymentRecord | undefined>;
    listSteps(paymentId: string): Promise<StepItem[]>;
  };
  readonly refunds: Pick<PaymentRefundStore, 'list'>;
}

type PaymentStatusView = PaymentStatusResponse;

// The id is not echoed: a path segment is caller input and could be anything, card numbers included.
const notFound = (): HttpResponse =>
  problem(
    404,
    'payment_not_found',
    'Payment not found',
    'no payment with this id was submitted by this client',
  );

/** Timeline entries name the step's function key; callers see the saga's state names, internal steps not at all. */
function stateNameOf(step: string): string | undefined {
  return Object.hasOwn(SAGA_STATES, step) ? SAGA_STATES[step as keyof typeof SAGA_STATES] : undefined;
}

function stepsOf(items: readonly StepItem[]): PaymentStatusView['steps'] {
  return [...items]
    .sort((a, b) => a.at.localeCompare(b.at))
    .flatMap((item) => {
      const step = stateNameOf(item.step);
      if (!step) return [];
      const durationMs = item.detail?.durationMs;
      const error = item.detail?.error;
      return {
        step,
        outcome: item.outcome,
        at: item.at,
        ...(typeof durationMs === 'number' && { durationMs }),
        ...(typeof error === 'string' && { error }),
      };
    });
}

export function paymentStatusView(
  request: ApiRequestRecord,
  record: PaymentRecord | undefined,
  steps: readonly StepItem[],
  refunds: readonly RefundRecord[] = [],
): PaymentStatusView {
  const payment = PaymentRequestedV1.parse(JSON.parse(request.detail));
  const base = {
    paymentId: payment.paymentId,
    amount: payment.amount,
    walletId: payment.walletId,
    merchantId: payment.merchantId,
    ...(payment.description !== undefined && { description: payment.description }),
    acceptedAt: request.acceptedAt,
    requestedAt: payment.requestedAt,
  };
  if (!record) {
    const none = { ...payment.amount, value: 0 };
    return {
      ...base,
      status: 'ACCEPTED',
      updatedAt: request.publishedAt ?? request.acceptedAt,
      steps: [],
      refunds: [],
      refundable: none,
      refunded: none,
    };
  }
  if (record.requestHash !== requestHash(payment)) {
    // The saga under this id is someone else's request (sent to the bus directly): show none of it.
    return {
      ...base,
      status: 'REJECTED',
      updatedAt: record.createdAt,
      failure: {
        reasonCode: 'conflicting_duplicate',
        reason: 'another payment request already used this paymentId; send the payment again with a new one',
      },
      steps: [],
    };
  }
  const resolved = record.resolution && resolutionView(record.resolution);
  const resolution = resolved && {
    action: resolved.action,
    outcome: resolved.outcome,
    resolvedAt: resolved.resolvedAt,
  };
  const status = effectiveStatusOf(record);
  const failed = status === 'FAILED' || status === 'NEEDS_ATTENTION';
  const completedAt = resolution?.resolvedAt ?? record.terminalAt;
  return {
    ...base,
    status,
    updatedAt: record.updatedAt,
    ...(completedAt && { completedAt }),
    ...(resolution && { resolution }),
    ...(failed && {
      failure: {
        reasonCode: record.reasonCode ?? 'unknown',
        ...(record.reason && { reason: record.reason }),
        ...(record.failedState && { step: record.failedState }),
      },
    }),
    ...(record.compensations?.length && { compensations: record.compensations }),
    steps: stepsOf(steps),
    ...paymentRefundsView(record, refunds),
  };
}

/** GET /v1/payments/{paymentId}: the caller's own payments only; anyone else's is indistinguishable from none. */
export async function getPaymentStatus(
  deps: PaymentStatusDeps,
  client: ApiClient,
  paymentId: string,
): Promise<HttpResponse> {
  if (!PaymentId.safeParse(paymentId).success) return notFound();
  const request = await deps.requests.get(paymentId);
  if (!request || request.clientId !== client.clientId) return notFound();
  const [record, steps, refunds] = await Promise.all([
    deps.payments.get(paymentId),
    deps.payments.listSteps(paymentId),
    deps.refunds.list(paymentId),
  ]);
  return json(200, paymentStatusView(request, record, steps, refunds));
}
