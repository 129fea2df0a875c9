import { SWEEPER } from '../config/sweeper';

/** What DescribeExecution says about a payment's saga (the execution is named after the paymentId). */
export interface ExecutionFacts {
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE. */
  readonly status: string;
  readonly stopDate?: Date;
  /** REDRIVABLE, NOT_REDRIVABLE, ... (absent on executions that never stopped). */
  readonly redriveStatus?: string;
}

/** Reads a payment saga's execution; undefined when there is none (never started, or past retention). */
export interface SagaExecutions {
  describe(paymentId: string): Promise<ExecutionFacts | undefined>;
}

const STILL_RUNNING = ['RUNNING', 'PENDING_REDRIVE'];
/** Stopped states Step Functions can redrive (RedriveExecution) within its window. */
const REDRIVABLE = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/** Why an expired hold is kept: its saga may still settle or release it. */
export type KeepReason = 'saga_running' | 'saga_redrivable' | 'saga_unknown';

/**
 * The sweeper's skip rule: an expired hold is kept while its saga may still use
 * it, that is while the execution runs, or stopped in a redrivable state less
 * than the redrive window ago (a redrive re-runs the stopped step, which needs
 * the hold). A saga that ended (SUCCEEDED, including a business failure) or
 * can no longer be redriven leaves its hold to the sweeper; so does a payment
 * without an execution.
 */
export function keepReason(execution: ExecutionFacts | undefined, now: Date): KeepReason | undefined {
  if (!execution) return undefined;
  if (STILL_RUNNING.includes(execution.status)) return 'saga_running';
  if (!REDRIVABLE.includes(execution.status)) return undefined;
  if (execution.redriveStatus === 'NOT_REDRIVABLE') return undefined;
  const stoppedAgo = execution.stopDate ? now.getTime() - execution.stopDate.getTime() : 0;
  return stoppedAgo <= SWEEPER.redriveWindowMs ? 'saga_redrivable' : undefined;
}
