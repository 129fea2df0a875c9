import { WEBHOOKS } from '../config/webhooks';

export interface RetrySchedule {
  readonly baseSeconds: number;
  readonly maxDelaySeconds: number;
  readonly windowSeconds: number;
}

/** WEBHOOKS.retry with every duration multiplied by `scale` (tests; 1 on AWS). */
export function retrySchedule(scale: number): RetrySchedule {
  const { baseSeconds, maxDelaySeconds, windowSeconds } = WEBHOOKS.retry;
  return {
    baseSeconds: baseSeconds * scale,
    maxDelaySeconds: maxDelaySeconds * scale,
    windowSeconds: windowSeconds * scale,
  };
}

/**
 * Seconds to wait before attempt `attempt + 1` after `attempt` failed:
 * exponential (base * 2^(attempt-1), capped) with full jitter, never below a
 * tenth of the cap's exponential step so retries do not bunch at zero.
 */
export function retryDelaySeconds(schedule: RetrySchedule, attempt: number, random = Math.random): number {
  const exponential = Math.min(
    schedule.maxDelaySeconds,
    schedule.baseSeconds * 2 ** Math.max(0, attempt - 1),
  );
  return exponential * (0.1 + 0.9 * random());
}

/** Whether a delivery first attempted at `firstAttemptAt` has used up its retry window. */
export function retryWindowSpent(schedule: RetrySchedule, firstAttemptAt: Date, now: Date): boolean {
  return now.getTime() - firstAttemptAt.getTime() >= schedule.windowSeconds * 1000;
}
