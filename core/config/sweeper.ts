import { REDRIVE_WINDOW_MS } from './executions';
/**
 * The expired-hold sweeper's settings, read by the stacks (EventBridge
 * Scheduler), the local runtime (its timer) and the sweeper itself.
 */
export const SWEEPER = {
  /** How often it runs: the schedule's rate on AWS, the timer's interval locally. */
  intervalMinutes: 15,
  /** Step Functions redrives a failed, timed-out or aborted execution for 14 days after it stopped. */
  redriveWindowMs: REDRIVE_WINDOW_MS,
  /** Wallets swept per run at most; the next run picks up the rest (the index lists the earliest first). */
  maxWalletsPerRun: 5_000,
} as const;

/** The schedule's expression for EventBridge Scheduler. */
export const sweeperScheduleExpression = (): string => `rate(${SWEEPER.intervalMinutes} minutes)`;
