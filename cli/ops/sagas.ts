import { randomUUID } from 'node:crypto';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
} from '../../core/aws/sfn';
import { REDRIVE_WINDOW_MS } from '../../core/config/executions';
import { SAGA_STATES } from '../../core/config/names';
import { redactPans } from '../../core/pan';
import { PaymentsRepository } from '../../core/payments/repository';
import { UsageError } from '../errors';
import { executionArnFor, paymentIdOf, type SagaRef } from './args';
import type { OpsDeps } from './deps';

/**
 * Our policy: a saga redriven this many times without succeeding needs a person
 * to find the cause, not another redrive (override with --max-redrives).
 */
export const DEFAULT_MAX_REDRIVES = 3;

/**
 * Describe + history calls in flight at once when listing: an outage fails
 * hundreds of sagas, and one call at a time would take minutes; more would
 * meet Step Functions' API throttling (the SDK retries it anyway).
 */
const DESCRIBE_CONCURRENCY = 8;

async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const UNSUCCESSFUL: readonly ExecutionStatus[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];
/** Terminal states an execution ends in by design; `Failed` was a Fail state before it became a Succeed state. */
const ENDED_IN_FAIL_STATE: ReadonlySet<string> = new Set([
  SAGA_STATES.compensationFailed,
  SAGA_STATES.failed,
]);

export interface RedriveVerdict {
  readonly redrivable: boolean;
  /** Why not, or what a redrive will do. */
  readonly reason: string;
}

export interface SagaFacts {
  readonly status: string;
  readonly failedState: string | undefined;
  readonly stopDate: Date | undefined;
  readonly redriveCount: number;
  readonly redriveStatus: string | undefined;
  readonly redriveStatusReason: string | undefined;
}

/**
 * The pre-flight check of a redrive. Step Functions would redrive an execution
 * that ended in our Fail states, but it would fail there again: `Failed` is a
 * business failure already compensated, `CompensationFailed` is parked in the
 * compensation DLQ for a person.
 */
export function redriveVerdict(
  facts: SagaFacts,
  now: Date,
  maxRedrives: number = DEFAULT_MAX_REDRIVES,
): RedriveVerdict {
  // Before the status: a business failure ends in Failed, a Succeed-type state (a Fail state before).
  if (facts.failedState === SAGA_STATES.failed) {
    return {
      redrivable: false,
      reason:
        'a business failure (declined, insufficient funds, invalid), already compensated: a redrive would fail again; the payment needs a new request',
    };
  }
  if (!UNSUCCESSFUL.includes(facts.status as ExecutionStatus)) {
    return {
      redrivable: false,
      reason: `the saga is ${facts.status}: only failed, timed-out or aborted sagas are redriven`,
    };
  }
  if (facts.failedState === SAGA_STATES.compensationFailed) {
    return {
      redrivable: false,
      reason:
        'a compensation failed and is parked in the compensation DLQ: resolve it by hand (payctl dlq peek compensation-dlq)',
    };
  }
  if (facts.stopDate && now.getTime() - facts.stopDate.getTime() > REDRIVE_WINDOW_MS) {
    return {
      redrivable: false,
      reason: 'stopped more than 14 days ago: Step Functions no longer redrives it',
    };
  }
  if (facts.redriveStatus !== undefined && facts.redriveStatus !== 'REDRIVABLE') {
    return {
      redrivable: false,
      reason: `Step Functions says ${facts.redriveStatus}${facts.redriveStatusReason ? `: ${facts.redriveStatusReason}` : ''}`,
    };
  }
  if (facts.redriveCount >= maxRedrives) {
    return {
      redrivable: false,
      reason: `already redriven ${facts.redriveCount} times (policy: at most ${maxRedrives}): find the cause first, then pass --max-redrives ${facts.redriveCount + 1}`,
    };
  }
  return {
    redrivable: true,
    reason: `re-runs ${facts.failedState ?? 'the failed state'} with its recorded input`,
  };
}

export interface SagaSummary {
  readonly paymentId: string;
  readonly executionArn: string;
  readonly status: string;
  readonly failedState: string | undefined;
  readonly error: string | undefined;
  readonly cause: string | undefined;
  readonly startedAt: string | undefined;
  readonly stoppedAt: string | undefined;
  /** Seconds since it stopped (or started, while running). */
  readonly ageSeconds: number;
  readonly redriveCount: number;
  readonly redriveStatus: string | undefined;
  readonly redriveStatusReason: string | undefined;
  readonly redrivable: boolean;
  readonly verdict: string;
}

/** A Lambda error's cause is JSON text with a stack trace: keep its message; never show card data. */
export function readableCause(cause: string | undefined): string | undefined {
  if (cause === undefined) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return redactPans(parsed.errorMessage);
  } catch {
    // not JSON
  }
  return redactPans(cause);
}

