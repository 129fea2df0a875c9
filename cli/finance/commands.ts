import { type Command, Option } from 'commander';
import { InvalidPeriodError, type Period, parsePeriod } from '../../core/finance/period';
import { isCurrency } from '../../core/money';
import { PaymentId } from '../../events/common';
import type { CliContext } from '../context';
import { CliError, EXIT, UsageError } from '../errors';
import type { RegisterCommands } from '../registry';
import { loadHistory } from './history';
import { renderHistory } from './history-view';
import { runReconcile } from './reconcile';
import { REPORT_FORMATS, type ReportFormat, writeReport } from './report';

/** Raw stdout: reports stream row by row instead of going through a buffered document. */
const stdout = (text: string) => {
  process.stdout.write(text);
};

function period(from: string, to: string): Period {
  try {
    return parsePeriod(from, to);
  } catch (error) {
    if (error instanceof InvalidPeriodError) throw new UsageError(error.message);
    throw error;
  }
}

function paymentIdArg(text: string): string {
  const parsed = PaymentId.safeParse(text);
  if (!parsed.success) {
    throw new UsageError(
      `malformed paymentId ${JSON.stringify(text.slice(0, 100))}: a paymentId is 1-64 letters, digits, "-" or "_"`,
    );
  }
  return parsed.data;
}

function currencyArg(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const code = text.trim().toUpperCase();
  if (!isCurrency(code))
    throw new UsageError(
      `--currency ${JSON.stringify(text)} is not a currency paysaga knows (ISO 4217, e.g. EUR)`,
    );
  return code;
}

function asOfArg(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--as-of ${JSON.stringify(text)} is not an ISO date/time (e.g. 2026-11-30T00:00:00Z)`,
    );
  }
  return date;
}

function registerHistory(program: Command, context: () => CliContext): void {
  program
    .command('history <paymentId>')
    .description(
      "a payment's saga step by step: times, retries and their errors, hold/charge/refund ids, journal entries, compensations, outcome (from Step Functions, or the history archive once the execution is gone)",
    )
    .action(async (id: string) => {
      const ctx = context();
      const history = await loadHistory(ctx, paymentIdArg(id));
      ctx.out.result(history, () => {
        for (const line of renderHistory(history)) ctx.out.line(line);
      });
    });
}

function registerReport(program: Command, context: () => CliContext): void {
  program
    .command('report')
    .description(
      'one row per payment requested in the period (UTC days, inclusive), with totals per currency and status checked against the ledger',
    )
    .requiredOption('--from <date>', 'first day, yyyy-mm-dd (UTC)')
    .requiredOption('--to <date>', 'last day, yyyy-mm-dd (UTC), inclusive')
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('table'))
    .option('--currency <code>', 'only payments in this currency')
    .action(async (options: { from: string; to: string; format: ReportFormat; currency?: string }) => {
      const ctx = context();
      const range = period(options.from, options.to);
      const currency = currencyArg(options.currency);
      const format: ReportFormat = ctx.out.json ? 'json' : options.format;
      const summary = await writeReport(ctx, {
        period: range,
        ...(currency && { currency }),
        format,
        write: stdout,
        progress: ctx.out.progress('report', range.days.length),
      });
      const mismatches = summary.ledger.filter((l) => !l.matches);
      if (format === 'table') {
        stdout('\n');
        ctx.out.table(summary.totals, [
          { header: 'CURRENCY', value: (t) => t.currency },
          { header: 'STATUS', value: (t) => t.status },
          { header: 'PAYMENTS', value: (t) => t.count, align: 'right' },
          { header: 'AMOUNT', value: (t) => t.amount, align: 'right' },
          { header: 'MINOR UNITS', value: (t) => t.amountMinor, align: 'right' },
          { header: 'REFUNDED', value: (t) => t.refunded, align: 'right' },
          { header: 'WALLET', value: (t) => t.refundedWalletMinor, align: 'right' },
          { header: 'CARD', value: (t) => t.refundedGatewayMinor, align: 'right' },
          { header: 'NET', value: (t) => t.net, align: 'right' },
        ]);
        for (const check of summary.ledger) {
          stdout(
            `ledger ${check.currency}: succeeded ${check.succeededMinor}${check.succeededRefundedMinor !== 0 ? `, refunded ${check.succeededRefundedMinor}, net ${check.succeededNetMinor}` : ''}, journal net settled ${check.ledgerNetSettledMinor} (minor units): ${check.matches ? 'agree' : 'DIFFER'}\n`,
          );
        }
      } else {
        const perCurrency = summary.totals
          .filter((t) => t.status === 'ALL')
          .map((t) => `${t.currency} ${t.amount} in ${t.count}`);
        ctx.out.note(
          `${summary.rows} payments${perCurrency.length > 0 ? `: ${perCurrency.join(', ')}` : ''}`,
        );
      }
      if (mismatches.length > 0) {
        ctx.out.note(
          `warning: the report's SUCCEEDED net (captured - refunded) differs from the ledger's net settlement for ${mismatches.map((m) => m.currency).join(', ')}; run payctl reconcile for the same period (sagas crossing the period's edges also cause this)`,
        );
      }
    });
}

