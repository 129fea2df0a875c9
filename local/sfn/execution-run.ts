import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { StateMachine } from 'aws-local-stepfunctions';
import type { PreparedDefinition, TaskStateInfo } from './definition';
import { NOT_TRUNCATED } from './history-event';
import { TaskFailedError, type TaskInvoker } from './types';

/**
 * One run of the engine (aws-local-stepfunctions) for one execution: from the
 * start, or from one state for a redrive or a resume. Every Task state is
 * overridden to call the TaskInvoker (the engine's own Lambda client is never
 * used), and the engine's event log is translated into AWS-shaped history
 * events: `<Type>StateEntered/Exited`, `LambdaFunction*` events for Lambda ARN
 * resources and `Task*` events for service integrations, one
 * Scheduled/Started/<outcome> group per attempt.
 *
 * Ordering: the engine emits its events synchronously into a queue that is
 * drained on microtasks, and calls a Task handler in the same tick as the
 * state's StateEntered event. The handler first yields one macrotask, so the
 * queue (StateEntered, and the previous attempt's failure) is recorded before
 * the attempt's own events.
 */

export type AppendEvent = (type: string, details?: Record<string, unknown>) => void;

export type RunOutcome =
  | { readonly status: 'SUCCEEDED'; readonly output: string }
  | { readonly status: 'FAILED' | 'TIMED_OUT'; readonly error: string; readonly cause: string };

export interface ExecutionRunOptions {
  readonly definition: PreparedDefinition;
  readonly startAt: string;
  readonly input: unknown;
  /** Execution timeout for this run (seconds); undefined = none. */
  readonly timeoutSeconds: number | undefined;
  readonly context: Record<string, unknown>;
  readonly executionArn: string;
  readonly executionName: string;
  readonly region: string;
  readonly invokeTask: TaskInvoker;
  readonly append: AppendEvent;
  /** Puts every event appended so far on disk: called before a task runs (its side effects come after). */
  readonly persist: () => void;
  /** Called once when the run ends on its own (not when stopped or suspended). */
  readonly onOutcome: (outcome: RunOutcome) => void;
}

interface Attempt {
  settled: boolean;
}

interface StateEntry {
  readonly name: string;
  attempts: number;
  pending: Attempt | undefined;
}

/** The engine's event log entries this class reads (see aws-local-stepfunctions' EventLog). */
interface EngineEvent {
  readonly type: string;
  readonly state?: {
    readonly name: string;
    readonly type: string;
    readonly input?: unknown;
    readonly output?: unknown;
  };
  readonly Error?: string;
  readonly Cause?: unknown;
  readonly output?: unknown;
  readonly index?: number;
}

/** Thrown to the engine when a stopped run would call a task: neither retried nor caught. */
class StoppedRunError extends Error {
  override readonly name = 'States.Runtime';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

export class ExecutionRun {
  /** Set when stopped or suspended: nothing more is recorded and no further task is invoked. */
  private closed = false;
  private finished = false;
  private current: StateEntry | undefined;
  private abortEngine: (() => void) | undefined;
  readonly done: Promise<void>;

  constructor(private readonly options: ExecutionRunOptions) {
    this.done = this.run();
  }

  /** Stops recording and aborts the engine (StopExecution, or the service shutting down). */
  close(): void {
    this.closed = true;
    this.abortEngine?.();
  }

  get currentStateName(): string | undefined {
    return this.current?.name;
  }

  /** False once the execution closed or was stopped: a late task result must not follow the terminal event. */
  private get recording(): boolean {
    return !this.closed && !this.finished;
  }

  private async run(): Promise<void> {
    try {
      await this.consumeEngine();
    } catch (error) {
      // A broken definition copy or a failed history write: close the execution rather than hang it.
      this.finish({ status: 'FAILED', error: 'States.Runtime', cause: describe(error) });
    }
    if (!this.closed && !this.finished) {
      this.finish({
        status: 'FAILED',
        error: 'States.Runtime',
        cause: 'the engine ended without an outcome',
      });
    }
  }

