import { type Command, Option } from 'commander';
import { csvRecord } from '../../core/finance/csv';
import {
  type Currency,
  formatMoney,
  fromMajorUnits,
  InvalidMoneyError,
  toMajorUnits,
} from '../../core/money';
import type { StatementLine } from '../../core/wallets/contract';
import type { CliContext } from '../context';
import { CliError, EXIT, UsageError } from '../errors';
import type { RegisterCommands } from '../registry';
import { adjustWallet, instantArg, parseWalletId, showWallet, statementLines } from './wallets';

export const STATEMENT_FORMATS = ['table', 'csv', 'json'] as const;
type StatementFormat = (typeof STATEMENT_FORMATS)[number];

/** Raw stdout: a statement streams line by line instead of going through a buffered document. */
const stdout = (text: string) => {
  process.stdout.write(text);
};

const major = (minor: number, currency: string) => toMajorUnits(minor, currency as Currency);
const refOf = (line: StatementLine) => line.paymentId ?? line.topUpId ?? line.adjustmentId ?? '';

const CSV_HEADER = [
  'at',
  'type',
  'amount',
  'currency',
  'balance_after',
  'payment_id',
  'top_up_id',
  'adjustment_id',
  'entry_id',
];

function registerShow(wallets: Command, context: () => CliContext): void {
  wallets
    .command('show <walletId>')
    .description('balance: available and held, and the open holds with their paymentIds')
    .action(async (id: string) => {
      const ctx = context();
      const wallet = await showWallet(ctx, parseWalletId(id));
      const money = (minor: number) => formatMoney(minor, wallet.currency as Currency);
      ctx.out.result(wallet, () => {
        ctx.out.line(`Wallet    ${wallet.walletId}  ${wallet.currency} (exponent ${wallet.exponent})`);
        ctx.out.line(`Owner     ${wallet.ownerClientId ?? '(opened outside the front door)'}`);
        ctx.out.line(`Available ${money(wallet.available)}`);
        ctx.out.line(`Held      ${money(wallet.held)}  in ${wallet.holds.length} open hold(s)`);
        ctx.out.line(`As of     ${wallet.asOf}`);
        ctx.out.line();
        ctx.out.table(wallet.holds, [
          { header: 'PAYMENT', value: (h) => h.paymentId },
          { header: 'AMOUNT', value: (h) => major(h.amount, wallet.currency), align: 'right' },
          { header: 'RESERVED', value: (h) => h.reservedAt },
          { header: 'EXPIRES', value: (h) => h.expiresAt },
        ]);
      });
    });
}

function registerStatement(wallets: Command, context: () => CliContext): void {
  wallets
    .command('statement <walletId>')
    .description(
      "the wallet's journal lines, newest first: type, amount, balance after, paymentId/topUpId/adjustmentId",
    )
    .option('--from <time>', 'first day (yyyy-mm-dd, UTC) or ISO-8601 time, inclusive')
    .option('--to <time>', 'last day (yyyy-mm-dd, UTC) or ISO-8601 time, inclusive')
    .addOption(new Option('--format <format>', 'output format').choices(STATEMENT_FORMATS).default('table'))
    .action(async (id: string, options: { from?: string; to?: string; format: StatementFormat }) => {
      const ctx = context();
      const walletId = parseWalletId(id);
      const from = instantArg('--from', options.from, 'start');
      const to = instantArg('--to', options.to, 'end');
      const format: StatementFormat = ctx.out.json ? 'json' : options.format;
      const lines = statementLines(ctx, walletId, { ...(from && { from }), ...(to && { to }) });
      let count = 0;
      if (format === 'csv') stdout(csvRecord(CSV_HEADER));
      if (format === 'json') stdout('[');
      for await (const { line, currency } of lines) {
        if (format === 'csv') {
          stdout(
            csvRecord([
              line.at,
              line.type,
              major(line.amount, currency),
              currency,
              major(line.balanceAfter, currency),
              line.paymentId,
              line.topUpId,
              line.adjustmentId,
              line.entryId,
            ]),
          );
        } else if (format === 'json') {
          stdout(`${count === 0 ? '\n' : ',\n'}${JSON.stringify({ ...line, currency })}`);
        } else {
          if (count === 0)
            stdout(
              `${'AT'.padEnd(24)}  ${'TYPE'.padEnd(10)}  ${'AMOUNT'.padStart(14)}  ${'BALANCE'.padStart(14)}  REF\n`,
            );
          stdout(
            `${line.at.padEnd(24)}  ${line.type.padEnd(10)}  ${major(line.amount, currency).padStart(14)}  ${major(line.balanceAfter, currency).padStart(14)}  ${refOf(line)}\n`,
          );
        }
        count += 1;
      }
      if (format === 'json') stdout(count === 0 ? ']\n' : '\n]\n');
      if (format === 'table' && count === 0) stdout('(none)\n');
      ctx.out.note(`${count} line(s)`);
    });
}

function registerAdjust(wallets: Command, context: () => CliContext): void {
  wallets
    .command('adjust <walletId>')
    .description(
      'a manual credit (positive amount) or debit (negative) against the adjustments account, audited (wallets.adjust)',
    )
    .requiredOption('--amount <amount>', "signed amount in the wallet's currency, e.g. 12.50 or -3.00")
    .requiredOption('--reason <text>', 'why (kept in the ledger and the audit record)')
    .option('--id <adjustmentId>', 'the adjustment id: repeating it never adjusts twice (default: a new one)')
    .action(async (id: string, options: { amount: string; reason: string; id?: string }) => {
      const ctx = context();
      const walletId = parseWalletId(id);
      const wallet = await showWallet(ctx, walletId);
      const currency = wallet.currency as Currency;
      let amount: number;
      try {
        amount = fromMajorUnits(options.amount, currency);
      } catch (error) {
        if (error instanceof InvalidMoneyError) throw new UsageError(`--amount: ${error.message}`);
        throw error;
      }
      const verb = amount > 0 ? 'credit' : 'debit';
      const question = `${verb} ${formatMoney(Math.abs(amount), currency)} ${amount > 0 ? 'to' : 'from'} ${walletId} (available ${formatMoney(wallet.available, currency)}) against the adjustments account?`;
      if (!(await ctx.confirm(question)))
        throw new CliError('not confirmed: nothing was changed', EXIT.failure);
      const outcome = await adjustWallet(ctx, {
        walletId,
        amount,
        reason: options.reason,
        ...(options.id && { adjustmentId: options.id }),
      });
      ctx.out.result(outcome, () => {
        ctx.out.line(
          `${outcome.replayed ? 'already made' : 'adjusted'}: ${verb} ${formatMoney(Math.abs(outcome.amount), currency)}, available now ${formatMoney(outcome.balanceAfter, currency)} (adjustment ${outcome.adjustmentId}${outcome.auditId ? `, audit ${outcome.auditId}` : ''})`,
        );
      });
      if (outcome.warning) {
        ctx.out.note(`warning: ${outcome.warning}`);
        throw new CliError(outcome.warning, EXIT.partial);
      }
    });
}

/** payctl wallets show | statement | adjust. */
export const registerWalletCommands: RegisterCommands = (program, context) => {
  const wallets = program
    .command('wallets')
    .description('wallets: balance and holds, statement, manual adjustments');
  registerShow(wallets, context);
  registerStatement(wallets, context);
  registerAdjust(wallets, context);
};
