import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type AwsJsonService, type AwsRequestContext, AwsServiceError } from '../edge/aws-json-service';
import { assertValidExecutionName, executionArn, stateMachineArn } from './arns';
import { type CatalogOperation, catalogOperations } from './catalog-api';
import { ExecutionStore, type LoadReport } from './execution-store';
import { Executions } from './executions';
import { epochSeconds, type HistoryEvent, withoutExecutionData } from './history-event';
import { paginate } from './page-token';
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
import { StateMachineRegistry } from './state-machines';
import type { ExecutionRecord, StepFunctionsServiceOptions } from './types';

export { REDRIVE_WINDOW_MS } from '../../core/config/executions';
export { RESTART_CAUSE } from './executions';

/** AWS's default quota of open executions per account and region. */
const DEFAULT_MAX_OPEN_EXECUTIONS = 1_000_000;

export interface StartReport extends LoadReport {
  readonly resumed: number;
  readonly failedOnRestart: number;
}

/**
 * The local Step Functions service: the SFN API subset paysaga and its tools
 * use, over aws-local-stepfunctions, with AWS-shaped history, name dedupe,
 * StopExecution, RedriveExecution, and executions that survive a restart.
 * Mounted by the edge under `X-Amz-Target: AWSStepFunctions.<Operation>`.
 * This class is the API layer: it checks requests and shapes answers as the
 * SFN API reference does (dates as epoch seconds); `Executions` does the work.
 */
export class StepFunctionsService implements AwsJsonService {
  readonly targetPrefix = 'AWSStepFunctions';
  readonly signingName = 'states';

  private readonly machines: StateMachineRegistry;
  /** Every operation it answers, by name: the execution API here, the catalog's (catalog-api.ts). */
  private readonly operations: ReadonlyMap<string, CatalogOperation>;
  private readonly store: ExecutionStore;
  private readonly executions: Executions;
  private readonly now: () => number;
  private started = false;

  constructor(private readonly options: StepFunctionsServiceOptions) {
    this.now = options.now ?? Date.now;
    const dir = options.dataDir === undefined ? undefined : join(options.dataDir, 'sfn');
    this.machines = new StateMachineRegistry({
      region: options.region,
      accountId: options.accountId,
      stateMachines: options.stateMachines,
      retryIntervalScale: options.retryIntervalScale ?? 1,
      now: this.now,
      ...(dir !== undefined && { dir }),
      ...(options.random !== undefined && { random: options.random }),
    });
    this.operations = new Map<string, CatalogOperation>([
      ...Object.entries(catalogOperations(this.machines)),
      ['StartExecution', (input) => this.startExecution(input)],
      ['DescribeExecution', (input) => this.describeExecution(input)],
      ['ListExecutions', (input) => this.listExecutions(input)],
      ['GetExecutionHistory', (input) => this.getExecutionHistory(input)],
      ['StopExecution', (input) => this.stopExecution(input)],
      ['RedriveExecution', (input) => this.redriveExecution(input)],
      ['ListStateMachines', (input) => this.listStateMachines(input)],
      ['DescribeStateMachine', (input) => this.describeStateMachine(input)],
      ['DescribeStateMachineForExecution', (input) => this.describeStateMachineForExecution(input)],
      // Not an AWS operation: the local admin hook simulating the 90-day history retention.
      [
        'ForgetExecution',
        (input) => {
          this.forgetExecution(parseRequest(ExecutionArnRequest, input).executionArn);
          return {};
        },
      ],
    ]);
    this.store = new ExecutionStore(dir);
    this.executions = new Executions(this.store, this.machines, {
      region: options.region,
      invokeTask: options.invokeTask,
      onStatusChange: options.onStatusChange,
      now: this.now,
    });
  }

  /**
   * Loads persisted executions and deals with those that were RUNNING when the
   * process stopped: resumed from the state they were in (default), or failed
   * (States.Runtime, "local runtime restarted") and redrivable.
   */
  async start(): Promise<StartReport> {
    if (this.started) throw new Error('StepFunctionsService already started');
    this.started = true;
    // The local deploy: each configured alias gets the configured definition's version, all traffic.
    for (const config of this.options.stateMachines) {
      if (config.alias !== undefined) {
        this.machines.release(
          stateMachineArn(this.options.region, this.options.accountId, config.name),
          config.alias,
        );
      }
    }
    const report = this.store.load();
    return { ...report, ...this.executions.recover(this.options.onRestart ?? 'resume') };
  }

  /**
   * Stops the engine runs without closing their executions: what they did is
   * already on disk, and the next start() resumes them. In-flight task calls
   * may still finish; their results are not recorded (the step re-runs, idempotently).
   */
  async stop(): Promise<void> {
    await this.executions.shutdown();
    this.started = false;
  }

