/**
 * AWS-shaped Step Functions history events (GetExecutionHistory's HistoryEvent),
 * kept exactly as the API returns them so persistence and the API share one shape.
 * `timestamp` is epoch seconds (with milliseconds) as the AWS JSON protocol sends dates.
 */

export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: number;
  readonly type: string;
  readonly [details: string]: unknown;
}

/** `{ truncated: false }`: the local runtime never truncates data. */
export const NOT_TRUNCATED = { truncated: false } as const;

/** The details key of every `<Type>StateEntered` event. */
const STATE_ENTERED_DETAILS = 'stateEnteredEventDetails';

/** Data-carrying fields removed when GetExecutionHistory is called with includeExecutionData=false. */
const EXECUTION_DATA_FIELDS = ['input', 'inputDetails', 'output', 'outputDetails', 'parameters'];

export function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const stripped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value !== null && typeof value === 'object') {
      stripped[key] = Object.fromEntries(
        Object.entries(value).filter(([field]) => !EXECUTION_DATA_FIELDS.includes(field)),
      );
    } else {
      stripped[key] = value;
    }
  }
  return stripped as unknown as HistoryEvent;
}

export function isStateEnteredEvent(event: HistoryEvent): boolean {
  return event.type.endsWith('StateEntered');
}

/** Name and recorded input of a `<Type>StateEntered` event. */
export function enteredState(event: HistoryEvent): { name: string; input: string } | undefined {
  const details = event[STATE_ENTERED_DETAILS] as { name?: unknown; input?: unknown } | undefined;
  if (typeof details?.name !== 'string') return undefined;
  return { name: details.name, input: typeof details.input === 'string' ? details.input : '{}' };
}

export const epochSeconds = (epochMs: number): number => epochMs / 1000;
