/**
 * Public types of the local Step Functions service: what the edge passes in
 * (state machines, the task invoker) and what other local parts get back
 * (execution records on status changes). Dates are epoch milliseconds here;
 * the API layer turns them into the epoch seconds the AWS JSON protocol sends.
 */

export const EXECUTION_STATUSES = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** One execution as the service keeps it (and persists it, one JSON line per change). */
export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  /** The version it runs (started on a version or an alias ARN); absent: started unqualified, on the latest revision. */
  readonly stateMachineVersionArn?: string;
  /** The alias it was started on, if any. */
  readonly stateMachineAliasArn?: string;
  /** The execution name (paysaga: the paymentId). */
  readonly name: string;
  readonly status: ExecutionStatus;
  /** Epoch ms of StartExecution. Redrives keep it. */
  readonly startDate: number;
  /** Epoch ms the execution closed; absent while RUNNING. */
  readonly stopDate?: number;
  /** The execution input, as the JSON text StartExecution received. */
  readonly input: string;
  /** The execution output JSON text, when SUCCEEDED. */
  readonly output?: string;
  /** Error and cause of a FAILED / TIMED_OUT / ABORTED execution. */
  readonly error?: string;
  readonly cause?: string;
  readonly traceHeader?: string;
  readonly redriveCount: number;
  /** Epoch ms of the latest RedriveExecution. */
  readonly redriveDate?: number;
  /** clientToken of the latest redrive, so a retried RedriveExecution call does not redrive twice. */
  readonly redriveClientToken?: string;
}

/** A request to run one attempt of a Task state. Exactly one call per attempt (retries call again). */
export interface TaskInvocation {
  /** The Task state's name (e.g. "Charge"). */
  readonly stateName: string;
  /** The state's Resource: a Lambda function ARN or an `arn:aws:states:::service:action` integration. */
  readonly resource: string;
  /** The effective input (after InputPath and Parameters), i.e. the Lambda event / the API parameters. */
  readonly input: unknown;
  readonly executionArn: string;
  readonly executionName: string;
  /** 1 for the first attempt of this state entry, 2 for its first retry, ... */
  readonly attempt: number;
  /** The state's TimeoutSeconds, when set (the engine enforces it; handlers may use it for their context). */
  readonly timeoutSeconds?: number;
}

/**
 * Runs one attempt of a Task. Resolve with the task result (JSON). Throw to fail
 * the attempt: the thrown error's `name` is the ASL error name matched by
 * Retry/Catch (as Lambda's errorType). Throw a `TaskFailedError` to set the
 * ASL error and cause verbatim.
 */
export type TaskInvoker = (invocation: TaskInvocation) => Promise<unknown>;

export interface StateMachineConfig {
  readonly name: string;
  /** The already rendered ASL (no `${...}` placeholders left). */
  readonly definition: object;
  /** Role shown in DescribeStateMachine and ExecutionStarted; defaults to a local placeholder role. */
  readonly roleArn?: string;
  /**
   * At start(), publish the definition as a version (none when unchanged) and point this alias at it
   * with all the traffic, as a deploy with an ALL_AT_ONCE preference does (core/config/release.ts).
   */
  readonly alias?: string;
}

export interface StepFunctionsServiceOptions {
  /** Root data dir; executions persist under `<dataDir>/sfn/`. Absent: in memory only (`--memory`). */
  readonly dataDir?: string;
  readonly region: string;
  readonly accountId: string;
  readonly stateMachines: ReadonlyArray<StateMachineConfig>;
  readonly invokeTask: TaskInvoker;
  /** Called after every status change (started, redriven, resumed, succeeded, failed, timed out, aborted). */
  readonly onStatusChange?: (execution: ExecutionRecord) => void | Promise<void>;
  /** Multiplies every Retry IntervalSeconds / MaxDelaySeconds (tests use 0 or 0.001). Default 1. */
  readonly retryIntervalScale?: number;
  /**
   * What start() does with executions that were RUNNING when the process died:
   * 'resume' (default) re-runs the state they were in with its recorded input;
   * 'fail' marks them FAILED (States.Runtime, "local runtime restarted"), redrivable.
   */
  readonly onRestart?: 'resume' | 'fail';
  /** Open executions allowed at once before StartExecution answers ExecutionLimitExceeded. Default 1,000,000 (AWS). */
  readonly maxOpenExecutions?: number;
  /** Clock, for tests of the 14-day redrive window. Default Date.now. */
  readonly now?: () => number;
  /** Draws in [0, 1) that route alias StartExecutions by weight. Default Math.random. */
  readonly random?: () => number;
}

/** Thrown by a TaskInvoker to fail a Task with an exact ASL error name and cause. */
export class TaskFailedError extends Error {
  override readonly name = 'TaskFailedError';
  constructor(
    /** The ASL error name Retry/Catch match, e.g. "States.TaskFailed" or "Lambda.ServiceException". */
    readonly error: string,
    /** The cause text recorded in the history and handed to Catch (`$.error.Cause`). */
    override readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}