function registerReconcile(program: Command, context: () => CliContext): void {
  program
    .command('reconcile')
    .description(
      'three-way check of ledger journal, gateway charges/refunds and saga outcomes for the period; exits 4 when anything is off',
    )
    .requiredOption('--from <date>', 'first day, yyyy-mm-dd (UTC)')
    .requiredOption('--to <date>', 'last day, yyyy-mm-dd (UTC), inclusive')
    .option('--as-of <time>', 'judge hold expiry as of this ISO time (default: now)')
    .action(async (options: { from: string; to: string; asOf?: string }) => {
      const ctx = context();
      const range = period(options.from, options.to);
      const now = asOfArg(options.asOf);
      const bar = ctx.out.progress('reconcile', range.days.length);
      if (ctx.out.json) stdout(`{"discrepancies":[`);
      let written = 0;
      const summary = await runReconcile(ctx, {
        period: range,
        now,
        onDiscrepancy: (d) => {
          if (ctx.out.json) stdout(`${written === 0 ? '\n' : ',\n'}${JSON.stringify(d)}`);
          else if (d.resolved) {
            stdout(
              `[${d.kind}] ${d.message}\n    -> resolved by ${d.resolved.by} at ${d.resolved.at}${d.resolved.reason ? `: ${d.resolved.reason}` : ''}\n`,
            );
          } else stdout(`[${d.kind}] ${d.message}\n    -> ${d.action}\n`);
          written += 1;
        },
        onProgress: (p) =>
          bar.tick(
            p.daysDone,
            `${p.phase}${p.day ? ` ${p.day}` : ''}: ${p.payments} payments, ${p.discrepancies} discrepancies`,
          ),
      });
      bar.done(`${summary.payments} payments, ${summary.discrepancies} discrepancies`);
      if (ctx.out.json) stdout(`${written === 0 ? '' : '\n'}],"summary":${JSON.stringify(summary)}}\n`);
      else {
        stdout(
          `${summary.discrepancies === 0 ? 'clean' : `${summary.discrepancies} discrepancies`}${summary.resolved > 0 ? ` (${summary.resolved} resolved by hand)` : ''}: ${summary.payments} payments (${summary.paymentsInFlight} in flight), ${summary.charges} gateway charges, ${summary.refunds} refunds, ${summary.journalEntries} journal entries, ${range.fromDay}..${range.toDay}, as of ${summary.asOf}\n`,
        );
      }
      if (summary.discrepancies > 0) {
        const kinds = Object.entries(summary.byKind)
          .map(([kind, count]) => `${kind} ${count}`)
          .join(', ');
        throw new CliError(
          `reconcile found ${summary.discrepancies} discrepancies (${kinds})`,
          EXIT.discrepancies,
        );
      }
    });
}

export const registerFinanceCommands: RegisterCommands = (program, context) => {
  registerHistory(program, context);
  registerReport(program, context);
  registerReconcile(program, context);
};
