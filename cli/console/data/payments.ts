import { parsePeriod } from '../../../core/finance/period';
import { type ReportRow, reportRow } from '../../../core/finance/report';
import { UsageError } from '../../errors';
import { type FinanceDeps, financeStores } from '../../finance/deps';
import { loadHistory } from '../../finance/history';
import type { PaymentDetail, PaymentsPage, PaymentsQuery } from '../api-types';

/** The period scan stops here: a console page is not a report (payctl report is). */
export const MAX_SCANNED_PAYMENTS = 20_000;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Compares two non-negative decimal texts ("12.50" vs "12.5") exactly: -1, 0 or 1. No floats. */
export function compareDecimals(a: string, b: string): number {
  const [ma, mb] = [DECIMAL.exec(a), DECIMAL.exec(b)];
  if (!ma || !mb) throw new UsageError(`amount ${ma ? b : a} is not a decimal number like 12.50`);
  const scale = Math.max(ma[2]?.length ?? 0, mb[2]?.length ?? 0);
  const scaled = (m: RegExpExecArray) => BigInt(`${m[1]}${(m[2] ?? '').padEnd(scale, '0')}`);
  const [x, y] = [scaled(ma), scaled(mb)];
  return x < y ? -1 : x > y ? 1 : 0;
}

export function matches(row: ReportRow, query: PaymentsQuery): boolean {
  if (query.status && row.status !== query.status) return false;
  if (query.currency && row.currency !== query.currency) return false;
  // ReportRow.amount is the major-unit text in the currency's decimals: compared as decimals.
  if (query.minAmount && compareDecimals(row.amount, query.minAmount) < 0) return false;
  if (query.maxAmount && compareDecimals(row.amount, query.maxAmount) > 0) return false;
  if (query.q && !row.paymentId.startsWith(query.q)) return false;
  return true;
}

/** A page of the period's payments as `payctl report` rows, filtered; an exact paymentId is found in any period. */
export async function listPayments(deps: FinanceDeps, query: PaymentsQuery): Promise<PaymentsPage> {
  const { payments } = financeStores(deps);
  if (query.q) {
    const exact = await payments.get(query.q).catch(() => undefined);
    if (exact) {
      const row = reportRow(exact);
      const items = matches(row, query) ? [row] : [];
      return { items, matched: items.length, scanned: 1, truncated: false };
    }
  }
  const period = parsePeriod(query.from, query.to);
  const items: ReportRow[] = [];
  let matched = 0;
  let scanned = 0;
  // Newest first: the days backwards, each day's index order (requestedAt) reversed.
  for (const day of [...period.days].reverse()) {
    const rows: ReportRow[] = [];
    for await (const payment of payments.paymentsRequestedBetween(day, day)) {
      if (scanned >= MAX_SCANNED_PAYMENTS) break;
      scanned += 1;
      rows.push(reportRow(payment));
    }
    for (const row of rows.reverse()) {
      if (!matches(row, query)) continue;
      if (matched >= query.offset && items.length < query.limit) items.push(row);
      matched += 1;
    }
    if (scanned >= MAX_SCANNED_PAYMENTS) break;
  }
  const shown = query.offset + items.length;
  return {
    items,
    matched,
    scanned,
    truncated: scanned >= MAX_SCANNED_PAYMENTS,
    ...(shown < matched && { nextOffset: shown }),
  };
}

/** The payment's report row and its saga history (`payctl history`: live execution, else the archive). */
export async function paymentDetail(
  deps: FinanceDeps,
  paymentId: string,
): Promise<PaymentDetail | undefined> {
  const record = await financeStores(deps).payments.get(paymentId);
  try {
    const history = await loadHistory(deps, paymentId);
    return { ...(record && { payment: reportRow(record) }), history };
  } catch (error) {
    if (error instanceof UsageError && !record) return undefined;
    throw error;
  }
}
