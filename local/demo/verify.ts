import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  GetExecutionHistoryCommand,
} from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SAGA_STATES } from '../../core/config/names';
import { checkLedgerInvariants, LedgerReader, type Wallet } from '../../core/ledger';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import type { SandboxCharge } from '../sandbox-gateway/server';
import { type DemoPlan, INTENTS, isValidIntent, type PlannedRequest } from './plan';
import type { DemoTarget } from './target';

export const DEMO_DLQS = ['intakeDlq', 'intakeRuleDlq', 'notificationDlq', 'compensationDlq'] as const;
export type DemoDlq = (typeof DEMO_DLQS)[number];

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  /** What disagreed (first few ids), or the figures that agreed. */
  readonly detail: string;
}

export interface DemoSummary {
  readonly runId: string;
  readonly sent: {
    readonly events: number;
    readonly payments: number;
    readonly duplicates: number;
    readonly malformed: number;
    readonly cardNumber: number;
  };
  readonly sagas: {
    readonly started: number;
    readonly succeeded: number;
    /** Failed sagas by error name (the Fail state's error). */
    readonly failedByReason: Record<string, number>;
    /** Failed sagas whose compensations ran (hold released, charge refunded). */
    readonly compensated: number;
    /** Sagas that failed at Charge after their retries with the hold kept, awaiting RedriveExecution. */
    readonly holdsKeptForRedrive: number;
    readonly stillRunning: number;
  };
  readonly duplicatesSuppressed: number;
  /** Messages added to each DLQ during the run. */
  readonly dlq: Record<DemoDlq, number>;
  readonly gateway: { readonly charges: number; readonly live: number; readonly refunded: number };
  readonly ledger: {
    readonly ok: boolean;
    readonly settledMinor: Record<string, number>;
    readonly heldMinor: Record<string, number>;
  };
  readonly timing: {
    readonly sendMs: number;
    readonly totalMs: number;
    readonly sagasPerSecond: number;
    readonly latencyP50Ms: number;
    readonly latencyP99Ms: number;
  };
  readonly checks: readonly Check[];
}

export interface Observations {
  readonly executions: readonly ExecutionListItem[];
  readonly timedOut: boolean;
  readonly acceptedAt: ReadonlyMap<string, number>;
  readonly dlqBefore: Record<DemoDlq, number>;
  readonly dlqAfter: Record<DemoDlq, number>;
  readonly startedAt: number;
  readonly sentAt: number;
  readonly endedAt: number;
}

interface SagaFacts {
  readonly status: string;
  readonly error: string | undefined;
  readonly compensated: boolean;
  readonly failedAtCharge: boolean;
  readonly stopMs: number | undefined;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i] as T);
      }
    }),
  );
  return results;
}

/** The business failure an execution that ended in `Failed` (a Succeed-type state) carries in its output. */
function businessErrorOf(output: string | undefined): string | undefined {
  try {
    return (JSON.parse(output ?? '{}') as { error?: { Error?: string } }).error?.Error;
  } catch {
    return undefined;
  }
}

/**
 * Ended sagas: their payment's outcome (a business failure ends the execution SUCCEEDED, in the state
 * Failed), its error and which compensations ran, from DescribeExecution and the history.
 */
async function sagaFacts(target: DemoTarget, executions: readonly ExecutionListItem[]) {
  const facts = new Map<string, SagaFacts>();
  const failed = executions.filter((e) => e.status !== 'RUNNING');
  for (const e of executions) {
    facts.set(e.name ?? '', {
      status: e.status ?? 'UNKNOWN',
      error: undefined,
      compensated: false,
      failedAtCharge: false,
      stopMs: e.stopDate?.getTime(),
    });
  }
  await mapLimit(failed, 8, async (e) => {
    const arn = e.executionArn as string;
    const [described, history] = await Promise.all([
      target.clients.sfn.send(new DescribeExecutionCommand({ executionArn: arn })),
      target.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 })),
    ]);
    const exited = (history.events ?? []).flatMap((event) => event.stateExitedEventDetails?.name ?? []);
    const entered = (history.events ?? []).flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
    const business = described.status === 'SUCCEEDED' && entered.at(-1) === SAGA_STATES.failed;
    facts.set(e.name ?? '', {
      status: business ? 'FAILED' : (described.status ?? 'UNKNOWN'),
      error: business ? businessErrorOf(described.output) : described.error,
      compensated: exited.includes(SAGA_STATES.releaseFunds) || exited.includes(SAGA_STATES.refundCharge),
      // Retries exhausted at Charge: the execution fails in the Task itself, no Fail state entered.
      failedAtCharge: entered.at(-1) === SAGA_STATES.charge && !exited.includes(SAGA_STATES.charge),
      stopMs: described.stopDate?.getTime(),
    });
  });
  return facts;
}

