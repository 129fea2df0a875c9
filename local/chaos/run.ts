import { createClients, createContext } from '../../cli/context';
import { createOutput } from '../../cli/output';
import { seedWallets } from '../demo/drive';
import { connectTarget } from '../demo/target';
import { DEFAULT_REGION } from '../edge/request-context';
import { type CheckResult, type RunFacts, runChecks } from './checks';
import { sendChaosPlan } from './driver';
import { collectFacts } from './facts';
import { killDue, killPlan } from './kills';
import { type ChaosPlan, planChaos } from './plan';
import { redriveLikeOps, waitQuiet } from './quiesce';
import { type RefundSending, sendRefundsWhenSucceeded } from './refund-driver';
import type { ChaosSummary } from './report';
import type { ChaosRates, PaymentKind } from './schedule';
import { RuntimeSupervisor } from './supervisor';

export interface ChaosRunOptions {
  readonly payments: number;
  readonly seed: number;
  readonly kills: number;
  readonly dataDir: string;
  readonly rates: ChaosRates;
  /** Multiplies the saga's Retry intervals in the runtime (1 = as deployed). */
  readonly retryScale: number;
  readonly timeoutMs: number;
  readonly reproduce: string;
  readonly onProgress?: (line: string) => void;
}

const count = (record: Record<string, number>, key: string, by = 1) => {
  record[key] = (record[key] ?? 0) + by;
};

/** Gateway kinds that reached the gateway: the payment has a charge there (refund kinds: a refunded one). */
function gatewayFaultsSeen(plan: ChaosPlan, charges: ChaosSummaryInput['charges']) {
  const charged = new Map(charges.map((c) => [c.paymentId, c]));
  const seen: Partial<Record<PaymentKind, number>> = {};
  for (const payment of plan.payments) {
    if (payment.kind === 'approve' || payment.kind === 'declined' || payment.kind === 'walletShort') continue;
    const charge = charged.get(payment.paymentId);
    const refundKind =
      payment.kind === 'refundResponseLost' ||
      payment.kind === 'settleRefused' ||
      payment.kind === 'refundAfterSuccessLost';
    if (charge && (!refundKind || charge.refunded > 0)) seen[payment.kind] = (seen[payment.kind] ?? 0) + 1;
  }
  return seen;
}
type ChaosSummaryInput = { charges: ReadonlyArray<{ paymentId: string | undefined; refunded: number }> };

/** The top-ups sent (per gateway kind) and how they ended (their recorded status, or parked in a DLQ). */
function topUpFigures(plan: ChaosPlan, facts: RunFacts): ChaosSummary['topUps'] {
  const planned: Partial<Record<PaymentKind, number>> = {};
  const outcomes: Record<string, number> = {};
  for (const topUp of plan.topUps) {
    planned[topUp.kind] = (planned[topUp.kind] ?? 0) + 1;
    const outcome = facts.topUpOutcomes.get(topUp.topUpId);
    const parked = (facts.dlq.get(topUp.topUpId) ?? []).length > 0;
    count(
      outcomes,
      outcome === 'SUCCEEDED' || outcome === 'FAILED' || !parked ? (outcome ?? 'no record') : 'in a DLQ',
    );
  }
  return { sent: plan.topUps.length, planned, outcomes };
}

/** The refunds planned, sent (per shape) and how they ended (their recorded status, or refused at intake). */
function refundFigures(plan: ChaosPlan, sending: RefundSending, facts: RunFacts): ChaosSummary['refunds'] {
  const shapes: Record<string, number> = {};
  for (const refund of sending.sent) count(shapes, refund.shape);
  for (const { paymentStatus } of sending.notSent) count(shapes, `not sent (payment ${paymentStatus})`);
  const outcomes: Record<string, number> = {};
  for (const fact of facts.refunds?.refunds.values() ?? []) {
    const why = [fact.reasonCode, fact.failedState && `at ${fact.failedState}`].filter(Boolean).join(' ');
    const ended = fact.status === 'SUCCEEDED' || !why ? fact.status : `${fact.status} (${why})`;
    count(outcomes, ended ?? 'refused at intake');
  }
  return { planned: plan.refunds.length, sent: sending.sent.length, shapes, outcomes };
}

