import { REDRIVE_WINDOW_MS } from '../../core/config/executions';
import { AwsServiceError } from '../edge/aws-json-service';
import { parseArn } from './arns';
import type { PreparedDefinition } from './definition';
import { ExecutionRun, type RunOutcome } from './execution-run';
import type { ExecutionStore } from './execution-store';
import {
  enteredState,
  epochSeconds,
  type HistoryEvent,
  isStateEnteredEvent,
  NOT_TRUNCATED,
} from './history-event';
import type { StateMachineRegistry } from './state-machines';
import type { ExecutionRecord, ExecutionStatus, StepFunctionsServiceOptions, TaskInvoker } from './types';

export const RESTART_CAUSE = 'local runtime restarted';

export interface RedriveStatus {
  readonly status: 'REDRIVABLE' | 'NOT_REDRIVABLE';
  readonly reason?: string;
}

type Waiter = (record: ExecutionRecord) => void;

/**
 * The life of executions: started, run by the engine, stopped, redriven,
 * resumed or failed after a restart, closed. Every change goes to the store
 * (history event first, then the record) before anyone is told about it.
 */
export class Executions {
  private readonly runs = new Map<string, ExecutionRun>();
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(
    private readonly store: ExecutionStore,
    private readonly machines: StateMachineRegistry,
    private readonly options: {
      readonly region: string;
      readonly invokeTask: TaskInvoker;
      readonly onStatusChange: StepFunctionsServiceOptions['onStatusChange'];
      readonly now: () => number;
    },
  ) {}

  /** Executions being run by the engine now. */
  get openCount(): number {
    return this.runs.size;
  }

  get(executionArn: string): ExecutionRecord | undefined {
    return this.store.get(executionArn);
  }

  /** The execution, or InvalidArn / ExecutionDoesNotExist as AWS answers. */
  require(executionArn: string): ExecutionRecord {
    parseArn(executionArn, 'execution', 'executionArn');
    const record = this.store.get(executionArn);
    if (!record) {
      throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    }
    return record;
  }

  all(): ExecutionRecord[] {
    return [...this.store.all()];
  }

  /** The history as shown to a caller: on disk first (event lines are otherwise written once per turn). */
  history(executionArn: string): HistoryEvent[] {
    this.store.flush();
    return this.store.history(executionArn);
  }

  /** Records a new execution (persisted before the caller answers) and starts running it. */
  start(record: ExecutionRecord, input: unknown): void {
    const { definition, roleArn } = this.machines.runnable(record);
    this.store.saveRecord(record);
    this.append(record.executionArn, 'ExecutionStarted', {
      executionStartedEventDetails: {
        input: record.input,
        inputDetails: NOT_TRUNCATED,
        roleArn,
        ...(record.stateMachineVersionArn !== undefined && {
          stateMachineVersionArn: record.stateMachineVersionArn,
        }),
        ...(record.stateMachineAliasArn !== undefined && {
          stateMachineAliasArn: record.stateMachineAliasArn,
        }),
      },
    });
    // On disk before StartExecution answers, as the record is (the journal otherwise writes at a task or the turn's end).
    this.store.flush(record.executionArn);
    this.notify(record);
    this.launch(record, definition.startAt, input, definition.timeoutSeconds);
  }

  /** StopExecution: ABORTED with the caller's error and cause; an in-flight task's result is not recorded. */
  stop(record: ExecutionRecord, error: string | undefined, cause: string | undefined): ExecutionRecord {
    const run = this.runs.get(record.executionArn);
    this.runs.delete(record.executionArn);
    run?.close();
    const details: Record<string, string> = {};
    if (error !== undefined) details.error = error;
    if (cause !== undefined) details.cause = cause;
    return this.close(
      record,
      { status: 'ABORTED', ...details },
      { type: 'ExecutionAborted', details: { executionAbortedEventDetails: details } },
    );
  }

  redriveStatusOf(record: ExecutionRecord): RedriveStatus {
    if (record.status === 'RUNNING' || record.status === 'PENDING_REDRIVE') {
      return { status: 'NOT_REDRIVABLE', reason: 'Execution is RUNNING and cannot be redriven' };
    }
    if (record.status === 'SUCCEEDED') {
      return { status: 'NOT_REDRIVABLE', reason: 'Execution is SUCCEEDED and cannot be redriven' };
    }
    if (!this.machines.canRun(record)) {
      return { status: 'NOT_REDRIVABLE', reason: 'State machine is in DELETING status' };
    }
    if (record.stopDate !== undefined && this.options.now() - record.stopDate > REDRIVE_WINDOW_MS) {
      return { status: 'NOT_REDRIVABLE', reason: 'Execution redrivable period exceeded' };
    }
    return { status: 'REDRIVABLE' };
  }

