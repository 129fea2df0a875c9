import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type AwsJsonService, type AwsRequestContext, AwsServiceError } from '../edge/aws-json-service';
import { assertValidExecutionName, executionArn, parseArn, stateMachineArn } from './arns';
import { PreparedDefinition } from './definition';
import { ExecutionRun, type RunOutcome } from './execution-run';
import { ExecutionStore, type LoadReport } from './execution-store';
import {
  enteredState,
  epochSeconds,
  type HistoryEvent,
  isStateEnteredEvent,
  NOT_TRUNCATED,
  withoutExecutionData,
} from './history-event';
import { decodeToken, encodeToken } from './page-token';
import {
  DescribeStateMachineRequest,
  ExecutionArnRequest,
  GetExecutionHistoryRequest,
  ListExecutionsRequest,
  ListStateMachinesRequest,
  parseRequest,
  RedriveExecutionRequest,
  StartExecutionRequest,
  StopExecutionRequest,
} from './requests';
import type { ExecutionRecord, ExecutionStatus, StepFunctionsServiceOptions } from './types';

/** AWS: executions can be redriven for 14 days after they stopped. */
export const REDRIVE_WINDOW_MS = 14 * 24 * 60 * 60 * 1000;
const DEFAULT_PAGE_SIZE = 100;
export const RESTART_CAUSE = 'local runtime restarted';

interface StateMachineEntry {
  readonly arn: string;
  readonly name: string;
  readonly roleArn: string;
  readonly definition: PreparedDefinition;
  readonly creationDate: number;
}

type Waiter = (record: ExecutionRecord) => void;

/**
 * The local Step Functions service: the SFN API subset paysaga and its tools
 * use, over aws-local-stepfunctions, with AWS-shaped history, name dedupe,
 * StopExecution, RedriveExecution, and executions that survive a restart.
 * Mounted by the edge under `X-Amz-Target: AWSStepFunctions.<Operation>`.
 */
export class StepFunctionsService implements AwsJsonService {
  readonly targetPrefix = 'AWSStepFunctions';
  readonly signingName = 'states';

  private readonly stateMachines = new Map<string, StateMachineEntry>();
  private readonly store: ExecutionStore;
  private readonly runs = new Map<string, ExecutionRun>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly now: () => number;
  private started = false;

  constructor(private readonly options: StepFunctionsServiceOptions) {
    this.now = options.now ?? Date.now;
    const createdAt = this.now();
    for (const config of options.stateMachines) {
      const arn = stateMachineArn(options.region, options.accountId, config.name);
      this.stateMachines.set(arn, {
        arn,
        name: config.name,
        roleArn: config.roleArn ?? `arn:aws:iam::${options.accountId}:role/${config.name}-role`,
        definition: new PreparedDefinition(config.name, config.definition, options.retryIntervalScale ?? 1),
        creationDate: createdAt,
      });
    }
    this.store = new ExecutionStore(options.dataDir === undefined ? undefined : join(options.dataDir, 'sfn'));
  }

  /**
   * Loads persisted executions and deals with those that were RUNNING when the
   * process stopped: resumed from the state they were in, or failed (redrivable).
   */
  async start(): Promise<LoadReport & { readonly resumed: number; readonly failedOnRestart: number }> {
    if (this.started) throw new Error('StepFunctionsService already started');
    this.started = true;
    const report = this.store.load();
    let resumed = 0;
    let failedOnRestart = 0;
    for (const record of [...this.store.all()]) {
      if (record.status !== 'RUNNING' && record.status !== 'PENDING_REDRIVE') continue;
      if (
        (this.options.onRestart ?? 'resume') === 'fail' ||
        !this.stateMachines.has(record.stateMachineArn)
      ) {
        this.failOnRestart(record);
        failedOnRestart += 1;
      } else {
        this.resume(record);
        resumed += 1;
      }
    }
    return { ...report, resumed, failedOnRestart };
  }

  /**
   * Stops the engine runs without closing their executions: what they did is
   * already on disk, and the next start() resumes them. In-flight task calls
   * may still finish; their results are not recorded (the step re-runs, idempotently).
   */
  async stop(): Promise<void> {
    const runs = [...this.runs.values()];
    this.runs.clear();
    for (const run of runs) run.close();
    await Promise.allSettled(runs.map((run) => run.done));
    this.store.close();
    this.started = false;
    // Nobody waits forever: waiters get the execution as it stays on disk (RUNNING, resumed on the next start).
    for (const [executionArn, waiters] of this.waiters) {
      const record = this.store.get(executionArn);
      if (record) for (const resolve of waiters) resolve(record);
    }
    this.waiters.clear();
  }

