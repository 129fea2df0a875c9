import type { Command } from 'commander';
import {
  RESOLUTION_OUTCOMES,
  type ResolutionAction,
  type ResolutionOutcome,
} from '../../core/payments/records';
import type { CliContext } from '../context';
import { CliError, EXIT, UsageError } from '../errors';
import type { RegisterCommands } from '../registry';
import { planResolve, resolvePayment } from './actions/resolve-payment';
import { parsePaymentId } from './args';
import { registerRefundCommand } from './refund-command';
import { registerRefundResolveCommand } from './refund-resolve-command';
import type { ResolvePlan } from './resolve-plan';

/**
 * `payctl payments resolve <paymentId> --refund | --release | --mark-resolved
 * --reason "..."`: finishes a compensation the saga parked in the
 * compensation DLQ, after showing what the gateway and the ledger hold and
 * what it will do (cli/ops/actions/resolve-payment.ts does it).
 */

/** The `payments` group: found if another group (e.g. `payments refund`) made it first, else made here. */
export function paymentsGroup(program: Command): Command {
  return (
    program.commands.find((command) => command.name() === 'payments') ??
    program.command('payments').description('one payment: resolve a parked compensation, ...')
  );
}

interface ResolveOptions {
  readonly refund: boolean;
  readonly release: boolean;
  readonly markResolved: boolean;
  readonly reason?: string;
  readonly outcome?: string;
  readonly dryRun: boolean;
}

function outcomeOf(options: ResolveOptions): ResolutionOutcome | undefined {
  if (options.outcome === undefined) return undefined;
  const outcome = RESOLUTION_OUTCOMES.find((o) => o === options.outcome);
  if (!outcome) throw new UsageError(`--outcome: one of ${RESOLUTION_OUTCOMES.join(', ')}`);
  return outcome;
}

function actionOf(options: ResolveOptions): ResolutionAction {
  const chosen = [
    options.refund && ('refund' as const),
    options.release && ('release' as const),
    options.markResolved && ('mark_resolved' as const),
  ].filter((a): a is ResolutionAction => Boolean(a));
  const [action] = chosen;
  if (chosen.length !== 1 || !action) {
    throw new UsageError('say how to resolve it: one of --refund, --release, --mark-resolved --reason "..."');
  }
  return action;
}

export function printPlan(ctx: CliContext, plan: ResolvePlan): void {
  const line = (label: string, value: string) => ctx.out.line(`${`${label}`.padEnd(10)}${value}`);
  line('payment', `${plan.paymentId}  ${plan.amount}  ${plan.walletId} -> ${plan.merchantId}`);
  line(
    'status',
    `${plan.status}${plan.failedState ? ` at ${plan.failedState}` : ''}${plan.reason ? `: ${plan.reason}` : ''}`,
  );
  line(
    'dlq',
    `${plan.dlq.messages} compensation DLQ message(s)${plan.dlq.error ? ` (${plan.dlq.error})` : ''}`,
  );
  line(
    'gateway',
    `charge ${plan.gateway.charge}; refunds: ${plan.gateway.refunds.length > 0 ? plan.gateway.refunds.join(', ') : 'none'}`,
  );
  line('ledger', `hold ${plan.ledger.hold}`);
  line(
    'merchant',
    plan.merchant.outcome
      ? `told payment.${plan.merchant.outcome}: ${plan.merchant.basis}`
      : `not decided: ${plan.merchant.basis}`,
  );
  if (plan.alreadyResolved) {
    const r = plan.alreadyResolved;
    line('resolved', `${r.action} by ${r.by} at ${r.at}${r.reason ? `: ${r.reason}` : ''}`);
  }
  if (plan.steps.length > 0) {
    ctx.out.line();
    ctx.out.line(`${plan.action} will:`);
    for (const [i, step] of plan.steps.entries()) ctx.out.line(`  ${i + 1}. ${step}`);
  }
}