  /**
   * RedriveExecution (the caller checked redriveStatusOf): same ARN and history,
   * ExecutionRedriven appended, the unsuccessful state re-run with its recorded
   * input. AWS resets the state machine timeout on a redrive.
   */
  redrive(record: ExecutionRecord, clientToken: string | undefined): ExecutionRecord {
    // The version the execution started on, whatever the alias routes to now (AWS behaviour).
    const { definition } = this.machines.runnable(record);
    this.store.retain(record.executionArn);
    const from = this.resumePoint(record, definition);
    const redriven: ExecutionRecord = {
      ...withoutOutcome(record),
      status: 'RUNNING',
      redriveCount: record.redriveCount + 1,
      redriveDate: this.options.now(),
      ...(clientToken !== undefined && { redriveClientToken: clientToken }),
    };
    this.store.saveRecord(redriven);
    this.append(record.executionArn, 'ExecutionRedriven', {
      executionRedrivenEventDetails: { redriveCount: redriven.redriveCount },
    });
    this.store.flush(record.executionArn);
    this.notify(redriven);
    this.launch(redriven, from.stateName, from.input, definition.timeoutSeconds);
    return redriven;
  }

  /**
   * After a restart, executions the store holds as RUNNING: resumed from the
   * state they were in, or (onRestart 'fail', or their state machine is gone)
   * FAILED with States.Runtime and redrivable.
   */
  recover(onRestart: 'resume' | 'fail'): { resumed: number; failedOnRestart: number } {
    let resumed = 0;
    let failedOnRestart = 0;
    for (const record of this.all()) {
      if (record.status !== 'RUNNING' && record.status !== 'PENDING_REDRIVE') continue;
      if (onRestart === 'fail' || !this.machines.canRun(record)) {
        this.close(
          record,
          { status: 'FAILED', error: 'States.Runtime', cause: RESTART_CAUSE },
          {
            type: 'ExecutionFailed',
            details: { executionFailedEventDetails: { error: 'States.Runtime', cause: RESTART_CAUSE } },
          },
        );
        failedOnRestart += 1;
      } else {
        this.resume(record);
        resumed += 1;
      }
    }
    return { resumed, failedOnRestart };
  }

  /** Deletes a closed execution and its history; the name may then be reused. */
  forget(executionArn: string): void {
    const record = this.require(executionArn);
    if (record.status === 'RUNNING') {
      throw new AwsServiceError(
        'ValidationException',
        `execution '${executionArn}' is RUNNING: stop it (StopExecution) before forgetting it`,
      );
    }
    this.store.forget(executionArn);
  }

  /** Resolves once the execution is no longer RUNNING (at once if it is not, or at shutdown). */
  whenSettled(executionArn: string): Promise<ExecutionRecord> {
    const record = this.require(executionArn);
    if (record.status !== 'RUNNING') return Promise.resolve(record);
    return new Promise((resolve) => {
      const list = this.waiters.get(executionArn) ?? [];
      list.push(resolve);
      this.waiters.set(executionArn, list);
    });
  }

  /**
   * Stops the engine runs without closing their executions: what they did is on
   * disk and the next start resumes them. Waiters get the execution as it stays.
   */
  async shutdown(): Promise<void> {
    const runs = [...this.runs.values()];
    this.runs.clear();
    for (const run of runs) run.close();
    await Promise.allSettled(runs.map((run) => run.done));
    this.store.close();
    for (const [executionArn, waiters] of this.waiters) {
      const record = this.store.get(executionArn);
      if (record) for (const resolve of waiters) resolve(record);
    }
    this.waiters.clear();
  }

  private resume(record: ExecutionRecord): void {
    const { definition } = this.machines.runnable(record);
    this.store.retain(record.executionArn);
    const from = this.resumePoint(record, definition);
    const running: ExecutionRecord = { ...record, status: 'RUNNING' };
    this.store.saveRecord(running);
    // The timeout keeps counting from the (last) start, as it would have without the restart.
    const total = definition.timeoutSeconds;
    const since = record.redriveDate ?? record.startDate;
    const remaining =
      total === undefined ? undefined : Math.max(1, Math.ceil(total - (this.options.now() - since) / 1000));
    this.notify(running);
    this.launch(running, from.stateName, from.input, remaining);
  }