  async handle(operation: string, input: unknown, _context: AwsRequestContext): Promise<unknown> {
    const answer = this.operations.get(operation);
    if (!answer) {
      throw new AwsServiceError(
        'UnknownOperationException',
        `the local Step Functions service does not implement ${operation}`,
      );
    }
    return answer(input);
  }

  // ---- for local tooling and tests ---------------------------------------

  /** The execution as the service keeps it, or undefined. */
  getExecution(executionArn: string): ExecutionRecord | undefined {
    return this.executions.get(executionArn);
  }

  /** Resolves once the execution is no longer RUNNING (at once if it is not; at stop() with it as it is). */
  whenSettled(executionArn: string): Promise<ExecutionRecord> {
    return this.executions.whenSettled(executionArn);
  }

  /**
   * Deletes a closed execution and its history, as Step Functions does 90 days
   * after it closed (finance/ops tests of an expired history). The name may then be reused.
   */
  forgetExecution(executionArn: string): void {
    this.executions.forget(executionArn);
  }

  // ---- operations -------------------------------------------------------

  private startExecution(input: unknown): { executionArn: string; startDate: number } {
    const request = parseRequest(StartExecutionRequest, input);
    // An alias ARN picks a version by weight; the execution ARN is the state machine's whatever the qualifier.
    const { machine, version, alias } = this.machines.resolveStart(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    assertValidExecutionName(name);
    const inputText = request.input ?? '{}';
    const parsedInput = parseExecutionInput(inputText);
    const arn = executionArn(this.options.region, this.options.accountId, machine.name, name);

    const existing = this.executions.get(arn);
    if (existing) {
      // AWS: same name and same input as a RUNNING execution answers that execution;
      // a closed one, or a different input, is ExecutionAlreadyExists.
      if (existing.status === 'RUNNING' && sameJson(existing.input, inputText)) {
        return { executionArn: arn, startDate: epochSeconds(existing.startDate) };
      }
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    this.assertBelowOpenLimit();
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      ...(version && { stateMachineVersionArn: version.arn }),
      ...(alias && { stateMachineAliasArn: alias.arn }),
      name,
      status: 'RUNNING',
      startDate: this.now(),
      input: inputText,
      redriveCount: 0,
      ...(request.traceHeader !== undefined && { traceHeader: request.traceHeader }),
    };
    // Persisted before answering: an acknowledged StartExecution is never lost.
    this.executions.start(record, parsedInput);
    return { executionArn: arn, startDate: epochSeconds(record.startDate) };
  }

  private describeExecution(input: unknown): Record<string, unknown> {
    const { executionArn } = parseRequest(ExecutionArnRequest, input);
    const record = this.executions.require(executionArn);
    const redrive = this.executions.redriveStatusOf(record);
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      ...qualifiersOf(record),
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
    // An unqualified ARN lists every execution of the machine, whatever version or alias started it;
    // a version or an alias ARN lists those started on it (AWS).
    const scopeArn = request.stateMachineArn;
    const qualified = this.machines.version(scopeArn) ?? this.machines.alias(scopeArn);
    const machine = this.machines.require(qualified?.machineArn ?? scopeArn);
    const matching = this.executions
      .all()
      .filter((record) => record.stateMachineArn === machine.arn)
      .filter(
        (record) =>
          !qualified ||
          record.stateMachineVersionArn === scopeArn ||
          record.stateMachineAliasArn === scopeArn,
      )
      .filter((record) => request.statusFilter === undefined || record.status === request.statusFilter)
      .filter((record) => {
        if (request.redriveFilter === 'REDRIVEN') return record.redriveCount > 0;
        if (request.redriveFilter === 'NOT_REDRIVEN') return record.redriveCount === 0;
        return true;
      })
      // Newest first, as AWS lists them; the ARN breaks ties so pages are stable.
      .sort((a, b) => b.startDate - a.startDate || a.executionArn.localeCompare(b.executionArn));
    const scope = `executions:${scopeArn}:${request.statusFilter ?? ''}:${request.redriveFilter ?? ''}`;
    const { page, nextToken } = paginate(matching, scope, request);
    return {
      executions: page.map((record) => ({
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        ...qualifiersOf(record),
        name: record.name,
        status: record.status,
        startDate: epochSeconds(record.startDate),
        ...(record.stopDate !== undefined && { stopDate: epochSeconds(record.stopDate) }),
        redriveCount: record.redriveCount,
        ...(record.redriveDate !== undefined && { redriveDate: epochSeconds(record.redriveDate) }),
      })),
      ...(nextToken !== undefined && { nextToken }),
    };
  }

  private getExecutionHistory(input: unknown): { events: HistoryEvent[]; nextToken?: string } {
    const request = parseRequest(GetExecutionHistoryRequest, input);
    this.executions.require(request.executionArn);
    const history = this.executions.history(request.executionArn);
    const ordered = request.reverseOrder ? [...history].reverse() : history;
    const scope = `history:${request.executionArn}:${request.reverseOrder ? 'reverse' : 'forward'}`;
    const { page, nextToken } = paginate(ordered, scope, request);
    const events = request.includeExecutionData === false ? page.map(withoutExecutionData) : page;
    return { events, ...(nextToken !== undefined && { nextToken }) };
  }

  private stopExecution(input: unknown): { stopDate: number } {
    const request = parseRequest(StopExecutionRequest, input);
    const record = this.executions.require(request.executionArn);
    if (record.status !== 'RUNNING') {
      // Already closed: nothing to stop; answer its stop date.
      return { stopDate: epochSeconds(record.stopDate ?? this.now()) };
    }
    const stopped = this.executions.stop(record, request.error, request.cause);
    return { stopDate: epochSeconds(stopped.stopDate ?? this.now()) };
  }

  private redriveExecution(input: unknown): { redriveDate: number } {
    const request = parseRequest(RedriveExecutionRequest, input);
    const record = this.executions.require(request.executionArn);
    if (
      request.clientToken !== undefined &&
      request.clientToken === record.redriveClientToken &&
      record.redriveDate !== undefined
    ) {
      // The same RedriveExecution call retried: already done.
      return { redriveDate: epochSeconds(record.redriveDate) };
    }
    const redrivable = this.executions.redriveStatusOf(record);
    if (redrivable.status !== 'REDRIVABLE') {
      throw new AwsServiceError(
        'ExecutionNotRedrivable',
        `Execution Not Redrivable: '${record.executionArn}': ${redrivable.reason ?? 'not redrivable'}`,
      );
    }
    this.assertBelowOpenLimit();
    const redriven = this.executions.redrive(record, request.clientToken);
    return { redriveDate: epochSeconds(redriven.redriveDate ?? this.now()) };
  }

  /** A redriven execution is open again, so StartExecution and RedriveExecution share the limit. */
  private assertBelowOpenLimit(): void {
    const open = this.executions.openCount;
    if (open >= (this.options.maxOpenExecutions ?? DEFAULT_MAX_OPEN_EXECUTIONS)) {
      throw new AwsServiceError(
        'ExecutionLimitExceeded',
        `Execution Limit Exceeded: ${open} executions are open; wait for some to end or stop them`,
      );
    }
  }

  private listStateMachines(input: unknown): { stateMachines: unknown[]; nextToken?: string } {
    const request = parseRequest(ListStateMachinesRequest, input);
    const { page, nextToken } = paginate(this.machines.all(), 'stateMachines', request);
    return {
      stateMachines: page.map((machine) => ({
        stateMachineArn: machine.arn,
        name: machine.name,
        type: 'STANDARD',
        creationDate: epochSeconds(machine.creationDate),
      })),
      ...(nextToken !== undefined && { nextToken }),
    };
  }

  private describeStateMachine(input: unknown): Record<string, unknown> {
    const { stateMachineArn } = parseRequest(DescribeStateMachineRequest, input);
    // A version ARN describes that version (its definition, its description); an unqualified one the latest revision.
    const version = this.machines.version(stateMachineArn);
    const machine = this.machines.require(version?.machineArn ?? stateMachineArn);
    return {
      stateMachineArn: version?.arn ?? machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: (version ?? machine).definition.text,
      roleArn: (version ?? machine).roleArn,
      type: 'STANDARD',
      creationDate: epochSeconds((version ?? machine).creationDate),
      revisionId: (version ?? machine).revisionId,
      ...(version?.description !== undefined && { description: version.description }),
    };
  }

  private describeStateMachineForExecution(input: unknown): Record<string, unknown> {
    const { executionArn } = parseRequest(ExecutionArnRequest, input);
    const record = this.executions.require(executionArn);
    const { machine, definition, roleArn } = this.machines.runnable(record);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      definition: definition.text,
      roleArn,
      updateDate: epochSeconds(machine.updateDate),
      ...qualifiersOf(record),
    };
  }
}

/** The version and alias an execution was started on, as DescribeExecution and ListExecutions report them. */
function qualifiersOf(record: ExecutionRecord): Record<string, string> {
  return {
    ...(record.stateMachineVersionArn !== undefined && {
      stateMachineVersionArn: record.stateMachineVersionArn,
    }),
    ...(record.stateMachineAliasArn !== undefined && { stateMachineAliasArn: record.stateMachineAliasArn }),
  };
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

/** Same JSON value, whatever the key order and whitespace of the two texts. */
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
