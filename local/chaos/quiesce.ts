import type { OpsDeps } from '../../cli/ops/deps';
import { listDlqs, planRedrive, redriveDlq, refuseIntakeRejections } from '../../cli/ops/dlq';
import { listFailedSagas, redriveSagas } from '../../cli/ops/sagas';
import { listRunExecutions, queueDepth } from '../demo/drive';
import type { DemoTarget } from '../demo/target';
import { whileRuntimeRestarts } from './driver';
import { listRefundExecutions, listTopUpExecutions } from './top-up-executions';

export interface QuietState {
  readonly executions: number;
  readonly running: number;
  readonly intakeDepth: number;
  readonly timedOut: boolean;
}

/**
 * Waits until nothing of the run moves: the intake queues empty (visible and
 * in flight: payment, top-up and refund intake), and no
 * execution of the run (payment, top-up or refund saga) RUNNING, three polls in a row.
 */
export async function waitQuiet(
  target: DemoTarget,
  prefix: string,
  whenUp: () => Promise<void>,
  options: { deadline: number; pollMs?: number; onPoll?: (state: QuietState) => void },
): Promise<QuietState> {
  let quiet = 0;
  for (;;) {
    const [payments, topUps, refunds, ...depths] = await whileRuntimeRestarts(
      whenUp,
      () =>
        Promise.all([
          listRunExecutions(target, prefix),
          listTopUpExecutions(target, prefix),
          listRefundExecutions(target, prefix),
          queueDepth(target, 'intake'),
          queueDepth(target, 'topUpIntake'),
          queueDepth(target, 'refundIntake'),
        ]),
      'listing executions',
    );
    const executions = [...payments, ...topUps, ...refunds];
    const running = executions.filter((e) => e.status === 'RUNNING').length;
    const intakeDepth = depths.reduce((sum, depth) => sum + depth, 0);
    const state = { executions: executions.length, running, intakeDepth, timedOut: false };
    options.onPoll?.(state);
    quiet = running === 0 && intakeDepth === 0 ? quiet + 1 : 0;
    if (quiet >= 3) return state;
    if (Date.now() > options.deadline) return { ...state, timedOut: true };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
}

export interface OpsRedriveReport {
  readonly rounds: number;
  readonly sagasRedriven: number;
  readonly sagasRedrivenBy: Record<string, number>;
  readonly sagasNotRedrivable: number;
  readonly dlqMessagesMoved: number;
  /** DLQs ops would not redrive, with the pre-flight's reason. */
  readonly dlqRefused: Record<string, string>;
}

/**
 * What operations would do after an incident, with the functions `payctl
 * sagas` and `payctl dlq` run: redrive every failed saga the pre-flight calls
 * redrivable, and every DLQ the pre-flight lets through; then wait for quiet
 * again. Repeats while there is something to redrive (the redrive policy caps
 * each saga's redrives).
 */
export async function redriveLikeOps(
  deps: OpsDeps,
  target: DemoTarget,
  prefix: string,
  since: Date,
  whenUp: () => Promise<void>,
  options: {
    deadline: number;
    pollMs?: number;
    maxRounds?: number;
    onRound?: (round: number, what: string) => void;
  },
): Promise<OpsRedriveReport> {
  let sagasRedriven = 0;
  let dlqMessagesMoved = 0;
  let sagasNotRedrivable = 0;
  const sagasRedrivenBy: Record<string, number> = {};
  const dlqRefused: Record<string, string> = {};
  let rounds = 0;
  for (let round = 1; round <= (options.maxRounds ?? 4); round++) {
    const failed = (await listFailedSagas(deps, { since })).filter((s) => s.paymentId.startsWith(prefix));
    const redrivable = failed.filter((s) => s.redrivable);
    sagasNotRedrivable = failed.length - redrivable.length;
    const dlqs = (await listDlqs(deps)).filter((d) => d.depth > 0 && d.source !== undefined);
    let moved = 0;
    for (const dlq of dlqs) {
      const plan = await planRedrive(deps, dlq.key);
      try {
        refuseIntakeRejections(plan, false, 'pass --include-rejected');
      } catch (error) {
        dlqRefused[dlq.queue] = error instanceof Error ? error.message : String(error);
        continue;
      }
      const result = await redriveDlq(deps, plan, { pollMs: 500 });
      moved += result.moved;
    }
    if (redrivable.length === 0 && moved === 0) break;
    rounds = round;
    options.onRound?.(round, `${redrivable.length} sagas, ${moved} DLQ messages`);
    dlqMessagesMoved += moved;
    const items = await redriveSagas(deps, redrivable, { wait: true, pollMs: 500, waitTimeoutMs: 300_000 });
    for (const item of items) {
      sagasRedriven++;
      sagasRedrivenBy[item.outcome] = (sagasRedrivenBy[item.outcome] ?? 0) + 1;
    }
    await waitQuiet(target, prefix, whenUp, {
      deadline: options.deadline,
      ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
    });
  }
  return { rounds, sagasRedriven, sagasRedrivenBy, sagasNotRedrivable, dlqMessagesMoved, dlqRefused };
}