/** Checks of the run itself: it quiesced, and the runtime died only when killed. */
function runHealth(
  quiet: { timedOut: boolean; running: number; intakeDepth: number },
  supervisor: RuntimeSupervisor,
): CheckResult[] {
  const exits = supervisor.unexpectedExits;
  return [
    {
      name: 'quiesced before the deadline',
      ok: !quiet.timedOut,
      violations: quiet.timedOut ? 1 : 0,
      detail: quiet.timedOut ? `${quiet.running} running, intake depth ${quiet.intakeDepth}` : 'yes',
    },
    {
      name: 'the runtime exited only when killed',
      ok: exits.length === 0,
      violations: exits.length,
      detail:
        exits.length === 0
          ? 'yes'
          : exits
              .map((e) => `exit ${e.code ?? e.signal}: ${e.stderr.trim().split('\n').slice(-3).join(' | ')}`)
              .join('; '),
    },
  ];
}

/**
 * The whole chaos run: start the runtime as a child, seed wallets, send the
 * plan while killing the runtime at the schedule's points, quiesce, redrive
 * as operations would, collect the facts and check them.
 */
export async function runChaos(options: ChaosRunOptions): Promise<ChaosSummary> {
  const startedAt = new Date();
  const deadline = startedAt.getTime() + options.timeoutMs;
  const runId = `chaos${options.seed}`;
  const prefix = `${runId}-`;
  const plan = planChaos({ payments: options.payments, seed: options.seed, runId, rates: options.rates });
  const progress = options.onProgress ?? (() => undefined);
  const supervisor = new RuntimeSupervisor({
    dataDir: options.dataDir,
    seed: options.seed,
    rates: options.rates,
    retryScale: options.retryScale,
    onUnexpectedExit: (code, signal, stderr) =>
      progress(`the runtime exited by itself (${code ?? signal}); restarting. Its stderr ends:\n${stderr}`),
  });
  const whenUp = () => supervisor.whenUp();
  // Listing every execution of a big run costs the runtime CPU: poll it less often.
  const pollMs = options.payments >= 2_000 ? 5_000 : 1_000;
  await supervisor.start();
  try {
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    const target = await connectTarget(supervisor.endpoint, DEFAULT_REGION, 'local');
    const deps = createContext(
      { stage: 'local', endpoint: supervisor.endpoint, region: DEFAULT_REGION, yes: true },
      {
        clients: createClients({ endpoint: supervisor.endpoint, region: DEFAULT_REGION }),
        out: createOutput({ json: true, stdout: () => undefined, stderr: () => undefined }),
      },
    );
    progress(`seeding ${plan.wallets.length} wallets`);
    await seedWallets(target, plan);

    // kill -9 at the kill plan's points (kills.ts), restart on the same port and data dir.
    const points = killPlan(options.seed, options.kills);
    let killing: Promise<void> | undefined;
    let sent = 0;
    let refundSending: RefundSending = { sent: [], notSent: [] };
    const monitor = setInterval(() => {
      const next = points[supervisor.kills];
      const due = killDue(next, {
        sent,
        events: plan.stream.length,
        ended: supervisor.outcomes,
        payments: options.payments,
      });
      if (!killing && next && due) {
        progress(
          `kill -9 #${supervisor.kills + 1} while ${next.phase} (${sent} events sent, ${supervisor.outcomes} sagas ended)`,
        );
        killing = supervisor.killAndRestart().finally(() => {
          killing = undefined;
        });
      }
    }, 100);
    const report = setInterval(
      () =>
        progress(
          `sent ${sent}/${plan.stream.length} events, ${supervisor.outcomes}/${options.payments} sagas ended, kills ${supervisor.kills}, faults ${Object.values(supervisor.injected).reduce((a, b) => a + b, 0)}`,
        ),
      5_000,
    );
    try {
      progress(`sending ${plan.stream.length} events (${plan.topUps.length} top-ups)`);
      await sendChaosPlan(target, plan, whenUp, {
        onSent: (n) => {
          sent = n;
        },
      });
      progress(`sending ${plan.refunds.length} refunds as their payments succeed`);
      refundSending = await sendRefundsWhenSucceeded(target, plan.refunds, whenUp, {
        prefix,
        deadline,
        pollMs,
      });
      for (;;) {
        await waitQuiet(target, prefix, whenUp, { deadline, pollMs });
        if (killing) await killing;
        if (supervisor.kills >= points.length || Date.now() > deadline) break;
        // Everything ended before the next kill point: kill now, so the restart still meets recovery work.
        progress(`kill -9 #${supervisor.kills + 1} at quiet`);
        await supervisor.killAndRestart();
      }
    } finally {
      clearInterval(monitor);
      clearInterval(report);
    }
    const quiet = await waitQuiet(target, prefix, whenUp, { deadline, pollMs });
    progress(`quiet: ${quiet.executions} executions; redriving as operations would`);
    const redrive = await redriveLikeOps(deps, target, prefix, startedAt, whenUp, {
      deadline,
      pollMs,
      onRound: (round, what) => progress(`ops redrive round ${round}: ${what}`),
    });
    const endedAt = new Date();
    progress('collecting facts and checking');
    // Sagas whose step died before saving its result, and that met no fault meant to stop a saga.
    const crashedBeforeRecord = [...supervisor.faultsByPayment]
      .filter(([, kinds]) => kinds.has('crashBeforeRecord') && !kinds.has('crashNotRetried'))
      .map(([paymentId]) => paymentId);
    const facts = await collectFacts(
      target,
      deps,
      prefix,
      { startedAt, now: new Date() },
      crashedBeforeRecord,
      plan.topUps.map((t) => t.topUpId),
      refundSending.sent,
    );
    const checks = runChecks(
      {
        payments: plan.payments,
        topUps: plan.topUps,
        malformed: plan.malformed,
        intakeDlq: target.names.queues.intakeDlq,
        crashedBeforeRecord,
        refunds: refundSending.sent,
      },
      facts,
    );
    const all = [...checks, ...runHealth(quiet, supervisor)];
    const sagas: Record<string, number> = {};
    for (const status of facts.executions.values()) count(sagas, status);
    const dlq: Record<string, number> = {};
    for (const entries of facts.dlq.values()) for (const entry of entries) count(dlq, entry.queue);
    const planned: Partial<Record<PaymentKind, number>> = {};
    for (const payment of plan.payments) planned[payment.kind] = (planned[payment.kind] ?? 0) + 1;
    const wallMs = endedAt.getTime() - startedAt.getTime();
    const byName = (name: string) => checks.find((c) => c.name.startsWith(name));
    return {
      ok: all.every((c) => c.ok),
      seed: options.seed,
      reproduce: options.reproduce,
      payments: options.payments,
      events: plan.stream.length,
      planned,
      injected: {
        ...gatewayFaultsSeen(plan, facts.charges),
        ...supervisor.injected,
        duplicateEvent: plan.duplicates,
        reorderedEvent: plan.reordered,
        malformedEvent: plan.malformed.length,
        kill9: supervisor.kills,
      },
      kills: supervisor.kills,
      restarts: supervisor.restarts,
      sagas,
      dlq,
      redrive,
      topUps: topUpFigures(plan, facts),
      refunds: refundFigures(plan, refundSending, facts),
      lost: byName('lost')?.violations ?? 0,
      refundsLost: byName('refunds lost')?.violations ?? 0,
      refundDoublePosts: byName('refund double posts')?.violations ?? 0,
      topUpsLost: byName('top-ups lost')?.violations ?? 0,
      topUpDoubleCharges: byName('top-up double charges')?.violations ?? 0,
      doubleCharges: byName('double charges')?.violations ?? 0,
      unreleasedHolds: byName('unreleased holds')?.violations ?? 0,
      moneyConserved: checks.filter((c) => c.name.startsWith('money conserved')).every((c) => c.ok),
      reconciliation: byName('reconciliation')?.ok ? 'clean' : 'discrepancies',
      wallMs,
      sagasPerSecond: Math.round((facts.executions.size / Math.max(1, wallMs / 1000)) * 10) / 10,
      checks: all,
    };
  } finally {
    await supervisor.stop();
  }
}