  async handle(operation: string, input: unknown, _context: AwsRequestContext): Promise<unknown> {
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(input);
      case 'DescribeExecution':
        return this.describeExecution(input);
      case 'ListExecutions':
        return this.listExecutions(input);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(input);
      case 'StopExecution':
        return this.stopExecution(input);
      case 'RedriveExecution':
        return this.redriveExecution(input);
      case 'ListStateMachines':
        return this.listStateMachines(input);
      case 'DescribeStateMachine':
        return this.describeStateMachine(input);
      case 'DescribeStateMachineForExecution':
        return this.describeStateMachineForExecution(input);
      case 'ForgetExecution': {
        // Not an AWS operation: the local admin hook simulating the 90-day history retention.
        const { executionArn } = parseRequest(ExecutionArnRequest, input);
        this.forgetExecution(executionArn);
        return {};
      }
      default:
        throw new AwsServiceError(
          'UnknownOperationException',
          `the local Step Functions service does not implement ${operation}`,
        );
    }
  }

  // ---- operations -------------------------------------------------------

  private startExecution(input: unknown): { executionArn: string; startDate: number } {
    const request = parseRequest(StartExecutionRequest, input);
    const machine = this.requireStateMachine(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    assertValidExecutionName(name);
    const inputText = request.input ?? '{}';
    const parsedInput = parseExecutionInput(inputText);
    const arn = executionArn(this.options.region, this.options.accountId, machine.name, name);

    const existing = this.store.get(arn);
    if (existing) {
      // AWS: same name and same input as a RUNNING execution answers that execution;
      // a closed one, or a different input, is ExecutionAlreadyExists.
      if (existing.status === 'RUNNING' && sameJson(existing.input, inputText)) {
        return { executionArn: arn, startDate: epochSeconds(existing.startDate) };
      }
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const open = this.runs.size;
    if (open >= (this.options.maxOpenExecutions ?? 1_000_000)) {
      throw new AwsServiceError(
        'ExecutionLimitExceeded',
        `Execution Limit Exceeded: ${open} executions are open; wait for some to end or stop them`,
      );
    }

    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      name,
      status: 'RUNNING',
      startDate: this.now(),
      input: inputText,
      redriveCount: 0,
      ...(request.traceHeader !== undefined && { traceHeader: request.traceHeader }),
    };
    // Persisted before answering: an acknowledged StartExecution is never lost.
    this.store.saveRecord(record);
    this.append(arn, 'ExecutionStarted', {
      executionStartedEventDetails: {
        input: inputText,
        inputDetails: NOT_TRUNCATED,
        roleArn: machine.roleArn,
      },
    });
    this.notify(record);
    this.launch(record, machine.definition.startAt, parsedInput, machine.definition.timeoutSeconds);
    return { executionArn: arn, startDate: epochSeconds(record.startDate) };
  }

  private describeExecution(input: unknown): Record<string, unknown> {
    const { executionArn } = parseRequest(ExecutionArnRequest, input);
    const record = this.requireExecution(executionArn);
    const redrive = this.redriveStatusOf(record);
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: epochSeconds(record.startDate),
      ...(record.stopDate !== undefined && { stopDate: epochSeconds(record.stopDate) }),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output !== undefined && { output: record.output, outputDetails: { included: true } }),
      ...(record.traceHeader !== undefined && { traceHeader: record.traceHeader }),
      ...(record.error !== undefined && { error: record.error }),
      ...(record.cause !== undefined && { cause: record.cause }),
      redriveCount: record.redriveCount,
      ...(record.redriveDate !== undefined && { redriveDate: epochSeconds(record.redriveDate) }),
      redriveStatus: redrive.status,
      ...(redrive.reason !== undefined && { redriveStatusReason: redrive.reason }),
    };
  }

  private listExecutions(input: unknown): { executions: unknown[]; nextToken?: string } {
    const request = parseRequest(ListExecutionsRequest, input);
    if (request.mapRunArn !== undefined) {
      throw new AwsServiceError('ResourceNotFound', `Map Run Does Not Exist: '${request.mapRunArn}'`);
    }
    if (request.stateMachineArn === undefined) {
      throw new AwsServiceError(
        'ValidationException',
        '1 validation error detected: one of stateMachineArn or mapRunArn must be given',
      );
    }
    const machine = this.requireStateMachine(request.stateMachineArn);
    const matching = [...this.store.all()]
      .filter((record) => record.stateMachineArn === machine.arn)
      .filter((record) => request.statusFilter === undefined || record.status === request.statusFilter)
      .filter((record) => {
        if (request.redriveFilter === 'REDRIVEN') return record.redriveCount > 0;
        if (request.redriveFilter === 'NOT_REDRIVEN') return record.redriveCount === 0;
        return true;
      })
      // Newest first, as AWS lists them; the ARN breaks ties so pages are stable.
      .sort((a, b) => b.startDate - a.startDate || a.executionArn.localeCompare(b.executionArn));
    const scope = `executions:${machine.arn}:${request.statusFilter ?? ''}:${request.redriveFilter ?? ''}`;
    const from = request.nextToken === undefined ? 0 : decodeToken(request.nextToken, scope);
    const size = request.maxResults || DEFAULT_PAGE_SIZE;
    const page = matching.slice(from, from + size);
    const next = from + page.length;
    return {
      executions: page.map((record) => ({
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: epochSeconds(record.startDate),
        ...(record.stopDate !== undefined && { stopDate: epochSeconds(record.stopDate) }),
        redriveCount: record.redriveCount,
        ...(record.redriveDate !== undefined && { redriveDate: epochSeconds(record.redriveDate) }),
      })),
      ...(next < matching.length && { nextToken: encodeToken(scope, next) }),
    };
  }

  private getExecutionHistory(input: unknown): { events: HistoryEvent[]; nextToken?: string } {
    const request = parseRequest(GetExecutionHistoryRequest, input);
    this.requireExecution(request.executionArn);
    const history = this.store.history(request.executionArn);
    const ordered = request.reverseOrder ? [...history].reverse() : history;
    const scope = `history:${request.executionArn}:${request.reverseOrder ? 'reverse' : 'forward'}`;
    const from = request.nextToken === undefined ? 0 : decodeToken(request.nextToken, scope);
    const size = request.maxResults || DEFAULT_PAGE_SIZE;
    const page = ordered.slice(from, from + size);
    const events = request.includeExecutionData === false ? page.map(withoutExecutionData) : page;
    const next = from + page.length;
    return { events, ...(next < ordered.length && { nextToken: encodeToken(scope, next) }) };
  }

  private stopExecution(input: unknown): { stopDate: number } {
    const request = parseRequest(StopExecutionRequest, input);
    const record = this.requireExecution(request.executionArn);
    if (record.status !== 'RUNNING') {
      // Already closed: nothing to stop; answer its stop date as AWS does.
      return { stopDate: epochSeconds(record.stopDate ?? this.now()) };
    }
    const run = this.runs.get(record.executionArn);
    this.runs.delete(record.executionArn);
    run?.close();
    const details: Record<string, string> = {};
    if (request.error !== undefined) details.error = request.error;
    if (request.cause !== undefined) details.cause = request.cause;
    const closed = this.close(
      record,
      {
        status: 'ABORTED',
        ...(request.error !== undefined && { error: request.error }),
        ...(request.cause !== undefined && { cause: request.cause }),
      },
      { type: 'ExecutionAborted', details: { executionAbortedEventDetails: details } },
    );
    return { stopDate: epochSeconds(closed.stopDate ?? this.now()) };
  }

  private redriveExecution(input: unknown): { redriveDate: number } {
    const request = parseRequest(RedriveExecutionRequest, input);
    const record = this.requireExecution(request.executionArn);
    if (
      request.clientToken !== undefined &&
      request.clientToken === record.redriveClientToken &&
      record.redriveDate !== undefined
    ) {
      // The same RedriveExecution call retried: already done.
      return { redriveDate: epochSeconds(record.redriveDate) };
    }
    const redrivable = this.redriveStatusOf(record);
    if (redrivable.status !== 'REDRIVABLE') {
      throw new AwsServiceError(
        'ExecutionNotRedrivable',
        `Execution Not Redrivable: '${record.executionArn}': ${redrivable.reason ?? 'not redrivable'}`,
      );
    }
    const machine = this.requireStateMachine(record.stateMachineArn);
    this.store.retain(record.executionArn);
    const from = this.resumePoint(record, machine);
    const redriveDate = this.now();
    const redriven: ExecutionRecord = {
      ...withoutOutcome(record),
      status: 'RUNNING',
      redriveCount: record.redriveCount + 1,
      redriveDate,
      ...(request.clientToken !== undefined && { redriveClientToken: request.clientToken }),
    };
    this.store.saveRecord(redriven);
    this.append(record.executionArn, 'ExecutionRedriven', {
      executionRedrivenEventDetails: { redriveCount: redriven.redriveCount },
    });
    this.notify(redriven);
    // AWS resets the state machine timeout on a redrive.
    this.launch(redriven, from.stateName, from.input, machine.definition.timeoutSeconds);
    return { redriveDate: epochSeconds(redriveDate) };
  }

  private listStateMachines(input: unknown): { stateMachines: unknown[]; nextToken?: string } {
    const request = parseRequest(ListStateMachinesRequest, input);
    const machines = [...this.stateMachines.values()].sort((a, b) => a.name.localeCompare(b.name));
    const from = request.nextToken === undefined ? 0 : decodeToken(request.nextToken, 'stateMachines');
    const size = request.maxResults || DEFAULT_PAGE_SIZE;
    const page = machines.slice(from, from + size);
    const next = from + page.length;
    return {
      stateMachines: page.map((machine) => ({
        stateMachineArn: machine.arn,
        name: machine.name,
        type: 'STANDARD',
        creationDate: epochSeconds(machine.creationDate),
      })),
      ...(next < machines.length && { nextToken: encodeToken('stateMachines', next) }),
    };
  }

  private describeStateMachine(input: unknown): Record<string, unknown> {
    const { stateMachineArn } = parseRequest(DescribeStateMachineRequest, input);
    const machine = this.requireStateMachine(stateMachineArn);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition.text,
      roleArn: machine.roleArn,
      type: 'STANDARD',
      creationDate: epochSeconds(machine.creationDate),
    };
  }

  private describeStateMachineForExecution(input: unknown): Record<string, unknown> {
    const { executionArn } = parseRequest(ExecutionArnRequest, input);
    const record = this.requireExecution(executionArn);
    const machine = this.requireStateMachine(record.stateMachineArn);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      definition: machine.definition.text,
      roleArn: machine.roleArn,
      updateDate: epochSeconds(machine.creationDate),
    };
  }

  // ---- public helpers for local tooling and tests -------------------------

  /** The execution as the service keeps it, or undefined. */
  getExecution(executionArn: string): ExecutionRecord | undefined {
    return this.store.get(executionArn);
  }

  /** Resolves once the execution is no longer RUNNING (at once if it is not). */
  whenSettled(executionArn: string): Promise<ExecutionRecord> {
    const record = this.requireExecution(executionArn);
    if (record.status !== 'RUNNING') return Promise.resolve(record);
    return new Promise((resolve) => {
      const list = this.waiters.get(executionArn) ?? [];
      list.push(resolve);
      this.waiters.set(executionArn, list);
    });
  }

  /**
   * Deletes a closed execution and its history, as Step Functions does 90 days
   * after it closed (finance/ops tests of an expired history). The name may then be reused.
   */
  forgetExecution(executionArn: string): void {
    const record = this.requireExecution(executionArn);
    if (record.status === 'RUNNING') {
      throw new AwsServiceError(
        'ValidationException',
        `execution '${executionArn}' is RUNNING: stop it (StopExecution) before forgetting it`,
      );
    }
    this.store.forget(executionArn);
  }

  // ---- engine plumbing -----------------------------------------------------

  private launch(
    record: ExecutionRecord,
    startAt: string,
    input: unknown,
    timeoutSeconds: number | undefined,
  ): void {
    const machine = this.requireStateMachine(record.stateMachineArn);
    const arn = record.executionArn;
    const run = new ExecutionRun({
      definition: machine.definition,
      startAt,
      input,
      timeoutSeconds,
      context: {
        Execution: {
          Id: arn,
          Name: record.name,
          RoleArn: machine.roleArn,
          RedriveCount: record.redriveCount,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
      executionArn: arn,
      executionName: record.name,
      region: this.options.region,
      invokeTask: this.options.invokeTask,
      append: (type, details) => this.append(arn, type, details),
      onOutcome: (outcome) => this.onOutcome(arn, run, outcome),
    });
    this.runs.set(arn, run);
  }

  private onOutcome(arn: string, run: ExecutionRun, outcome: RunOutcome): void {
    if (this.runs.get(arn) !== run) return;
    this.runs.delete(arn);
    const record = this.requireExecution(arn);
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

  private resume(record: ExecutionRecord): void {
    const machine = this.requireStateMachine(record.stateMachineArn);
    this.store.retain(record.executionArn);
    const from = this.resumePoint(record, machine);
    const running: ExecutionRecord = { ...record, status: 'RUNNING' };
    this.store.saveRecord(running);
    // The timeout keeps counting from the (last) start, as it would have without the restart.
    const total = machine.definition.timeoutSeconds;
    const since = record.redriveDate ?? record.startDate;
    const remaining =
      total === undefined ? undefined : Math.max(1, Math.ceil(total - (this.now() - since) / 1000));
    this.notify(running);
    this.launch(running, from.stateName, from.input, remaining);
  }

  private failOnRestart(record: ExecutionRecord): void {
    this.close(
      record,
      { status: 'FAILED', error: 'States.Runtime', cause: RESTART_CAUSE },
      {
        type: 'ExecutionFailed',
        details: { executionFailedEventDetails: { error: 'States.Runtime', cause: RESTART_CAUSE } },
      },
    );
  }

  /**
   * Where a redrive or a resume starts: the last state entered (its Exited event
   * may be missing: failed, stopped, or cut by a crash) with the input recorded
   * when it was entered. Every paysaga step is idempotent, so re-running it is safe.
   */
  private resumePoint(
    record: ExecutionRecord,
    machine: StateMachineEntry,
  ): { stateName: string; input: unknown } {
    const history = this.store.history(record.executionArn);
    for (let index = history.length - 1; index >= 0; index -= 1) {
      const event = history[index];
      if (!event || !isStateEnteredEvent(event)) continue;
      const state = enteredState(event);
      // States inside Map/Parallel are re-run through their top-level parent, entered earlier.
      if (state && machine.definition.isTopLevelState(state.name)) {
        return { stateName: state.name, input: JSON.parse(state.input) as unknown };
      }
    }
    return { stateName: machine.definition.startAt, input: JSON.parse(record.input) as unknown };
  }

  /**
   * Closes an execution: the terminal history event first, then the record, so a
   * crash in between leaves a RUNNING record (resumed) rather than a closed one without its event.
   */
  private close(
    record: ExecutionRecord,
    outcome: { status: ExecutionStatus; output?: string; error?: string; cause?: string },
    event: { type: string; details: Record<string, unknown> },
  ): ExecutionRecord {
    this.append(record.executionArn, event.type, event.details);
    const closed: ExecutionRecord = { ...withoutOutcome(record), ...outcome, stopDate: this.now() };
    this.store.saveRecord(closed);
    this.settle(closed);
    return closed;
  }

  /** After the terminal event: wake waiters, tell the runtime, drop the history from memory. */
  private settle(record: ExecutionRecord): void {
    this.store.release(record.executionArn);
    this.notify(record);
    const waiters = this.waiters.get(record.executionArn) ?? [];
    this.waiters.delete(record.executionArn);
    for (const resolve of waiters) resolve(record);
  }

  private append(arn: string, type: string, details?: Record<string, unknown>): void {
    const last = this.store.lastEventId(arn);
    const previous = this.store.history(arn).at(-1);
    const id = last + 1;
    // AWS: the first state entered after ExecutionStarted points back to 0; the rest to the event before.
    const previousEventId = type.endsWith('StateEntered') && previous?.type === 'ExecutionStarted' ? 0 : last;
    this.store.appendEvent(arn, {
      id,
      previousEventId,
      timestamp: epochSeconds(this.now()),
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

  private redriveStatusOf(record: ExecutionRecord): { status: string; reason?: string } {
    if (record.status === 'RUNNING' || record.status === 'PENDING_REDRIVE') {
      return { status: 'NOT_REDRIVABLE', reason: 'Execution is RUNNING and cannot be redriven' };
    }
    if (record.status === 'SUCCEEDED') {
      return { status: 'NOT_REDRIVABLE', reason: 'Execution is SUCCEEDED and cannot be redriven' };
    }
    if (!this.stateMachines.has(record.stateMachineArn)) {
      return { status: 'NOT_REDRIVABLE', reason: 'State machine is in DELETING status' };
    }
    if (record.stopDate !== undefined && this.now() - record.stopDate > REDRIVE_WINDOW_MS) {
      return { status: 'NOT_REDRIVABLE', reason: 'Execution redrivable period exceeded' };
    }
    return { status: 'REDRIVABLE' };
  }

  private requireStateMachine(arn: string): StateMachineEntry {
    parseArn(arn, 'stateMachine', 'stateMachineArn');
    const machine = this.stateMachines.get(arn);
    if (!machine)
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private requireExecution(arn: string): ExecutionRecord {
    parseArn(arn, 'execution', 'executionArn');
    const record = this.store.get(arn);
    if (!record) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }
}

function withoutOutcome(record: ExecutionRecord): ExecutionRecord {
  const { stopDate: _stop, output: _output, error: _error, cause: _cause, ...rest } = record;
  return rest;
}

function parseExecutionInput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AwsServiceError(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: '${error instanceof Error ? error.message : String(error)}'`,
    );
  }
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
  } catch {
    return a === b;
  }
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => [key, canonical(inner)]),
  );
}

function warnCallbackFailed(error: unknown): void {
  process.emitWarning(
    `StepFunctionsService onStatusChange failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}
