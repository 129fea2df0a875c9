import { IN_PROGRESS_ERROR_NAME } from '../errors';

/** A Step Functions retrier, as the ASL writes it. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds: number;
  readonly MaxAttempts: number;
  readonly BackoffRate: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/**
 * The retrier for a step that finds its idempotency record still in progress
 * (StepInProgressError): the invocation that wrote it crashed, and Powertools
 * keeps the record locked until that invocation's deadline, i.e. up to the
 * function's timeout after it started. The retries wait, in total, longer than
 * that timeout plus a margin, so a crashed step is retried to success without
 * a redrive. No jitter: these waits are for a known deadline, not a busy
 * service, and full jitter could make the total wait arbitrarily short.
 */
export const IN_PROGRESS_RETRY = { intervalSeconds: 2, backoffRate: 2, marginSeconds: 5 } as const;

export function inProgressRetrier(lockSeconds: number): Retrier {
  const { intervalSeconds, backoffRate, marginSeconds } = IN_PROGRESS_RETRY;
  const maxDelaySeconds = Math.max(intervalSeconds, Math.ceil(lockSeconds / 3));
  const wanted = lockSeconds + marginSeconds;
  let attempts = 0;
  let total = 0;
  while (total <= wanted) {
    total += Math.min(intervalSeconds * backoffRate ** attempts, maxDelaySeconds);
    attempts++;
  }
  return {
    ErrorEquals: [IN_PROGRESS_ERROR_NAME],
    IntervalSeconds: intervalSeconds,
    MaxAttempts: attempts,
    BackoffRate: backoffRate,
    MaxDelaySeconds: maxDelaySeconds,
    JitterStrategy: 'NONE',
  };
}

/**
 * The least total wait a retrier's retries are sure to give: with full jitter
 * each wait is drawn from [0, delay], so nothing is guaranteed; without, the
 * waits are the capped exponential delays.
 */
export function guaranteedRetrySeconds(retrier: Retrier): number {
  if (retrier.JitterStrategy === 'FULL') return 0;
  let total = 0;
  for (let attempt = 0; attempt < retrier.MaxAttempts; attempt++) {
    total += Math.min(
      retrier.IntervalSeconds * retrier.BackoffRate ** attempt,
      retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
    );
  }
  return total;
}