  private async consumeEngine(): Promise<void> {
    const { definition, startAt, timeoutSeconds } = this.options;
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [name, task] of definition.taskStates)
      handlers[name] = (input) => this.runTask(name, task, input);
    const machine = new StateMachine(definition.startingAt(startAt, timeoutSeconds), {
      validationOptions: { noValidate: true },
    });
    const execution = machine.run(this.options.input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: this.options.context,
    });
    this.abortEngine = execution.abort;
    // The outcome arrives through the event log; only keep the result's rejection from going unhandled.
    execution.result.catch(() => undefined);
    for await (const event of execution.eventLogs) {
      if (this.closed) break;
      this.onEngineEvent(event as EngineEvent);
    }
  }

  private onEngineEvent(event: EngineEvent): void {
    const { append } = this.options;
    switch (event.type) {
      case 'StateEntered': {
        if (!event.state) return;
        this.current = { name: event.state.name, attempts: 0, pending: undefined };
        append(`${event.state.type}StateEntered`, {
          stateEnteredEventDetails: {
            name: event.state.name,
            input: json(event.state.input),
            inputDetails: NOT_TRUNCATED,
          },
        });
        return;
      }
      case 'StateExited': {
        if (!event.state) return;
        append(`${event.state.type}StateExited`, {
          stateExitedEventDetails: {
            name: event.state.name,
            output: json(event.state.output),
            outputDetails: NOT_TRUNCATED,
          },
        });
        return;
      }
      case 'StateFailed': {
        // The engine's Task timeout rejects without telling the handler: record the attempt as timed out.
        const pending = this.current?.pending;
        const task = event.state ? this.options.definition.taskStates.get(event.state.name) : undefined;
        if (task && pending && !pending.settled && event.Error === 'States.Timeout') {
          pending.settled = true;
          this.appendTaskOutcome(task, 'TimedOut', {
            error: 'States.Timeout',
            cause: `Task timed out after ${task.timeoutSeconds ?? 60} seconds`,
          });
        }
        return;
      }
      case 'ExecutionSucceeded':
        this.finish({ status: 'SUCCEEDED', output: json(event.output) });
        return;
      case 'ExecutionFailed':
        this.finish({
          status: 'FAILED',
          error: event.Error ?? 'States.Runtime',
          cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause ?? ''),
        });
        return;
      case 'ExecutionTimeout':
        this.finish({
          status: 'TIMED_OUT',
          error: 'States.Timeout',
          cause: `Execution timed out after ${this.options.timeoutSeconds ?? 0} seconds`,
        });
        return;
      default:
        // ExecutionStarted is recorded by the service (before StartExecution answers);
        // StateRetried / StateCaught have no AWS event (the next Scheduled / StateExited show them).
        return;
    }
  }

  private finish(outcome: RunOutcome): void {
    if (this.finished || this.closed) return;
    this.finished = true;
    this.options.onOutcome(outcome);
  }

  private async runTask(stateName: string, task: TaskStateInfo, input: unknown): Promise<unknown> {
    await nextMacrotask();
    const entry = this.current;
    if (this.closed || this.finished || !entry || entry.name !== stateName) {
      throw new StoppedRunError('the execution was stopped');
    }
    entry.attempts += 1;
    const attempt: Attempt = { settled: false };
    entry.pending = attempt;
    this.appendScheduledAndStarted(task, input);
    this.options.persist();
    let output: unknown;
    try {
      const result = await this.options.invokeTask({
        stateName,
        resource: task.resource,
        input,
        executionArn: this.options.executionArn,
        executionName: this.options.executionName,
        attempt: entry.attempts,
        ...(task.timeoutSeconds !== undefined && { timeoutSeconds: task.timeoutSeconds }),
      });
      // The result travels as JSON on AWS: what does not survive JSON fails the task here too.
      output = result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
    } catch (thrown) {
      const failure = taskFailure(thrown, isLambdaResource(task.resource));
      if (!attempt.settled && this.recording) {
        attempt.settled = true;
        this.appendTaskOutcome(task, 'Failed', failure);
      }
      throw engineError(failure);
    }
    if (!attempt.settled && this.recording) {
      attempt.settled = true;
      this.appendTaskOutcome(task, 'Succeeded', { output: json(output), outputDetails: NOT_TRUNCATED });
    }
    return output;
  }

  private appendScheduledAndStarted(task: TaskStateInfo, input: unknown): void {
    const { append, region } = this.options;
    const timeout = task.timeoutSeconds !== undefined ? { timeoutInSeconds: task.timeoutSeconds } : {};
    if (isLambdaResource(task.resource)) {
      append('LambdaFunctionScheduled', {
        lambdaFunctionScheduledEventDetails: {
          resource: task.resource,
          input: json(input),
          inputDetails: NOT_TRUNCATED,
          ...timeout,
        },
      });
      append('LambdaFunctionStarted');
      return;
    }
    const { resourceType, resource } = integrationOf(task.resource);
    append('TaskScheduled', {
      taskScheduledEventDetails: { resourceType, resource, region, parameters: json(input), ...timeout },
    });
    append('TaskStarted', { taskStartedEventDetails: { resourceType, resource } });
  }

  private appendTaskOutcome(
    task: TaskStateInfo,
    outcome: 'Succeeded' | 'Failed' | 'TimedOut',
    details: Record<string, unknown>,
  ): void {
    if (isLambdaResource(task.resource)) {
      this.options.append(`LambdaFunction${outcome}`, { [`lambdaFunction${outcome}EventDetails`]: details });
      return;
    }
    const { resourceType, resource } = integrationOf(task.resource);
    this.options.append(`Task${outcome}`, {
      [`task${outcome}EventDetails`]: { resourceType, resource, ...details },
    });
  }
}

export function isLambdaResource(resource: string): boolean {
  return /^arn:aws[a-z-]*:lambda:/.test(resource);
}

/** `arn:aws:states:::sqs:sendMessage` -> { resourceType: "sqs", resource: "sendMessage" }. */
export function integrationOf(resource: string): { resourceType: string; resource: string } {
  const match = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:([^:]+):(.+)$/.exec(resource);
  if (match?.[1] && match[2]) return { resourceType: match[1], resource: match[2] };
  return { resourceType: 'unknown', resource };
}

/**
 * The ASL error and cause of a failed attempt. Lambda's Node runtime reports a
 * thrown error as errorType/errorMessage/trace, and Step Functions puts that
 * JSON text in the cause: so does this, for Lambda ARN resources.
 */
function taskFailure(thrown: unknown, lambda: boolean): { error: string; cause: string } {
  if (thrown instanceof TaskFailedError) return { error: thrown.error, cause: thrown.cause };
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  const errorType = error.name || 'Error';
  if (!lambda) return { error: errorType, cause: error.message };
  const trace = (error.stack ?? '')
    .split('\n')
    .slice(1)
    .map((line) => line.trim());
  return {
    error: errorType,
    cause: JSON.stringify({ errorType, errorMessage: error.message, trace }),
  };
}

/** The engine matches Retry/Catch on `name` and hands `message` to Catch as Cause. */
function engineError(failure: { error: string; cause: string }): Error {
  const error = new Error(failure.cause);
  error.name = failure.error;
  return error;
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
