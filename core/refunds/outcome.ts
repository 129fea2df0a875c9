import { DETAIL_TYPES } from '../../events/envelope';
import type { PaymentNeedsAttention } from '../../events/outcomes.v1';
import type { RefundFailed, RefundSucceeded } from '../../events/refunds.v1';
import type { PutEventsRequestEntry } from '../aws/eventbridge';
import { RefundStatusConflictError } from '../errors';
import { money } from '../money';
import { eventEntry } from '../outcomes/event-entry';
import type { PaymentRefundStore } from '../payments/refund-store';
import { type QueueNotification, refundOutcomeNotification } from '../saga/notification';
import { causeMessage } from '../saga/outcome';
import type { RefundStatus } from './record';
import type { RefundRecordOutcomeInput, RefundSagaState } from './state';

/**
 * The refund saga's outcome: RefundSucceeded, RefundFailed (nothing refunded,
 * the reservation released), or, when the ledger step failed after the
 * gateway refunded, PaymentNeedsAttention naming the compensation DLQ where
 * the saga state waits for a person (never silent).
 */
export const REFUND_STATES = {
  reserve: 'ReserveRefund',
  gateway: 'RefundAtGateway',
  reversal: 'PostReversal',
} as const;

export interface RefundOutcomeRecord {
  readonly status: Extract<RefundStatus, 'SUCCEEDED' | 'FAILED' | 'NEEDS_ATTENTION'>;
  readonly entries: PutEventsRequestEntry[];
  /** The Fail state's error (CompensationFailed) when the refund needs a person; '' otherwise. */
  readonly error: string;
  readonly reasonCode?: string;
  /** What went wrong, for people (RefundFailed's `reason`, refund.failed's webhook); absent on success. */
  readonly reason?: string;
  readonly failedState?: string;
  readonly cause: string;
}

export interface RefundOutcomeDestinations {
  readonly eventBusName: string;
  readonly compensationDlqName: string;
}

const REASON_SUFFIX = /\(reason: ([a-z_]+)\)\s*$/;

/** The forward step that failed, read from which results the state holds. */
export function failedRefundStateOf(saga: RefundSagaState): string {
  if (!saga.reserve) return REFUND_STATES.reserve;
  if (!saga.gatewayRefund) return REFUND_STATES.gateway;
  return REFUND_STATES.reversal;
}

/** The amount of the refund: what Reserve reserved, else what was asked (0 when "all" was asked and refused). */
function amountOf(saga: RefundSagaState) {
  if (saga.reserve) return money(saga.reserve.amount, saga.reserve.currency);
  if (saga.refund.amount) return saga.refund.amount;
  return undefined;
}

export function buildRefundOutcome(
  input: RefundRecordOutcomeInput,
  destinations: RefundOutcomeDestinations,
  occurredAt: string,
): RefundOutcomeRecord {
  const { saga, executionArn } = input;
  const { refundId, paymentId } = saga.refund;
  const amount = amountOf(saga);
  const base = { schemaVersion: '1' as const, refundId, paymentId, executionArn, occurredAt };
  if (input.outcome === 'succeeded' && saga.reserve && amount) {
    const detail: RefundSucceeded = {
      ...base,
      amount,
      walletAmount: saga.reserve.walletAmount,
      gatewayAmount: saga.reserve.gatewayAmount,
      ...(saga.gatewayRefund?.gatewayRefundId && { gatewayRefundId: saga.gatewayRefund.gatewayRefundId }),
    };
    return {
      status: 'SUCCEEDED',
      entries: [eventEntry(destinations.eventBusName, DETAIL_TYPES.refundSucceeded, detail)],
      error: '',
      cause: '',
    };
  }
  const failedState = failedRefundStateOf(saga);
  const message =
    causeMessage(saga.error).replace(REASON_SUFFIX, '').trim() || (saga.error?.Error ?? 'unknown');
  const reasonCode = REASON_SUFFIX.exec(causeMessage(saga.error))?.[1] ?? 'unknown';
  const cause = `${failedState} failed (${reasonCode}): ${message}`.slice(0, 2000);
  if (input.outcome === 'needs_attention' && saga.reserve) {
    const detail: PaymentNeedsAttention = {
      schemaVersion: '1',
      paymentId,
      walletId: saga.reserve.walletId,
      merchantId: saga.reserve.merchantId,
      amount: money(saga.reserve.amount, saga.reserve.currency),
      executionArn,
      occurredAt,
      failedCompensation: saga.gatewayRefund ? 'PostReversal' : 'RefundAtGateway',
      error: saga.error?.Error ?? 'unknown',
      cause,
      deadLetterQueue: destinations.compensationDlqName,
    };
    return {
      status: 'NEEDS_ATTENTION',
      entries: [eventEntry(destinations.eventBusName, DETAIL_TYPES.paymentNeedsAttention, detail)],
      error: 'CompensationFailed',
      reasonCode,
      reason: message.slice(0, 1000),
      failedState,
      cause,
    };
  }
  const detail: RefundFailed = {
    ...base,
    ...(amount && { amount }),
    reasonCode,
    reason: message.slice(0, 1000),
    failedState,
  };
  return {
    status: 'FAILED',
    entries: [eventEntry(destinations.eventBusName, DETAIL_TYPES.refundFailed, detail)],
    error: saga.error?.Error ?? 'RefundFailed',
    reasonCode,
    reason: detail.reason,
    failedState,
    cause,
  };
}

/**
 * RecordOutcome: the refund record's final status and reason, then refund.succeeded or refund.failed on the
 * notification queue (none for NEEDS_ATTENTION), then the outcome for the ASL to publish. The notification
 * is dated by the record's terminal time: a retry queues the same one (the fan-out dedupes on its id).
 */
export async function recordRefundOutcome(
  refunds: Pick<PaymentRefundStore, 'advance' | 'get'>,
  input: RefundRecordOutcomeInput,
  destinations: RefundOutcomeDestinations,
  now: Date,
  queueNotification: QueueNotification,
): Promise<RefundOutcomeRecord> {
  const outcome = buildRefundOutcome(input, destinations, now.toISOString());
  const { paymentId, refundId } = input.saga.refund;
  const moved = await refunds.advance(paymentId, refundId, outcome.status, {
    ...(outcome.reasonCode && { reasonCode: outcome.reasonCode }),
    ...(outcome.status !== 'SUCCEEDED' && { failureReason: outcome.cause.slice(0, 1000) }),
    ...(outcome.failedState && { failedState: outcome.failedState }),
  });
  const current = await refunds.get(paymentId, refundId);
  if (!moved) {
    // Not moved: a replay (already there), or no record because Reserve refused before recording the request
    // (an unknown or unrefundable payment), is fine; anything else contradicts the saga: never silently.
    const unrecorded = current === undefined && input.saga.reserve === undefined;
    if (!unrecorded && current?.status !== outcome.status) {
      throw new RefundStatusConflictError(
        `refund ${refundId} of payment ${paymentId} is ${current?.status ?? 'not recorded'}; its outcome ${outcome.status} cannot be recorded`,
      );
    }
  }
  const notification = refundOutcomeNotification(input, outcome, current?.terminalAt ?? now.toISOString());
  if (notification) await queueNotification(notification);
  return outcome;
}
