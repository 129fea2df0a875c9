import type { Command } from 'commander';
import { type Currency, formatMoney, fromMajorUnits, InvalidMoneyError } from '../../core/money';
import type { RefundRecord } from '../../core/refunds/record';
import type { CliContext } from '../context';
import { CliError, EXIT, UsageError } from '../errors';
import type { RegisterCommands } from '../registry';
import {
  planRefund,
  type RefundPlan,
  refundExitCode,
  refundPayment,
  waitForRefund,
} from './actions/refund-payment';
import { parsePaymentId, parsePositiveInt } from './args';
import { paymentsGroup } from './resolve-command';

/**
 * `payctl payments refund <paymentId> [--amount 7.50] --reason "..." [--refund-id <id>]`:
 * shows what would be refunded (card part / wallet part by the split policy,
 * what is still refundable), asks, requests the refund as one audited action
 * (cli/ops/actions/refund-payment.ts), then waits for the refund saga's
 * outcome (--no-wait to skip) and prints it.
 */

interface RefundOptions {
  readonly amount?: string;
  readonly reason: string;
  readonly refundId?: string;
  readonly wait: boolean;
  readonly waitSeconds: string;
}

const DEFAULT_WAIT_SECONDS = '120';

function printPlan(ctx: CliContext, plan: RefundPlan): void {
  const money = (minor: number) => formatMoney(minor, plan.currency as Currency);
  const line = (label: string, value: string) => ctx.out.line(`${label.padEnd(12)}${value}`);
  line('payment', `${plan.paymentId}  ${plan.status}  captured ${money(plan.split.captured)}`);
  line(
    'sources',
    `card ${money(plan.split.gatewayAmount)}, wallet ${money(plan.split.walletAmount)}${plan.split.legacy ? ' (recorded before the split: read in the old model)' : ''}`,
  );
  line(
    'refundable',
    `${money(plan.refundable.total)} (card ${money(plan.refundable.gateway)}, wallet ${money(plan.refundable.wallet)})`,
  );
  if (plan.parts) {
    line(
      'refund',
      `${money(plan.amount)}: card part ${money(plan.parts.gatewayAmount)} (back through the gateway), wallet part ${money(plan.parts.walletAmount)} (back to the wallet)`,
    );
  }
}

function printOutcome(ctx: CliContext, record: RefundRecord): void {
  const money = (minor: number | undefined) =>
    minor === undefined ? '' : formatMoney(minor, record.currency as Currency);
  ctx.out.table(
    [record],
    [
      { header: 'REFUND', value: (r) => r.refundId },
      { header: 'STATUS', value: (r) => r.status },
      { header: 'AMOUNT', value: (r) => money(r.amount ?? r.requestedAmount), align: 'right' },
      { header: 'CARD', value: (r) => money(r.gatewayAmount), align: 'right' },
      { header: 'WALLET', value: (r) => money(r.walletAmount), align: 'right' },
      { header: 'GATEWAY REFUND', value: (r) => r.gatewayRefundId ?? '' },
      { header: 'REASON', value: (r) => (r.failureReason ? `${r.reasonCode}: ${r.failureReason}` : '') },
    ],
  );
}

function amountOf(text: string | undefined, currency: string): number | undefined {
  if (text === undefined) return undefined;
  try {
    return fromMajorUnits(text, currency as Currency);
  } catch (error) {
    if (error instanceof InvalidMoneyError) throw new UsageError(`--amount: ${error.message}`);
    throw error;
  }
}

async function refund(ctx: CliContext, id: string, options: RefundOptions): Promise<void> {
  const paymentId = parsePaymentId(id);
  const waitSeconds = parsePositiveInt('--wait-seconds', options.waitSeconds, 3_600);
  const first = await planRefund(ctx, paymentId);
  const amount = amountOf(options.amount, first.currency);
  const plan = amount === undefined ? first : await planRefund(ctx, paymentId, amount);
  if (!ctx.out.json) printPlan(ctx, plan);
  // A refusal is still one audited action: refundPayment records it and throws what to do.
  const question = `Refund ${formatMoney(plan.amount, plan.currency as Currency)} of ${paymentId} as listed?`;
  if (plan.parts && !(await ctx.confirm(question))) {
    throw new CliError('not confirmed: nothing was changed', EXIT.failure);
  }
  const { result, audit } = await refundPayment(
    ctx,
    {
      paymentId,
      reason: options.reason,
      ...(amount !== undefined && { amount }),
      ...(options.refundId !== undefined && { refundId: options.refundId }),
    },
    'payctl',
  );
  if (!ctx.out.json) {
    ctx.out.line(
      `${result.replayed ? 'already requested' : 'requested'}: refund ${result.refundId} of ${paymentId} (${result.status})${audit.auditId ? `; audit ${audit.auditId}` : ''}`,
    );
  }
  if (audit.warning) ctx.out.note(`warning: ${audit.warning}`);
  if (audit.problem) ctx.out.note(`error: ${audit.problem}`);
  const record = options.wait
    ? await waitForRefund(ctx, paymentId, result.refundId, {
        timeoutMs: waitSeconds * 1_000,
        onStatus: (r) => ctx.out.note(`refund ${r.refundId}: ${r.status}`),
      })
    : undefined;
  ctx.out.result(
    { ...result, ...(audit.auditId && { auditId: audit.auditId }), ...(record && { refund: record }) },
    () => {
      if (record) printOutcome(ctx, record);
      else
        ctx.out.line(
          `not waiting: the refund saga goes on; to follow it, run the same command again with --refund-id ${result.refundId} (same --amount and --reason), or see the payment's page in payctl console`,
        );
    },
  );
  if (audit.problem) throw new CliError(audit.problem, EXIT.partial);
  if (!options.wait) return;
  if (!record || !['SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'].includes(record.status)) {
    throw new CliError(
      `refund ${result.refundId} has not ended within ${waitSeconds}s (${record?.status ?? 'no record'}): it goes on; ask again with the same --refund-id to follow it`,
    );
  }
  const code = refundExitCode(record);
  if (code !== EXIT.ok) {
    throw new CliError(
      record.status === 'NEEDS_ATTENTION'
        ? `refund ${result.refundId} needs attention (${record.failedState ?? ''}: ${record.failureReason ?? ''}): see the compensation DLQ and the runbook`
        : `refund ${result.refundId} failed: ${record.reasonCode ?? ''} ${record.failureReason ?? ''}; nothing was refunded`,
      code,
    );
  }
}

/** `payctl payments refund`. */
export const registerRefundCommand: RegisterCommands = (program: Command, context) => {
  paymentsGroup(program)
    .command('refund <paymentId>')
    .description(
      'refund a SUCCEEDED payment in full or in part (card part first, then the wallet): shows the split and what is still refundable, asks, audits (payments.refund), then waits for the refund saga',
    )
    .option(
      '--amount <amount>',
      "amount in the payment's currency, e.g. 7.50 (default: everything still refundable)",
    )
    .requiredOption('--reason <text>', 'why (kept on the refund and in the audit record)')
    .option('--refund-id <id>', 'the refund id: repeating it never refunds twice (default: a new one)')
    .option('--no-wait', 'do not wait for the outcome')
    .option('--wait-seconds <n>', 'how long to wait for the outcome', DEFAULT_WAIT_SECONDS)
    .action((id: string, options: RefundOptions) => refund(context(), id, options));
};
