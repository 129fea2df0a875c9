import { CliError } from '../../errors';
import type { AuditNote } from '../../ops/actions/audited';
import { redriveDlqAction } from '../../ops/actions/redrive-dlq';
import { redriveSagasAction } from '../../ops/actions/redrive-sagas';
import { planResolve, resolvePayment } from '../../ops/actions/resolve-payment';
import { planRefundResolve, resolveRefund } from '../../ops/actions/resolve-refund';
import type { OpsDeps } from '../../ops/deps';
import { describeRedriveResult, planRedrive, refuseIntakeRejections } from '../../ops/dlq';
import { clip } from '../../ops/format';
import type { ResolvePlan } from '../../ops/resolve-plan';
import { DEFAULT_MAX_REDRIVES, inspectSaga } from '../../ops/sagas';
import type { ActionResult } from '../api-types';
import type { ResolveRefundRequestBody, ResolveRequestBody } from './port';

/**
 * The console's actions: the same audited-action functions payctl calls
 * (cli/ops/actions: redriveDlqAction, redriveSagasAction, resolvePayment,
 * resolveRefund, adjustWallet), after the same pre-flight; this file only turns their
 * results into the console's ActionResult.
 */

/** The audit note as the console shows it; no record at all is an error (the action stands: say so). */
function auditDetail(note: AuditNote | undefined): Record<string, string> {
  if (note?.problem) throw new CliError(note.problem);
  return {
    ...(note?.auditId && { auditId: note.auditId }),
    ...(note?.warning && { warning: note.warning }),
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
  const { result, outcome, audit } = await redriveDlqAction(deps, plan, { pollMs: 250 });
  return {
    ok: outcome === 'succeeded',
    summary: describeRedriveResult(result),
    detail: { ...auditDetail(audit), moved: result.moved },
  };
}

/** Redrives one saga after the same pre-flight as `payctl sagas redrive <paymentId> --no-wait`. */
export async function redriveSagaAudited(deps: OpsDeps, paymentId: string): Promise<ActionResult> {
  const saga = await inspectSaga(deps, { paymentId }, { maxRedrives: DEFAULT_MAX_REDRIVES });
  if (!saga.redrivable) throw new CliError(`not redriving ${saga.paymentId}: ${saga.verdict}`);
  const { result, outcome, audit } = await redriveSagasAction(
    deps,
    { ready: [saga], skipped: 0, target: saga.executionArn },
    { wait: false },
  );
  const item = result.items[0];
  return {
    ok: outcome === 'succeeded',
    summary: `${paymentId}: ${item?.outcome ?? 'not_redriven'}${item?.detail ? ` (${clip(item.detail, 200)})` : ''}`,
    detail: auditDetail(audit),
  };
}

/** `payctl payments resolve --dry-run`: the state and what resolving would do (the dialog shows it). */
export function planResolveFor(
  deps: OpsDeps,
  paymentId: string,
  request: ResolveRequestBody,
): Promise<ResolvePlan> {
  return planResolve(deps, paymentId, request);
}

/** `payctl payments resolve --yes`: the same function, the same audit record (payments.resolve). */
export async function resolvePaymentAudited(
  deps: OpsDeps,
  paymentId: string,
  request: ResolveRequestBody,
): Promise<ActionResult> {
  const { result, audit } = await resolvePayment(deps, paymentId, request);
  const r = result.resolution;
  const did = [
    result.refund &&
      (result.refund.refundId ? `refunded ${result.refund.refundId}` : 'nothing charged: no refund'),
    result.release && `release ${result.release.outcome}`,
    result.notified && `${result.notified.kind} queued for the merchant`,
    `${result.dlqMessagesDeleted} DLQ message(s) deleted`,
  ].filter(Boolean);
  return {
    ok: true,
    summary: result.alreadyResolved
      ? `${paymentId} was resolved already${r ? ` (${r.action} by ${r.by} at ${r.at})` : ''}: nothing to do`
      : `resolved ${paymentId} (${result.action}): ${did.join(', ')}`,
    detail: {
      ...auditDetail(audit),
      alreadyResolved: result.alreadyResolved,
      dlqMessagesDeleted: result.dlqMessagesDeleted,
      ...(result.refund?.refundId && { refundId: result.refund.refundId }),
      ...(result.notified && { merchantEvent: result.notified.kind }),
    },
  };
}

const refundRequest = ({ action, reason }: ResolveRefundRequestBody) => ({
  action,
  ...(reason !== undefined && { reason }),
});

/** `payctl payments resolve-refund --dry-run`: the refund's state and what resolving would do (the dialog shows it). */
export function planResolveRefundFor(deps: OpsDeps, paymentId: string, request: ResolveRefundRequestBody) {
  return planRefundResolve(deps, paymentId, request.refundId, refundRequest(request));
}

/** `payctl payments resolve-refund --yes`: the same function, the same audit record (refunds.resolve). */
export async function resolveRefundAudited(
  deps: OpsDeps,
  paymentId: string,
  request: ResolveRefundRequestBody,
): Promise<ActionResult> {
  const { refundId } = request;
  const resolved = await resolveRefund(deps, paymentId, refundId, refundRequest(request));
  const { done, recorded, dlqMessagesDeleted, audit } = resolved;
  const did = done.release
    ? `released (${done.release.released})`
    : `refunded ${done.reserve.amount} minor units (card ${done.reserve.gatewayAmount}, wallet ${done.reserve.walletAmount})`;
  return {
    ok: true,
    summary: recorded
      ? `resolved refund ${refundId} of ${paymentId} (${request.action}): ${did}, ${dlqMessagesDeleted} DLQ message(s) deleted`
      : `refund ${refundId} of ${paymentId} was resolved already (${request.action}): announced again, ${dlqMessagesDeleted} DLQ message(s) deleted`,
    detail: { ...auditDetail(audit), recorded, dlqMessagesDeleted },
  };
}
