import { DETAIL_TYPES } from '../../events/envelope';
import {
  type FailureReasonCode,
  FailureReasonCode as FailureReasonCodes,
  type PaymentCompensated,
  type PaymentFailed,
  type PaymentNeedsAttention,
  type PaymentSucceeded,
} from '../../events/outcomes.v1';
import type { PutEventsRequestEntry } from '../aws/eventbridge';
import { eventEntry } from '../outcomes/event-entry';
import type { CaughtError, RecordOutcomeInput, SagaState } from './state';

/** What RecordOutcome returns into the execution state: the events to publish and the Fail state's error. */
export interface OutcomeRecord {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'NEEDS_ATTENTION';
  readonly entries: PutEventsRequestEntry[];
  readonly error: string;
  readonly cause: string;
  readonly reasonCode?: FailureReasonCode;
  readonly failedState?: string;
  readonly compensations: ('RefundCharge' | 'ReleaseFunds')[];
}

const REASON_SUFFIX = /\(reason: ([a-z_]+)\)\s*$/;

/** Step errors end their message with "(reason: <code>)" so the code survives Lambda's Cause envelope. */
export function withReasonCode(message: string, reasonCode: string): string {
  return REASON_SUFFIX.test(message) ? message : `${message} (reason: ${reasonCode})`;
}

/** The human message inside a Catch's Cause: Lambda wraps it as JSON {errorType, errorMessage}. */
export function causeMessage(caught: CaughtError | undefined): string {
  const cause = caught?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a plain message (local runtime, or a States.* error)
  }
  return cause;
}

const REASON_BY_ERROR: Readonly<Record<string, FailureReasonCode>> = {
  InsufficientFundsError: 'insufficient_funds',
  CardDeclinedError: 'card_declined',
  InvalidPaymentError: 'invalid_payment',
  GatewayUnavailableError: 'gateway_unavailable',
  GatewayTimeoutError: 'gateway_timeout',
  'States.Timeout': 'timeout',
};

export function reasonCodeOf(caught: CaughtError | undefined, failedState: string): FailureReasonCode {
  if (caught?.Error === 'LedgerInvariantError')
    return failedState === 'Settle' ? 'settlement_failed' : 'ledger_invariant';
  const fromMessage = REASON_SUFFIX.exec(causeMessage(caught))?.[1];
  const parsed = FailureReasonCodes.safeParse(fromMessage);
  if (parsed.success) return parsed.data;
  return REASON_BY_ERROR[caught?.Error ?? ''] ?? 'unknown';
}

/** The forward step that failed, read from which results the state holds. */
export function failedStateOf(saga: SagaState): string {
  if (!saga.reserve) return 'Reserve';
  if (!saga.charge) return 'Charge';
  if (!saga.settle) return 'Settle';
  return 'Notify';
}

/**
 * The forward step (Charge or Settle) an unexpected error stopped, when that is
 * why the saga is parked; undefined when a compensation failed.
 */
export function parkedForwardStep(saga: SagaState): string | undefined {
  // A forward step's final error sets $.error before any compensation runs; a parked step sets only compensationError.
  if (saga.compensationError?.Error !== 'UnexpectedStepError' || saga.error) return undefined;
  const step = failedStateOf(saga);
  return step === 'Charge' || step === 'Settle' ? step : undefined;
}

export function compensationsRun(saga: SagaState): ('RefundCharge' | 'ReleaseFunds')[] {
  return [
    // After a Charge error RefundCharge may find nothing charged at the gateway: then nothing was refunded,
    // unless it reversed a settlement that landed (a wallet-only payment's Settle that failed after posting).
    ...(saga.refund && (saga.refund.status !== 'nothing_charged' || saga.refund.ledgerReversed)
      ? ['RefundCharge' as const]
      : []),
    ...(saga.release ? ['ReleaseFunds' as const] : []),
  ];
}

function base(saga: SagaState, executionArn: string, occurredAt: string) {
  const { paymentId, walletId, merchantId, amount } = saga.payment;
  return { schemaVersion: '1' as const, paymentId, walletId, merchantId, amount, executionArn, occurredAt };
}

/**
 * Builds the outcome of a finished saga: the status to record, the events to
 * publish (PaymentSucceeded; PaymentFailed plus PaymentCompensated when
 * something was undone; PaymentNeedsAttention) and the Fail state's error/cause.
 */
export interface OutcomeDestinations {
  readonly eventBusName: string;
  /** Named in PaymentNeedsAttention so a person knows where the saga state waits. */
  readonly compensationDlqName: string;
}

export function buildOutcome(
  input: RecordOutcomeInput,
  destinations: OutcomeDestinations,
  occurredAt: string,
): OutcomeRecord {
  const { eventBusName } = destinations;
  const { saga, executionArn } = input;
  const common = base(saga, executionArn, occurredAt);
  const compensations = compensationsRun(saga);
  if (input.outcome === 'succeeded') {
    const detail: PaymentSucceeded = {
      ...common,
      holdId: saga.reserve?.holdId ?? '',
      chargeId: saga.charge?.chargeId ?? '',
    };
    return {
      status: 'SUCCEEDED',
      entries: [eventEntry(eventBusName, DETAIL_TYPES.paymentSucceeded, detail)],
      error: '',
      cause: '',
      compensations,
    };
  }
  if (input.outcome === 'failed') {
    const failedState = failedStateOf(saga);
    const reasonCode = reasonCodeOf(saga.error, failedState);
    const reason =
      causeMessage(saga.error).replace(REASON_SUFFIX, '').trim() || (saga.error?.Error ?? 'unknown error');
    const failed: PaymentFailed = { ...common, reasonCode, reason: reason.slice(0, 1000), failedState };
    const entries = [eventEntry(eventBusName, DETAIL_TYPES.paymentFailed, failed)];
    if (compensations.length > 0) {
      const compensated: PaymentCompensated = {
        ...common,
        reasonCode,
        compensations,
        ...(saga.refund?.refundId && { refundId: saga.refund.refundId }),
      };
      entries.push(eventEntry(eventBusName, DETAIL_TYPES.paymentCompensated, compensated));
    }
    return {
      status: 'FAILED',
      entries,
      error: saga.error?.Error ?? 'PaymentFailed',
      cause: `${failedState} failed (${reasonCode}): ${reason}`.slice(0, 32_000),
      reasonCode,
      failedState,
      compensations,
    };
  }
  // RefundCharge runs first after a Charge or Settle error (after Charge, to find a charge the saga never saw).
  const failedCompensation =
    !saga.refund && ['Charge', 'Settle'].includes(failedStateOf(saga)) ? 'RefundCharge' : 'ReleaseFunds';
  const parked = parkedForwardStep(saga);
  const cause = causeMessage(saga.compensationError) || (saga.compensationError?.Error ?? 'unknown error');
  const detail: PaymentNeedsAttention = {
    ...common,
    failedCompensation,
    error: saga.compensationError?.Error ?? 'unknown',
    cause: cause.slice(0, 2000),
    deadLetterQueue: destinations.compensationDlqName,
  };
  return {
    status: 'NEEDS_ATTENTION',
    entries: [eventEntry(eventBusName, DETAIL_TYPES.paymentNeedsAttention, detail)],
    error: 'CompensationFailed',
    cause: (parked
      ? `${parked} stopped with an unexpected error (${detail.error}) after money may have moved: ${cause}; nothing was undone, the saga state is in the compensation DLQ`
      : `${failedCompensation} failed after its retries (${detail.error}): ${cause}; the saga state is in the compensation DLQ`
    ).slice(0, 32_000),
    failedState: parked ?? failedCompensation,
    compensations,
  };
}