  /**
   * Where a redrive or a resume starts: the last top-level state entered (its
   * Exited event may be missing: failed, stopped, or cut by a crash) with the
   * input recorded when it was entered. Every paysaga step is idempotent, so
   * re-running it is safe.
   */
  private resumePoint(
    record: ExecutionRecord,
    definition: PreparedDefinition,
  ): { stateName: string; input: unknown } {
    const history = this.store.history(record.executionArn);
    for (let index = history.length - 1; index >= 0; index -= 1) {
      const event = history[index];
      if (!event || !isStateEnteredEvent(event)) continue;
      const state = enteredState(event);
      // States inside Map/Parallel are re-run through their top-level parent, entered earlier.
      if (state && definition.isTopLevelState(state.name)) {
        return { stateName: state.name, input: JSON.parse(state.input) as unknown };
      }
    }
    return { stateName: definition.startAt, input: JSON.parse(record.input) as unknown };
  }

  private launch(
    record: ExecutionRecord,
    startAt: string,
    input: unknown,
    timeoutSeconds: number | undefined,
  ): void {
    const { machine, definition, roleArn } = this.machines.runnable(record);
    const arn = record.executionArn;
    const run = new ExecutionRun({
      definition,
      startAt,
      input,
      timeoutSeconds,
      context: {
        Execution: {
          Id: arn,
          Name: record.name,
          RoleArn: roleArn,
          RedriveCount: record.redriveCount,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
      executionArn: arn,
      executionName: record.name,
      region: this.options.region,
      invokeTask: this.options.invokeTask,
      append: (type, details) => this.append(arn, type, details),
      persist: () => this.store.flush(arn),
      onOutcome: (outcome) => this.onOutcome(arn, run, outcome),
    });
    this.runs.set(arn, run);
  }

  private onOutcome(arn: string, run: ExecutionRun, outcome: RunOutcome): void {
    if (this.runs.get(arn) !== run) return;
    this.runs.delete(arn);
    const record = this.require(arn);
    if (outcome.status === 'SUCCEEDED') {
      this.close(
        record,
        { status: 'SUCCEEDED', output: outcome.output },
        {
          type: 'ExecutionSucceeded',
          details: {
            executionSucceededEventDetails: { output: outcome.output, outputDetails: NOT_TRUNCATED },
          },
        },
      );
      return;
    }
    const timedOut = outcome.status === 'TIMED_OUT';
    this.close(
      record,
      { status: outcome.status, error: outcome.error, cause: outcome.cause },
      {
        type: timedOut ? 'ExecutionTimedOut' : 'ExecutionFailed',
        details: {
          [timedOut ? 'executionTimedOutEventDetails' : 'executionFailedEventDetails']: {
            error: outcome.error,
            cause: outcome.cause,
          },
        },
      },
    );
  }

  /**
   * Closes an execution: the terminal history event first, then the record, so a
   * crash in between leaves a RUNNING record (resumed) rather than a closed one
   * without its event. Then waiters and the runtime hear of it.
   */
  private close(
    record: ExecutionRecord,
    outcome: { status: ExecutionStatus; output?: string; error?: string; cause?: string },
    event: { type: string; details: Record<string, unknown> },
  ): ExecutionRecord {
    this.append(record.executionArn, event.type, event.details);
    const closed: ExecutionRecord = { ...withoutOutcome(record), ...outcome, stopDate: this.options.now() };
    this.store.saveRecord(closed);
    this.store.release(closed.executionArn);
    this.notify(closed);
    const waiters = this.waiters.get(closed.executionArn) ?? [];
    this.waiters.delete(closed.executionArn);
    for (const resolve of waiters) resolve(closed);
    return closed;
  }

  private append(arn: string, type: string, details?: Record<string, unknown>): void {
    const last = this.store.lastEventId(arn);
    const previous = this.store.history(arn).at(-1);
    // AWS: the first state entered after ExecutionStarted points back to 0; every other event to the one before.
    const previousEventId = type.endsWith('StateEntered') && previous?.type === 'ExecutionStarted' ? 0 : last;
    this.store.appendEvent(arn, {
      id: last + 1,
      previousEventId,
      timestamp: epochSeconds(this.options.now()),
      type,
      ...details,
    });
  }

  private notify(record: ExecutionRecord): void {
    const callback = this.options.onStatusChange;
    if (!callback) return;
    try {
      Promise.resolve(callback(record)).catch((error: unknown) => warnCallbackFailed(error));
    } catch (error) {
      warnCallbackFailed(error);
    }
  }
}

function withoutOutcome(record: ExecutionRecord): ExecutionRecord {
  const { stopDate: _stop, output: _output, error: _error, cause: _cause, ...rest } = record;
  return rest;
}

function warnCallbackFailed(error: unknown): void {
  process.emitWarning(
    `StepFunctionsService onStatusChange failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}
