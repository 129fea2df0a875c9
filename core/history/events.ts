import type { HistoryEvent } from '../aws/sfn';

/**
 * Reading GetExecutionHistory events as AWS returns them (the SDK's
 * HistoryEvent: `timestamp` a Date, one `<type>EventDetails` member per event).
 * Kept apart from the timeline logic so both the CLI and the archiver Lambda
 * feed it whatever their SFN client returned.
 */
export type SagaHistoryEvent = HistoryEvent;

export function isoOf(timestamp: Date | string | number | undefined): string {
  if (timestamp === undefined) return new Date(0).toISOString();
  const date = timestamp instanceof Date ? timestamp : new Date(timestamp);
  return date.toISOString();
}

export function millisBetween(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

/** The event's details member (`stateEnteredEventDetails`, `lambdaFunctionFailedEventDetails`, ...). */
export function detailsOf(event: SagaHistoryEvent): Record<string, unknown> {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value !== null && typeof value === 'object') {
      return value as Record<string, unknown>;
    }
  }
  return {};
}

export function stringField(details: Record<string, unknown>, field: string): string | undefined {
  const value = details[field];
  return typeof value === 'string' ? value : undefined;
}

/** Parses a JSON text field; undefined when absent or not JSON (a truncated or hand-made history). */
export function jsonField(details: Record<string, unknown>, field: string): unknown {
  const text = stringField(details, field);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const ATTEMPT_SCHEDULED = new Set(['LambdaFunctionScheduled', 'TaskScheduled', 'ActivityScheduled']);
const ATTEMPT_SUCCEEDED = new Set(['LambdaFunctionSucceeded', 'TaskSucceeded', 'ActivitySucceeded']);
const ATTEMPT_FAILED = new Set([
  'LambdaFunctionFailed',
  'LambdaFunctionScheduleFailed',
  'LambdaFunctionStartFailed',
  'TaskFailed',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'ActivityFailed',
  'ActivityScheduleFailed',
]);
const ATTEMPT_TIMED_OUT = new Set(['LambdaFunctionTimedOut', 'TaskTimedOut', 'ActivityTimedOut']);

export type EventRole =
  | { readonly role: 'executionStarted' }
  | { readonly role: 'executionRedriven' }
  | { readonly role: 'executionEnded'; readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' }
  | { readonly role: 'stateEntered'; readonly stateType: string }
  | { readonly role: 'stateExited' }
  | { readonly role: 'attemptScheduled' }
  | { readonly role: 'attemptSucceeded' }
  | { readonly role: 'attemptFailed'; readonly timedOut: boolean }
  | { readonly role: 'other' };

const ENDED: Readonly<Record<string, 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED'>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/** What an event means for the timeline. */
export function roleOf(event: SagaHistoryEvent): EventRole {
  const type = event.type ?? '';
  if (type === 'ExecutionStarted') return { role: 'executionStarted' };
  if (type === 'ExecutionRedriven') return { role: 'executionRedriven' };
  const ended = ENDED[type];
  if (ended) return { role: 'executionEnded', status: ended };
  if (type.endsWith('StateEntered'))
    return { role: 'stateEntered', stateType: type.slice(0, -'StateEntered'.length) };
  if (type.endsWith('StateExited')) return { role: 'stateExited' };
  if (ATTEMPT_SCHEDULED.has(type)) return { role: 'attemptScheduled' };
  if (ATTEMPT_SUCCEEDED.has(type)) return { role: 'attemptSucceeded' };
  if (ATTEMPT_FAILED.has(type)) return { role: 'attemptFailed', timedOut: false };
  if (ATTEMPT_TIMED_OUT.has(type)) return { role: 'attemptFailed', timedOut: true };
  return { role: 'other' };
}
