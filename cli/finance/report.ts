import { firstDayInTable } from '../../core/config/history';
import { csvRecord } from '../../core/finance/csv';
import type { Period } from '../../core/finance/period';
import {
  LedgerSettlementTotals,
  REPORT_CSV_COLUMNS,
  type ReportRow,
  type ReportTotalRow,
  ReportTotals,
  reportRow,
} from '../../core/finance/report';
import { paymentsOfArchivedDay } from '../../core/payments/archive';
import type { Progress } from '../output';
import { type FinanceDeps, financeStores } from './deps';
import { formatDuration, oneLine } from './format';

export const REPORT_FORMATS = ['table', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface LedgerCheck {
  readonly currency: string;
  /** Sum of the report's SUCCEEDED payments (minor units). */
  readonly succeededMinor: number;
  /** What of those was refunded after success (refund saga), and the net: succeeded - refunded. */
  readonly succeededRefundedMinor: number;
  readonly succeededNetMinor: number;
  /** Captured by merchants minus refunds in the journal over the same days (minor units): = the net. */
  readonly ledgerNetSettledMinor: number;
  readonly matches: boolean;
}

export interface ReportSummary {
  readonly rows: number;
  readonly totals: ReportTotalRow[];
  readonly ledger: LedgerCheck[];
}

export interface ReportOptions {
  readonly period: Period;
  readonly currency?: string;
  readonly format: ReportFormat;
  /** Where the report goes (stdout); called once per row, so nothing accumulates. */
  readonly write: (text: string) => void;
  readonly progress?: Pick<Progress, 'tick' | 'done'>;
  /**
   * Days before this one (yyyy-mm-dd) are read from the history archive on S3, as the payments table
   * no longer keeps them; default: today minus the stage's payment record TTL (core/config/history.ts).
   */
  readonly archiveBefore?: string;
}

const TABLE_COLUMNS: ReadonlyArray<{
  header: string;
  width: number;
  right?: boolean;
  value: (r: ReportRow) => string;
}> = [
  { header: 'PAYMENT', width: 24, value: (r) => r.paymentId },
  { header: 'REQUESTED AT', width: 24, value: (r) => r.requestedAt },
  { header: 'PAYER', width: 18, value: (r) => r.payer },
  { header: 'PAYEE', width: 16, value: (r) => r.payee },
  { header: 'AMOUNT', width: 12, right: true, value: (r) => r.amount },
  { header: 'CUR', width: 3, value: (r) => r.currency },
  { header: 'STATUS', width: 15, value: (r) => r.status },
  { header: 'REASON', width: 18, value: (r) => r.reasonCode ?? '' },
  { header: 'COMPENSATIONS', width: 24, value: (r) => r.compensations.join(' ') },
  { header: 'CHARGE', width: 28, value: (r) => r.chargeId ?? '' },
  { header: 'REFUND', width: 28, value: (r) => r.refundId ?? '' },
  { header: 'REFUNDED', width: 10, right: true, value: (r) => (r.refundedMinor > 0 ? r.refunded : '') },
  { header: 'NET', width: 12, right: true, value: (r) => r.net },
  { header: 'TOOK', width: 8, right: true, value: (r) => formatDuration(r.durationMs) },
];

function tableLine(values: readonly string[]): string {
  return TABLE_COLUMNS.map((c, i) => {
    const text = oneLine(values[i] ?? '', 60);
    return c.right ? text.padStart(c.width) : text.padEnd(c.width);
  })
    .join('  ')
    .trimEnd();
}

/**
 * Streams one row per payment requested in the period (optionally one
 * currency) as a fixed-width table, RFC 4180 CSV or a JSON document, then
 * the totals per currency and status and their check against the ledger.
 * Rows are written as they are read, day by day, page by page.
 */
export async function writeReport(deps: FinanceDeps, options: ReportOptions): Promise<ReportSummary> {
  const { period, write, format } = options;
  const stores = financeStores(deps);
  const totals = new ReportTotals();
  const archiveBefore = options.archiveBefore ?? firstDayInTable(deps.names.stage, new Date());
  let rows = 0;

  if (format === 'csv') write(csvRecord(REPORT_CSV_COLUMNS.map((c) => c.header)));
  if (format === 'table') {
    write(`${tableLine(TABLE_COLUMNS.map((c) => c.header))}\n`);
    write(`${tableLine(TABLE_COLUMNS.map((c) => '-'.repeat(c.width)))}\n`);
  }
  if (format === 'json') {
    write(
      `{"period":${JSON.stringify({ from: period.fromDay, to: period.toDay })},"currency":${JSON.stringify(options.currency ?? null)},"rows":[`,
    );
  }
  for (const [index, day] of period.days.entries()) {
    options.progress?.tick(index, `${day}, ${rows} payments`);
    const payments =
      day < archiveBefore
        ? paymentsOfArchivedDay(stores.payments, stores.archive, day)
        : stores.payments.paymentsRequestedBetween(day, day);
    for await (const payment of payments) {
      if (options.currency && payment.currency !== options.currency) continue;
      const row = reportRow(payment);
      totals.add(row);
      if (format === 'csv') write(csvRecord(REPORT_CSV_COLUMNS.map((c) => c.value(row))));
      else if (format === 'json') write(`${rows === 0 ? '\n' : ',\n'}${JSON.stringify(row)}`);
      else write(`${tableLine(TABLE_COLUMNS.map((c) => c.value(row)))}\n`);
      rows += 1;
    }
  }

  const settled = new LedgerSettlementTotals();
  for await (const entry of stores.ledger.entriesInPeriod(period.fromDay, period.toDay)) {
    if (!options.currency || entry.currency === options.currency) settled.add(entry);
  }
  options.progress?.done(`${rows} payments`);
  const ledgerRows = settled.rows();
  const currencies = new Set([...totals.rows().map((t) => t.currency), ...ledgerRows.map((l) => l.currency)]);
  const ledger: LedgerCheck[] = [...currencies].sort().map((currency) => {
    const succeededMinor = totals.minorOf(currency, 'SUCCEEDED');
    const succeededNetMinor = totals.netOf(currency, 'SUCCEEDED');
    const ledgerNetSettledMinor = ledgerRows.find((l) => l.currency === currency)?.netMinor ?? 0;
    return {
      currency,
      succeededMinor,
      succeededRefundedMinor: succeededMinor - succeededNetMinor,
      succeededNetMinor,
      ledgerNetSettledMinor,
      matches: succeededNetMinor === ledgerNetSettledMinor,
    };
  });
  const summary: ReportSummary = { rows, totals: totals.rows(), ledger };
  if (format === 'json') {
    write(
      `${rows === 0 ? '' : '\n'}],"totals":${JSON.stringify(summary.totals)},"ledger":${JSON.stringify(ledger)}}\n`,
    );
  }
  return summary;
}
