import { DETAIL_TYPES } from '../../events/envelope';
import type { FailureReasonCode } from '../../events/outcomes.v1';
import type { TopUpFailed, TopUpSucceeded } from '../../events/top-ups.v1';
import type { PutEventsRequestEntry } from '../aws/eventbridge';
import { TOP_UP_STATES } from '../config/names';
import { eventEntry } from '../outcomes/event-entry';
import { causeMessage, reasonCodeOf } from '../saga/outcome';
import type { TopUpRecordOutcomeInput, TopUpSagaState } from './state';
import type { TopUpStatus } from './store';

/** What the top-up's RecordOutcome returns into the execution state: the events and the Fail state's error. */
export interface TopUpOutcomeRecord {
  readonly status: Extract<TopUpStatus, 'SUCCEEDED' | 'FAILED' | 'NEEDS_ATTENTION'>;
  readonly entries: PutEventsRequestEntry[];
  readonly error: string;
  readonly cause: string;
  readonly reasonCode?: FailureReasonCode;
  readonly failedState?: string;
}

export interface TopUpOutcomeDestinations {
  readonly eventBusName: string;
  /** Named in TopUpFailed when the refund failed, so a person knows where the saga state waits. */
  readonly compensationDlqName: string;
}

const REASON_SUFFIX = /\(reason: ([a-z_]+)\)\s*$/;

/** The forward step that failed, read from which results the state holds. */
export function failedTopUpStateOf(saga: TopUpSagaState): string {
  return saga.charge ? TOP_UP_STATES.credit : TOP_UP_STATES.charge;
}

function base(saga: TopUpSagaState, executionArn: string, occurredAt: string) {
  const { topUpId, walletId, amount } = saga.topUp;
  return { schemaVersion: '1' as const, topUpId, walletId, amount, executionArn, occurredAt };
}

/**
 * The outcome of a finished top-up: TopUpSucceeded, or TopUpFailed saying
 * whether a charge was made and what became of it (refunded, or a refund that
 * failed and waits in the compensation DLQ).
 */
export function buildTopUpOutcome(
  input: TopUpRecordOutcomeInput,
  destinations: TopUpOutcomeDestinations,
  occurredAt: string,
): TopUpOutcomeRecord {
  const { saga, executionArn } = input;
  const common = base(saga, executionArn, occurredAt);
  if (input.outcome === 'succeeded') {
    const detail: TopUpSucceeded = { ...common, chargeId: saga.charge?.chargeId ?? '' };
    return {
      status: 'SUCCEEDED',
      entries: [eventEntry(destinations.eventBusName, DETAIL_TYPES.topUpSucceeded, detail)],
      error: '',
      cause: '',
    };
  }
  const failedState = failedTopUpStateOf(saga);
  const reasonCode = reasonCodeOf(saga.error, failedState);
  const reason =
    causeMessage(saga.error).replace(REASON_SUFFIX, '').trim() || (saga.error?.Error ?? 'unknown error');
  const needsAttention = input.outcome === 'needs_attention';
  const detail: TopUpFailed = {
    ...common,
    reasonCode,
    reason: reason.slice(0, 1000),
    failedState,
    // After a Charge error RefundCharge may find nothing charged at the gateway: then nothing was refunded.
    refund: needsAttention ? 'failed' : saga.refund?.refundId ? 'refunded' : 'not_needed',
    ...(saga.refund?.refundId && { refundId: saga.refund.refundId }),
    ...(needsAttention && { deadLetterQueue: destinations.compensationDlqName }),
  };
  const compensationCause = needsAttention
    ? `; RefundCharge failed after its retries (${saga.compensationError?.Error ?? 'unknown'}: ${causeMessage(saga.compensationError)}), the saga state is in the compensation DLQ`
    : '';
  return {
    status: needsAttention ? 'NEEDS_ATTENTION' : 'FAILED',
    entries: [eventEntry(destinations.eventBusName, DETAIL_TYPES.topUpFailed, detail)],
    error: needsAttention ? 'CompensationFailed' : (saga.error?.Error ?? 'TopUpFailed'),
    cause: `${failedState} failed (${reasonCode}): ${reason}${compensationCause}`.slice(0, 32_000),
    reasonCode,
    failedState,
  };
}