/** The last state the execution entered: where it failed, or where it is while running. */
async function lastStateEntered(deps: OpsDeps, executionArn: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await deps.clients.sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 100,
        includeExecutionData: false,
        nextToken,
      }),
    );
    const entered = page.events?.find((event) => event.stateEnteredEventDetails?.name);
    if (entered) return entered.stateEnteredEventDetails?.name;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

async function describe(deps: OpsDeps, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  try {
    return await deps.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) {
      throw new UsageError(
        `no saga for payment ${paymentIdOf(executionArn)} on stage ${deps.stage} (${executionArn} does not exist): check the paymentId and --stage; executions are kept 90 days after they end`,
      );
    }
    throw error;
  }
}

async function summarize(
  deps: OpsDeps,
  described: DescribeExecutionCommandOutput,
  now: Date,
  maxRedrives: number,
): Promise<SagaSummary> {
  const executionArn = described.executionArn ?? '';
  const failedState = await lastStateEntered(deps, executionArn);
  const facts: SagaFacts = {
    status: described.status ?? 'UNKNOWN',
    failedState,
    stopDate: described.stopDate,
    redriveCount: described.redriveCount ?? 0,
    redriveStatus: described.redriveStatus,
    redriveStatusReason: described.redriveStatusReason,
  };
  const verdict = redriveVerdict(facts, now, maxRedrives);
  const since = described.stopDate ?? described.startDate;
  return {
    paymentId: described.name ?? paymentIdOf(executionArn),
    executionArn,
    status: facts.status,
    failedState,
    error: described.error,
    cause: readableCause(described.cause),
    startedAt: described.startDate?.toISOString(),
    stoppedAt: described.stopDate?.toISOString(),
    ageSeconds: since ? Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000)) : 0,
    redriveCount: facts.redriveCount,
    redriveStatus: facts.redriveStatus,
    redriveStatusReason: facts.redriveStatusReason,
    redrivable: verdict.redrivable,
    verdict: verdict.reason,
  };
}

export interface FailedSagasQuery {
  /** Stopped at or after this time. */
  readonly since: Date;
  /** Only this error name (case-insensitive), e.g. GatewayUnavailableError, States.Timeout. */
  readonly error?: string;
  readonly maxRedrives?: number;
  readonly now?: Date;
}

/**
 * Sagas that stopped since `since` (failed at a step, timed out or aborted), newest first, each with
 * its verdict. Sagas that ended in our Fail state (CompensationFailed: parked in the compensation DLQ,
 * listed by `payctl dlq`) did not stop: they ended. A business failure ends in `Failed`, a Succeed-type
 * state, and is not a failed execution at all.
 */
