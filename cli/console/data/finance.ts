import { parsePeriod } from '../../../core/finance/period';
import { ReportTotals, reportRow } from '../../../core/finance/report';
import { type FinanceDeps, financeStores } from '../../finance/deps';
import type { VolumeRow } from '../api-types';

/** Payments requested per UTC day: `payctl report`'s totals (count, sum per currency and status) for each day. */
export async function dailyVolume(deps: FinanceDeps, fromDay: string, toDay: string): Promise<VolumeRow[]> {
  const period = parsePeriod(fromDay, toDay);
  const { payments } = financeStores(deps);
  const rows: VolumeRow[] = [];
  for (const day of period.days) {
    const totals = new ReportTotals();
    for await (const payment of payments.paymentsRequestedBetween(day, day)) totals.add(reportRow(payment));
    for (const total of totals.rows()) {
      if (total.status !== 'ALL') rows.push({ day, ...total });
    }
  }
  return rows;
}
