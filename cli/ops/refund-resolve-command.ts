import type { Command } from 'commander';
import type { RefundResolveAction, RefundResolvePlan } from '../../core/refunds/resolve';
import type { CliContext } from '../context';
import { CliError, EXIT, UsageError } from '../errors';
import { planRefundResolve, resolveRefund } from './actions/resolve-refund';
import { parsePaymentId } from './args';

/**
 * `payctl payments resolve-refund <paymentId> <refundId> --finish | --release`:
 * a refund the refund saga parked (NEEDS_ATTENTION, compensation DLQ kind
 * refund-compensation) is finished or released after showing what the gateway
 * and the ledger hold (cli/ops/actions/resolve-refund.ts does it).
 */

interface Options {
  readonly finish: boolean;
  readonly release: boolean;
  readonly reason?: string;
  readonly dryRun: boolean;
}

function actionOf(options: Options): RefundResolveAction {
  if (options.finish === options.release) {
    throw new UsageError(
      'say how to resolve it: one of --finish (refund and post) or --release (give it back)',
    );
  }
  return options.finish ? 'finish' : 'release';
}

function parseRefundId(id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(id)) {
    throw new UsageError(
      `refundId ${JSON.stringify(id.slice(0, 80))} is not one: 1-64 letters, digits, "-" or "_"`,
    );
  }
  return id;
}

function printPlan(ctx: CliContext, plan: RefundResolvePlan): void {
  const line = (label: string, value: string) => ctx.out.line(`${label.padEnd(10)}${value}`);
  line('refund', `${plan.refundId} of ${plan.paymentId}: ${plan.status}`);
  line('amount', `${plan.amount} minor units (card ${plan.gatewayAmount}, wallet ${plan.walletAmount})`);
  line('gateway', plan.gateway);
  line('ledger', plan.ledger);
  if (plan.steps.length > 0) {
    ctx.out.line();
    ctx.out.line(`${plan.action} will:`);
    for (const [i, step] of plan.steps.entries()) ctx.out.line(`  ${i + 1}. ${step}`);
  }
}

async function run(ctx: CliContext, pid: string, rid: string, options: Options): Promise<void> {
  const paymentId = parsePaymentId(pid);
  const refundId = parseRefundId(rid);
  const request = {
    action: actionOf(options),
    ...(options.reason !== undefined && { reason: options.reason }),
  };
  const plan = await planRefundResolve(ctx, paymentId, refundId, request);
  if (plan.refusal) {
    if (!ctx.out.json) printPlan(ctx, plan);
    throw new CliError(`not resolving: ${plan.refusal}`);
  }
  if (options.dryRun) {
    ctx.out.result({ dryRun: true, plan }, () => {
      printPlan(ctx, plan);
      ctx.out.line('dry run: nothing changed');
    });
    return;
  }
  if (!ctx.out.json) printPlan(ctx, plan);
  if (!(await ctx.confirm(`Resolve refund ${refundId} of ${paymentId} (${request.action}) as listed?`))) {
    throw new CliError('not confirmed: nothing was changed', EXIT.failure);
  }
  const resolved = await resolveRefund(ctx, paymentId, refundId, request);
  const { audit } = resolved;
  ctx.out.result(
    {
      paymentId,
      refundId,
      action: request.action,
      recorded: resolved.recorded,
      ...resolved.done,
      dlqMessagesDeleted: resolved.dlqMessagesDeleted,
      ...(audit.auditId && { auditId: audit.auditId }),
    },
    () => {
      const { done } = resolved;
      ctx.out.line(
        done.release
          ? `released: ${done.release.released} minor units are refundable again; the refund is FAILED`
          : `refunded: card ${done.reserve.gatewayAmount}${done.gatewayRefund?.gatewayRefundId ? ` (${done.gatewayRefund.gatewayRefundId})` : ''}, wallet ${done.reserve.walletAmount}; reversal ${done.reversal?.entryId}; the refund is SUCCEEDED`,
      );
      ctx.out.line(`compensation DLQ: ${resolved.dlqMessagesDeleted} message(s) deleted`);
      if (audit.auditId) ctx.out.line(`audit ${audit.auditId}`);
    },
  );
  if (audit.warning) ctx.out.note(`warning: ${audit.warning}`);
  if (audit.problem) {
    ctx.out.note(`error: ${audit.problem}`);
    throw new CliError(audit.problem, EXIT.partial);
  }
}

export function registerRefundResolveCommand(payments: Command, context: () => CliContext): void {
  payments
    .command('resolve-refund <paymentId> <refundId>')
    .description(
      'finish (refund at the gateway and post the reversal) or release a refund parked NEEDS_ATTENTION; shows the gateway and ledger state first, asks, audits (refunds.resolve)',
    )
    .option('--finish', "refund the card part (the refund saga's key) and post the ledger reversal", false)
    .option(
      '--release',
      'give the reserved amount back; refused when the gateway refunded or the reversal is posted',
      false,
    )
    .option('--reason <text>', 'why (kept on the refund and in the audit record)')
    .option('--dry-run', 'show the state and what it would do; change nothing', false)
    .action((pid: string, rid: string, options: Options) => run(context(), pid, rid, options));
}