async function resolve(ctx: CliContext, id: string, options: ResolveOptions): Promise<void> {
  const paymentId = parsePaymentId(id);
  const action = actionOf(options);
  const outcome = outcomeOf(options);
  const request = {
    action,
    ...(options.reason !== undefined && { reason: options.reason }),
    ...(outcome && { outcome }),
  };
  const plan = await planResolve(ctx, paymentId, request);
  if (plan.refusal) {
    if (!ctx.out.json) printPlan(ctx, plan);
    throw new CliError(`not resolving: ${plan.refusal}`);
  }
  if (plan.alreadyResolved && plan.steps.length === 0) {
    const r = plan.alreadyResolved;
    ctx.out.result({ plan, alreadyResolved: true }, () => {
      printPlan(ctx, plan);
      ctx.out.line(`${paymentId} was resolved already (${r.action} by ${r.by} at ${r.at}): nothing to do`);
    });
    return;
  }
  if (options.dryRun) {
    ctx.out.result({ dryRun: true, plan }, () => {
      printPlan(ctx, plan);
      ctx.out.line('dry run: nothing changed');
    });
    return;
  }
  if (!ctx.out.json) printPlan(ctx, plan);
  if (!(await ctx.confirm(`Resolve ${paymentId} (${action}, payment.${plan.merchant.outcome}) as listed?`))) {
    throw new CliError('not confirmed: nothing was changed', EXIT.failure);
  }
  const resolved = await resolvePayment(ctx, paymentId, request);
  const { result, audit } = resolved;
  ctx.out.result({ ...result, ...(audit?.auditId && { auditId: audit.auditId }) }, () => {
    if (result.refund) {
      ctx.out.line(
        result.refund.refundId
          ? `refunded: ${result.refund.refundId} (${result.refund.status})${result.refund.ledgerReversed ? ', settlement reversed in the ledger' : ''}`
          : 'refund: nothing charged at the gateway',
      );
    }
    if (result.release) ctx.out.line(`release: ${result.release.outcome}`);
    if (result.notified) {
      ctx.out.line(`merchant: ${result.notified.kind} queued (${result.notified.notificationId})`);
    }
    ctx.out.line(`compensation DLQ: ${result.dlqMessagesDeleted} message(s) deleted`);
    const r = result.resolution;
    ctx.out.line(
      result.alreadyResolved
        ? `${paymentId} was resolved already${r ? ` (${r.action} by ${r.by} at ${r.at})` : ''}`
        : `resolved ${paymentId} (${action}) by ${r?.by}${audit?.auditId ? `; audit ${audit.auditId}` : ''}`,
    );
  });
  if (audit?.warning) ctx.out.note(`warning: ${audit.warning}`);
  if (audit?.problem) {
    ctx.out.note(`error: ${audit.problem}`);
    throw new CliError(audit.problem, EXIT.partial);
  }
}

/** `payctl payments resolve` and `payctl payments refund` (cli/ops/refund-command.ts). */
export const registerPaymentsCommands: RegisterCommands = (program, context) => {
  registerRefundCommand(program, context);
  registerRefundResolveCommand(paymentsGroup(program), context);
  paymentsGroup(program)
    .command('resolve <paymentId>')
    .description(
      "finish a compensation parked in the compensation DLQ: refund (then release), release, or mark it resolved; shows the gateway and ledger state and what the merchant is told first, asks, queues the merchant's payment.succeeded / payment.failed, audits (payments.resolve)",
    )
    .option(
      '--refund',
      "refund the charge (the saga's RefundCharge, key refund:<paymentId>), then release the hold",
      false,
    )
    .option('--release', "release the hold (the saga's ReleaseFunds); refused while a charge stands", false)
    .option('--mark-resolved', 'move no money: record that it was resolved elsewhere (needs --reason)', false)
    .option('--reason <text>', 'why / how it was resolved (kept on the payment and in the audit record)')
    .option(
      '--outcome <outcome>',
      'what the merchant is told: succeeded (the charge stands and is kept, settled by hand) or failed (the money was given back); needed by --mark-resolved while money stands taken, refused when it contradicts the gateway or the ledger (--refund / --release: failed)',
    )
    .option('--dry-run', 'show the state and what it would do; change nothing', false)
    .action((id: string, options: ResolveOptions) => resolve(context(), id, options));
};
