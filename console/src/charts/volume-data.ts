import type { VolumeRow } from '../../../cli/console/api-types';

/** Colours of payment statuses, shared by the volume chart and the status badges. */
export const STATUS_COLOURS: Readonly<Record<string, string>> = {
  SUCCEEDED: '#16a34a',
  FAILED: '#dc2626',
  NEEDS_ATTENTION: '#a855f7',
  REQUESTED: '#64748b',
  RESERVED: '#0ea5e9',
  CHARGED: '#2563eb',
};

export interface VolumeSeries {
  readonly days: readonly string[];
  readonly exponent: number;
  /** One series per status: minor units per day (safe integers: ReportTotals refuses anything larger). */
  readonly series: ReadonlyArray<{
    readonly status: string;
    readonly amounts: readonly number[];
    readonly counts: readonly number[];
  }>;
}

/** Every day of the period (empty days included) for one currency, stacked by status. */
export function volumeSeries(
  rows: readonly VolumeRow[],
  currency: string,
  days: readonly string[],
): VolumeSeries {
  const mine = rows.filter((r) => r.currency === currency);
  const statuses = [...new Set(mine.map((r) => r.status))].sort();
  return {
    days,
    // The major-unit text carries the currency's decimals: "12.50" -> 2, "1250" -> 0.
    exponent: mine[0]?.amount.split('.')[1]?.length ?? 0,
    series: statuses.map((status) => ({
      status,
      amounts: days.map((day) => mine.find((r) => r.day === day && r.status === status)?.amountMinor ?? 0),
      counts: days.map((day) => mine.find((r) => r.day === day && r.status === status)?.count ?? 0),
    })),
  };
}

/** yyyy-mm-dd from..to inclusive (UTC). */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}