/**
 * Why intake parked these paymentIds, from their messages in the intake DLQ
 * (received with a 1 s visibility timeout, so they are back for operations at once).
 */
async function rejectionReasons(target: DemoTarget, paymentIds: Set<string>): Promise<Map<string, string>> {
  const reasons = new Map<string, string>();
  const seen = new Set<string>();
  for (let round = 0; round < 50 && reasons.size < paymentIds.size; round++) {
    const { Messages = [] } = await target.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: target.queueUrls.intakeDlq,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId as string);
      const id = message.MessageAttributes?.paymentId?.StringValue;
      if (id && paymentIds.has(id)) reasons.set(id, message.MessageAttributes?.reason?.StringValue ?? '?');
    }
  }
  return reasons;
}

const count = <K extends string>(map: Record<K, number>, key: K) => {
  map[key] = (map[key] ?? 0) + 1;
};

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const firstFew = (ids: readonly string[]) =>
  `${ids.slice(0, 5).join(', ')}${ids.length > 5 ? `, … (${ids.length})` : ''}`;

function check(name: string, bad: readonly string[], okDetail: string, what = 'disagree'): Check {
  return bad.length === 0
    ? { name, ok: true, detail: okDetail }
    : { name, ok: false, detail: `${bad.length} ${what}: ${firstFew(bad)}` };
}

/** What the request's intent predicts for its saga, compared with what happened; undefined when they agree. */
function mismatch(request: PlannedRequest, saga: SagaFacts | undefined): string | undefined {
  const expect = INTENTS[request.intent].expect;
  if (!saga) return `${request.paymentId} (${request.intent}): no saga`;
  if (expect === 'SUCCEEDED')
    return saga.status === 'SUCCEEDED'
      ? undefined
      : `${request.paymentId} (${request.intent}): ${saga.status} ${saga.error ?? ''}`;
  if (saga.status === 'FAILED' && saga.error === expect) return undefined;
  return `${request.paymentId} (${request.intent}): expected FAILED ${expect}, got ${saga.status} ${saga.error ?? ''}`;
}

/**
 * Collects what the runtime reports about the run — executions, the sandbox's
 * charges, the ledger, the DLQs — and checks them against each other and
 * against the plan. Any failed check means the summary cannot be trusted.
 */
