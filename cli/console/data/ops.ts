import type { OpsActionOutcome } from '../../../events/ops.v1';
import { CliError } from '../../errors';
import { recordOpsAction } from '../../ops/audit';
import type { OpsDeps } from '../../ops/deps';
import {
  describeRedriveResult,
  planRedrive,
  redriveDlq,
  redriveOutcome,
  refuseIntakeRejections,
} from '../../ops/dlq';
import { clip } from '../../ops/format';
import { DEFAULT_MAX_REDRIVES, inspectSaga, type RedriveItem, redriveSagas } from '../../ops/sagas';
import type { ActionResult } from '../api-types';

/**
 * The console's two actions, through the operations functions payctl uses
 * (planRedrive/redriveDlq, inspectSaga/redriveSagas) and the same audit
 * records: action, target, count, outcome and message composed as
 * `payctl dlq redrive` and `payctl sagas redrive` compose them.
 */

type Audit = Parameters<typeof recordOpsAction>[1];

async function audit(deps: OpsDeps, action: Audit): Promise<{ auditId: string; warning?: string }> {
  const recorded = await recordOpsAction(deps, action);
  return {
    auditId: recorded.entry.auditId,
    ...(!recorded.published && {
      warning: `audit record stored, but OpsActionPerformed was not published (${recorded.publishError})`,
    }),
  };
}

/** What a DLQ redrive would move: the confirmation dialog shows it. */
export { planRedrive };

export async function redriveDlqAudited(
  deps: OpsDeps,
  key: Parameters<typeof planRedrive>[1],
  options: { includeRejected: boolean },
): Promise<ActionResult> {
  const plan = await planRedrive(deps, key);
  refuseIntakeRejections(plan, options.includeRejected, 'tick "also move intake rejections"');
  if (plan.toMove === 0) return { ok: true, summary: `${plan.queue} is empty: nothing to redrive` };
  const target = `${plan.queue} -> ${plan.destination}`;
  let result: Awaited<ReturnType<typeof redriveDlq>>;
  try {
    result = await redriveDlq(deps, plan, { pollMs: 250 });
  } catch (error) {
    await audit(deps, {
      action: 'dlq.redrive',
      target,
      count: 0,
      outcome: 'failed',
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
  const outcome = redriveOutcome(result);
  const recorded = await audit(deps, {
    action: 'dlq.redrive',
    target,
    count: result.moved,
    outcome,
    ...(result.failureReason !== undefined && { message: result.failureReason }),
  });
  return {
    ok: outcome === 'succeeded',
    summary: describeRedriveResult(result),
    detail: {
      auditId: recorded.auditId,
      moved: result.moved,
      ...(recorded.warning && { warning: recorded.warning }),
    },
  };
}

/** Redrives one saga after the same pre-flight as `payctl sagas redrive <paymentId> --no-wait`. */
export async function redriveSagaAudited(deps: OpsDeps, paymentId: string): Promise<ActionResult> {
  const saga = await inspectSaga(deps, { paymentId }, { maxRedrives: DEFAULT_MAX_REDRIVES });
  if (!saga.redrivable) throw new CliError(`not redriving ${saga.paymentId}: ${saga.verdict}`);
  let items: RedriveItem[];
  try {
    items = await redriveSagas(deps, [saga], { wait: false });
  } catch (error) {
    await audit(deps, {
      action: 'sagas.redrive',
      target: saga.executionArn,
      count: 0,
      outcome: 'failed',
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
  const count = (outcome: RedriveItem['outcome']) => items.filter((i) => i.outcome === outcome).length;
  const redriven = items.length - count('not_redriven');
  const outcome: OpsActionOutcome = redriven === 1 ? 'succeeded' : 'failed';
  const recorded = await audit(deps, {
    action: 'sagas.redrive',
    target: saga.executionArn,
    count: redriven,
    outcome,
    message: clip(
      `succeeded ${count('succeeded')}, failed again ${count('failed_again')}, still running ${count('still_running')}, not redriven ${count('not_redriven')}, skipped 0; payments: ${items.map((i) => `${i.paymentId}=${i.outcome}`).join(' ')}`,
      2000,
    ),
  });
  const item = items[0];
  return {
    ok: outcome === 'succeeded',
    summary: `${paymentId}: ${item?.outcome ?? 'not_redriven'}${item?.detail ? ` (${clip(item.detail, 200)})` : ''}`,
    detail: { auditId: recorded.auditId, ...(recorded.warning && { warning: recorded.warning }) },
  };
}