export async function listFailedSagas(deps: OpsDeps, query: FailedSagasQuery): Promise<SagaSummary[]> {
  const stateMachineArn = await deps.stateMachineArn();
  const now = query.now ?? new Date();
  const arns: string[] = [];
  for (const statusFilter of UNSUCCESSFUL) {
    let nextToken: string | undefined;
    do {
      const page = await deps.clients.sfn.send(
        new ListExecutionsCommand({ stateMachineArn, statusFilter, maxResults: 100, nextToken }),
      );
      for (const execution of page.executions ?? []) {
        const stopped = execution.stopDate ?? execution.startDate;
        if (execution.executionArn && stopped && stopped >= query.since) arns.push(execution.executionArn);
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  const maxRedrives = query.maxRedrives ?? DEFAULT_MAX_REDRIVES;
  const summaries = await mapConcurrently(arns, DESCRIBE_CONCURRENCY, async (arn) => {
    const described = await describe(deps, arn);
    if (query.error && described.error?.toLowerCase() !== query.error.toLowerCase()) return undefined;
    return summarize(deps, described, now, maxRedrives);
  });
  return summaries
    .filter((s): s is SagaSummary => s !== undefined && !ENDED_IN_FAIL_STATE.has(s.failedState ?? ''))
    .sort((a, b) => (b.stoppedAt ?? '').localeCompare(a.stoppedAt ?? ''));
}

export async function resolveExecutionArn(deps: OpsDeps, ref: SagaRef): Promise<string> {
  return 'executionArn' in ref
    ? ref.executionArn
    : executionArnFor(await deps.stateMachineArn(), ref.paymentId);
}

/** One saga's summary and pre-flight verdict; a saga that does not exist is a usage error. */
export async function inspectSaga(
  deps: OpsDeps,
  ref: SagaRef,
  options: { maxRedrives?: number; now?: Date } = {},
): Promise<SagaSummary> {
  const described = await describe(deps, await resolveExecutionArn(deps, ref));
  return summarize(deps, described, options.now ?? new Date(), options.maxRedrives ?? DEFAULT_MAX_REDRIVES);
}

export interface SagaDetails extends SagaSummary {
  /** The state it is in while running; where it failed otherwise (as failedState). */
  readonly currentState: string | undefined;
  readonly payment:
    | {
        readonly status: string;
        readonly amount: number;
        readonly currency: string;
        readonly exponent: number;
      }
    | undefined;
  readonly links: { readonly console?: string; readonly history: string };
}

/** The endpoint the clients talk to (--endpoint or AWS_ENDPOINT_URL), for the commands we print. */
async function endpointOf(deps: OpsDeps): Promise<string> {
  const endpoint = await deps.clients.sfn.config.endpoint?.();
  if (!endpoint) return process.env.AWS_ENDPOINT_URL ?? '';
  return `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path === '/' ? '' : endpoint.path}`;
}

/** `sagas show`: status, current or failed state, the payment record's status, where to read the history. */
export async function showSaga(deps: OpsDeps, paymentId: string): Promise<SagaDetails> {
  const summary = await inspectSaga(deps, { paymentId });
  const payments = new PaymentsRepository(deps.clients.doc, deps.names.tables.payments);
  const payment = await payments.get(paymentId).catch(() => undefined);
  const region = await deps.clients.sfn.config.region();
  const endpoint = deps.local ? ` --endpoint-url ${await endpointOf(deps)}` : '';
  return {
    ...summary,
    currentState: summary.status === 'RUNNING' ? summary.failedState : undefined,
    failedState:
      summary.status === 'RUNNING' || summary.status === 'SUCCEEDED' ? undefined : summary.failedState,
    payment: payment && {
      status: payment.status,
      amount: payment.amount,
      currency: payment.currency,
      exponent: payment.exponent,
    },
    links: {
      ...(!deps.local && {
        console: `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${summary.executionArn}`,
      }),
      history: `aws stepfunctions get-execution-history --execution-arn ${summary.executionArn} --region ${region}${endpoint}`,
    },
  };
}

/**
 * succeeded; compensated: it ended at the Fail state `Failed` (a business
 * failure such as a decline, compensated: resolved, nothing left stuck);
 * failed_again: stuck again at a task; still_running; not_redriven: refused.
 */
export type RedriveItemOutcome =
  | 'succeeded'
  | 'compensated'
  | 'failed_again'
  | 'still_running'
  | 'not_redriven';

export interface RedriveItem {
  readonly paymentId: string;
  readonly executionArn: string;
  readonly outcome: RedriveItemOutcome;
  /** The final status after the redrive, or why it was not redriven. */
  readonly detail: string;
}

export interface RedriveOptions {
  /** Wait for each redriven saga to end (default true) and report how it ended. */
  readonly wait?: boolean;
  readonly waitTimeoutMs?: number;
  readonly pollMs?: number;
  readonly onProgress?: (done: number, total: number, item?: RedriveItem) => void;
}

/**
 * RedriveExecution for sagas that passed the pre-flight (the caller checked
 * `redrivable`), with a client token per call so an SDK retry does not redrive
 * twice; then waits for them to end.
 */
export async function redriveSagas(
  deps: OpsDeps,
  sagas: readonly SagaSummary[],
  options: RedriveOptions = {},
): Promise<RedriveItem[]> {
  const items: RedriveItem[] = [];
  const started: SagaSummary[] = [];
  for (const saga of sagas) {
    try {
      await deps.clients.sfn.send(
        new RedriveExecutionCommand({ executionArn: saga.executionArn, clientToken: randomUUID() }),
      );
      started.push(saga);
    } catch (error) {
      const item: RedriveItem = {
        paymentId: saga.paymentId,
        executionArn: saga.executionArn,
        outcome: 'not_redriven',
        detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
      items.push(item);
      options.onProgress?.(items.length, sagas.length, item);
    }
  }
  const deadline = Date.now() + (options.waitTimeoutMs ?? 300_000);
  let pending = [...started];
  while (pending.length > 0) {
    const still: SagaSummary[] = [];
    await mapConcurrently(pending, DESCRIBE_CONCURRENCY, async (saga) => {
      const described = await deps.clients.sfn.send(
        new DescribeExecutionCommand({ executionArn: saga.executionArn }),
      );
      const status = described.status ?? 'UNKNOWN';
      const waiting = options.wait !== false && status === 'RUNNING' && Date.now() < deadline;
      if (waiting) {
        still.push(saga);
        return;
      }
      const endedAt = status === 'RUNNING' ? undefined : await lastStateEntered(deps, saga.executionArn);
      const item: RedriveItem = {
        paymentId: saga.paymentId,
        executionArn: saga.executionArn,
        // A business failure ends in Failed, a Succeed-type state: the execution succeeded, the payment did not.
        outcome:
          endedAt === SAGA_STATES.failed
            ? 'compensated'
            : status === 'SUCCEEDED'
              ? 'succeeded'
              : status === 'RUNNING'
                ? 'still_running'
                : 'failed_again',
        detail:
          status === 'RUNNING' || status === 'SUCCEEDED'
            ? status
            : `${status} at ${endedAt ?? '?'}: ${described.error ?? ''} ${readableCause(described.cause) ?? ''}`.trim(),
      };
      items.push(item);
      options.onProgress?.(items.length, sagas.length, item);
    });
    pending = still;
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
  return items;
}