export async function verifyRun(
  target: DemoTarget,
  plan: DemoPlan,
  seen: Observations,
): Promise<DemoSummary> {
  const valid = plan.requests.filter((r) => isValidIntent(r.intent));
  const rejected = plan.requests.filter((r) => !isValidIntent(r.intent));
  const validIds = new Set(valid.map((r) => r.paymentId));
  const runIds = new Set(plan.requests.map((r) => r.paymentId));
  const facts = await sagaFacts(target, seen.executions);
  // Wallet first: the split Reserve recorded on each payment (the wallet part w, the gateway part g).
  const payments = new DynamoPaymentLog(target.clients.documents, target.names.tables.payments);
  const splitOf = new Map<string, { w: number; g: number }>();
  await mapLimit([...validIds], 8, async (id) => {
    const record = await payments.get(id);
    if (record?.walletAmount !== undefined && record.gatewayAmount !== undefined)
      splitOf.set(id, { w: record.walletAmount, g: record.gatewayAmount });
  });
  const cardPart = (r: PlannedRequest) => splitOf.get(r.paymentId)?.g ?? r.amount;
  const walletPart = (r: PlannedRequest) => splitOf.get(r.paymentId)?.w ?? r.amount;

  const charges = (await target.gateway.listCharges()).filter((c) => c.paymentId && runIds.has(c.paymentId));
  const chargesOf = new Map<string, SandboxCharge[]>();
  for (const c of charges)
    chargesOf.set(c.paymentId as string, [...(chargesOf.get(c.paymentId as string) ?? []), c]);
  const live = (c: SandboxCharge) => c.refunded < c.amount;

  const reader = new LedgerReader(target.clients.documents, target.names.tables.ledger);
  const snapshot = await reader.snapshotOf(
    plan.wallets.map((w) => w.walletId),
    valid.map((r) => r.paymentId),
    plan.wallets.map((w) => w.depositId),
  );
  const invariants = checkLedgerInvariants(snapshot);
  const walletOf = new Map<string, Wallet>(snapshot.wallets.map((w) => [w.walletId, w]));

  // Sagas, by outcome.
  const failedByReason: Record<string, number> = {};
  let succeeded = 0;
  let compensated = 0;
  let holdsKept = 0;
  let running = 0;
  for (const id of validIds) {
    const saga = facts.get(id);
    if (!saga) continue;
    if (saga.status === 'SUCCEEDED') succeeded++;
    else if (saga.status === 'RUNNING') running++;
    else {
      count(failedByReason, saga.error ?? saga.status);
      if (saga.compensated) compensated++;
      if (saga.failedAtCharge) holdsKept++;
    }
  }

  // Checks.
  const missingIds = valid.filter((r) => !facts.has(r.paymentId)).map((r) => r.paymentId);
  const reasons = missingIds.length > 0 ? await rejectionReasons(target, new Set(missingIds)) : new Map();
  const missing = missingIds.map((id) =>
    reasons.has(id) ? `${id} (rejected by intake: ${reasons.get(id)})` : id,
  );
  const startedRejected = rejected.filter((r) => facts.has(r.paymentId)).map((r) => r.paymentId);
  const strangers = seen.executions.filter((e) => !runIds.has(e.name ?? '')).map((e) => e.name ?? '?');
  const notEnded = [...facts].filter(([, f]) => f.status === 'RUNNING').map(([id]) => id);
  const unexpected = valid.flatMap((r) =>
    facts.has(r.paymentId) ? (mismatch(r, facts.get(r.paymentId)) ?? []) : [],
  );
  const chargedTwice = [...chargesOf].filter(([, list]) => list.length > 1).map(([id]) => id);
  const liveCharges = charges.filter(live);
  const succeededWithoutCharge = valid
    .filter((r) => facts.get(r.paymentId)?.status === 'SUCCEEDED')
    .filter((r) => {
      const list = (chargesOf.get(r.paymentId) ?? []).filter(live);
      if (cardPart(r) === 0) return list.length !== 0;
      return list.length !== 1 || list[0]?.amount !== cardPart(r) || list[0]?.currency !== r.currency;
    })
    .map((r) => r.paymentId);
  const succeededWithCardPart = valid.filter(
    (r) => facts.get(r.paymentId)?.status === 'SUCCEEDED' && cardPart(r) > 0,
  ).length;
  const failedWithCharge = valid
    .filter((r) => {
      const status = facts.get(r.paymentId)?.status;
      return status !== 'SUCCEEDED' && (chargesOf.get(r.paymentId) ?? []).some(live);
    })
    .map((r) => r.paymentId);
  const ledgerDisagrees = valid.flatMap((r) => {
    const saga = facts.get(r.paymentId);
    const hold = walletOf.get(r.walletId)?.holds[r.paymentId];
    if (!saga) return [];
    // A payment the card paid in full held nothing.
    if (saga.status === 'SUCCEEDED')
      return walletPart(r) === 0
        ? hold === undefined
          ? []
          : [`${r.paymentId}: succeeded by card alone, hold ${hold.state}`]
        : hold?.state === 'POSTED' && hold.captured === walletPart(r)
          ? []
          : [`${r.paymentId}: succeeded, hold ${hold?.state ?? 'none'}`];
    if (saga.failedAtCharge)
      return hold?.state === (walletPart(r) === 0 ? undefined : 'PENDING')
        ? []
        : [`${r.paymentId}: kept for redrive, hold ${hold?.state ?? 'none'}`];
    if (saga.error === 'InsufficientFundsError')
      return hold === undefined || hold.amount === 0
        ? []
        : [`${r.paymentId}: refused at Reserve, hold ${hold.state}`];
    return hold === undefined || hold.state === 'VOIDED' || hold.state === 'REFUNDED'
      ? []
      : [`${r.paymentId}: failed (${saga.error}), hold ${hold.state}`];
  });
  const settledMinor: Record<string, number> = {};
  const heldMinor: Record<string, number> = {};
  const balanceOff = plan.wallets.flatMap((seed) => {
    const wallet = walletOf.get(seed.walletId);
    if (!wallet) return [`${seed.walletId}: missing`];
    const captured = Object.values(wallet.holds).reduce(
      (sum, h) => sum + (h.state === 'POSTED' ? (h.captured ?? 0) : 0),
      0,
    );
    settledMinor[seed.currency] = (settledMinor[seed.currency] ?? 0) + captured;
    heldMinor[seed.currency] = (heldMinor[seed.currency] ?? 0) + wallet.held;
    const total = wallet.available + wallet.held + captured;
    return total === seed.deposit
      ? []
      : [`${seed.walletId}: available+held+settled ${total} != deposited ${seed.deposit}`];
  });
  const dlq = Object.fromEntries(DEMO_DLQS.map((k) => [k, seen.dlqAfter[k] - seen.dlqBefore[k]])) as Record<
    DemoDlq,
    number
  >;
  const duplicates = plan.sendOrder.length - plan.requests.length;
  const duplicatedIds = valid.filter((r) => r.duplicated).map((r) => r.paymentId);
  const suppressed = duplicatedIds.filter(
    (id) => facts.has(id) && (chargesOf.get(id)?.length ?? 0) <= 1,
  ).length;

  const checks: Check[] = [
    check(
      'every valid request started one saga',
      missing,
      `${validIds.size} sagas for ${validIds.size} payments`,
      'valid requests without a saga',
    ),
    check('no rejected request started a saga', startedRejected, `${rejected.length} rejected, none started`),
    check('no saga of another producer was counted', strangers, 'run ids are unique'),
    check(
      'every saga ended',
      seen.timedOut ? [...notEnded, '(timed out)'] : notEnded,
      'all terminal',
      'still running',
    ),
    check(
      'each saga ended as its request predicts',
      unexpected,
      'declines, short wallets and faults as planned',
    ),
    {
      name: 'the intake DLQ holds every rejected request',
      ok: dlq.intakeDlq === rejected.length,
      detail: `${dlq.intakeDlq} new in ${target.names.queues.intakeDlq}, ${rejected.length} rejected requests sent${dlq.intakeDlq > rejected.length ? ' (valid requests were rejected, or another producer shares the runtime)' : ''}`,
    },
    check(
      'no payment charged twice at the gateway',
      chargedTwice,
      `${charges.length} charges for ${chargesOf.size} payments`,
    ),
    {
      name: 'succeeded sagas with a card part == gateway charges not refunded',
      ok: succeededWithCardPart === liveCharges.length,
      detail: `${succeeded} succeeded (${succeededWithCardPart} with a card part), ${liveCharges.length} live charges`,
    },
    check(
      'each succeeded payment has one live charge of its card part (none when the wallet paid it all)',
      succeededWithoutCharge,
      `${succeeded} matched`,
    ),
    check('no failed payment keeps a charge', failedWithCharge, 'none', 'failed payments still charged'),
    {
      name: 'money is conserved (ledger invariants)',
      ok: invariants.ok,
      detail: invariants.ok
        ? `journal sums to 0 in ${Object.keys(invariants.totalsByCurrency).join(', ') || 'every currency'}`
        : firstFew(invariants.violations),
    },
    check(
      'the ledger agrees with each saga',
      ledgerDisagrees,
      'holds posted, released or kept as the sagas say',
    ),
    check(
      'every wallet: available + held + settled == deposited',
      balanceOff,
      `${plan.wallets.length} wallets balance`,
    ),
    check(
      'duplicates suppressed (one saga, at most one charge)',
      duplicatedIds.filter((id) => !(facts.has(id) && (chargesOf.get(id)?.length ?? 0) <= 1)),
      `${suppressed} of ${duplicatedIds.length}`,
    ),
  ];

  const latencies = valid
    .flatMap((r) => {
      const stop = facts.get(r.paymentId)?.stopMs;
      const accepted = seen.acceptedAt.get(r.paymentId);
      return stop !== undefined && accepted !== undefined ? [stop - accepted] : [];
    })
    .sort((a, b) => a - b);
  const lastStop = Math.max(seen.sentAt, ...[...facts.values()].map((f) => f.stopMs ?? 0));
  const totalMs = Math.max(1, lastStop - seen.startedAt);
  return {
    runId: plan.runId,
    sent: {
      events: plan.sendOrder.length,
      payments: validIds.size,
      duplicates,
      malformed: rejected.filter((r) => r.intent === 'malformed').length,
      cardNumber: rejected.filter((r) => r.intent === 'cardNumber').length,
    },
    sagas: {
      started: [...facts.keys()].filter((id) => validIds.has(id)).length,
      succeeded,
      failedByReason,
      compensated,
      holdsKeptForRedrive: holdsKept,
      stillRunning: running,
    },
    duplicatesSuppressed: suppressed,
    dlq,
    gateway: {
      charges: charges.length,
      live: liveCharges.length,
      refunded: charges.length - liveCharges.length,
    },
    ledger: { ok: invariants.ok, settledMinor, heldMinor },
    timing: {
      sendMs: seen.sentAt - seen.startedAt,
      totalMs,
      sagasPerSecond: Math.round((facts.size / totalMs) * 10_000) / 10,
      latencyP50Ms: percentile(latencies, 50),
      latencyP99Ms: percentile(latencies, 99),
    },
    checks,
  };
}
