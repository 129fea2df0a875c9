import { DETAIL_TYPES } from '../../events/envelope';
import { type RefundRejected, type RefundRequested, RefundRequestedV1 } from '../../events/refunds.v1';
import { canonicalJson } from '../canonical-json';
import { refundExecutionName } from '../config/executions';
import { decodeBusRequest, readableField, safeReason } from '../intake/bus-request';
import type { RefundRecord } from './record';
import { type RefundRequestDeps, type RefundRequestResult, refundRequestOf, requestRefund } from './request';

/**
 * The refund intake's decision for one queued RefundRequested (from the front
 * door, payctl, the console or a producer on the bus): the same checks as the
 * front door (core/refunds/request.ts), then the refund saga's start. A request
 * the front door already recorded always starts its saga (ReserveRefund
 * decides and the saga ends with an outcome); only a request nobody recorded
 * is rejected here, into the refund intake DLQ with RefundRejected.
 */

export type RefundRejection = Pick<RefundRejected, 'reasonCode' | 'reason' | 'refundId' | 'paymentId'>;

export type RefundIntakeDecision =
  | {
      readonly kind: 'start';
      readonly refund: RefundRequested;
      readonly executionName: string;
      readonly input: string;
    }
  | ({ readonly kind: 'reject' } & RefundRejection);

/** The refund saga's input, canonical so a duplicate request compares equal to the running execution's. */
export function refundSagaInput(record: RefundRecord): string {
  return canonicalJson({ refund: refundRequestOf(record) });
}

const reject = (rejection: RefundRejection): RefundIntakeDecision => ({
  kind: 'reject',
  ...rejection,
  reason: safeReason(rejection.reason),
});

function rejectionOf(
  result: Exclude<RefundRequestResult, { kind: 'accepted' }>,
  refund: RefundRequested,
): RefundRejection {
  const ids = { refundId: refund.refundId, paymentId: refund.paymentId };
  switch (result.kind) {
    case 'payment_not_found':
      return {
        ...ids,
        reasonCode: 'payment_not_refundable',
        reason: `payment ${refund.paymentId} does not exist`,
      };
    case 'not_refundable':
      return {
        ...ids,
        reasonCode: 'payment_not_refundable',
        reason: `payment ${refund.paymentId} is ${result.status}; only a SUCCEEDED payment can be refunded`,
      };
    case 'exceeds_refundable':
      return {
        ...ids,
        reasonCode: 'refund_exceeds_refundable',
        reason: `payment ${refund.paymentId} has ${result.refundable.value} minor units of ${result.refundable.currency} still refundable`,
      };
    case 'invalid':
      return {
        ...ids,
        reasonCode: 'invalid_event',
        reason: `RefundRequested v1 is invalid: ${result.path}: ${result.message}`,
      };
    case 'idempotency_conflict':
      return {
        ...ids,
        reasonCode: 'conflicting_duplicate',
        reason: `refundId ${refund.refundId} of payment ${refund.paymentId} was already requested with a different payload; a new refund needs a new refundId`,
      };
  }
}

/**
 * Decodes, checks and records one message. `previousRejection`: the reasonCode
 * a redriven rejected message carries (a masked card-data copy never starts).
 */
export async function decideRefundIntake(
  deps: Omit<RefundRequestDeps, 'publish'>,
  body: string,
  previousRejection?: string,
): Promise<RefundIntakeDecision> {
  if (previousRejection === 'card_data_refused') {
    return reject({
      reasonCode: 'card_data_refused',
      reason:
        'this request was refused for card data and its stored copy is masked; send a new request without card data',
    });
  }
  const decoded = decodeBusRequest(
    body,
    { detailType: DETAIL_TYPES.refundRequested, name: 'RefundRequested v1', schema: RefundRequestedV1 },
    'refundId',
  );
  if (!decoded.ok) {
    let paymentId: string | undefined;
    try {
      paymentId = readableField((JSON.parse(body) as { detail?: unknown }).detail, 'paymentId');
    } catch {
      paymentId = undefined;
    }
    return reject({
      reasonCode: decoded.reasonCode,
      reason: decoded.reason,
      ...(decoded.id !== undefined && { refundId: decoded.id }),
      ...(paymentId !== undefined && { paymentId }),
    });
  }
  const refund = decoded.detail;
  // Publishing is the caller's job here: the event is already on its way.
  const result = await requestRefund(
    { ...deps, publish: async () => undefined },
    refund,
    `bus:${decoded.source ?? 'unknown'}`,
  );
  if (result.kind !== 'accepted') return reject(rejectionOf(result, refund));
  return {
    kind: 'start',
    refund: refundRequestOf(result.record),
    executionName: refundExecutionName(refund.paymentId, refund.refundId),
    input: refundSagaInput(result.record),
  };
}
