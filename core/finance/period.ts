/**
 * A reporting period: whole UTC days from..to, both inclusive, as finance
 * states them ("--from 2026-10-01 --to 2026-10-31"). Gateways and APIs get the
 * half-open instant range [start, end).
 */
export interface Period {
  readonly fromDay: string;
  readonly toDay: string;
  readonly start: Date;
  /** Exclusive: midnight after toDay. */
  readonly end: Date;
  readonly days: readonly string[];
}

export class InvalidPeriodError extends Error {
  override readonly name = 'InvalidPeriodError';
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
/** A period longer than this is almost certainly a typo in a year. */
export const MAX_PERIOD_DAYS = 366;

function dayStart(day: string, flag: string): Date {
  const date = new Date(`${day}T00:00:00.000Z`);
  if (!DAY.test(day) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== day) {
    throw new InvalidPeriodError(
      `${flag} must be a calendar date as yyyy-mm-dd (UTC), got ${JSON.stringify(day)}`,
    );
  }
  return date;
}

export function parsePeriod(fromDay: string, toDay: string): Period {
  const start = dayStart(fromDay, '--from');
  const last = dayStart(toDay, '--to');
  if (last < start) throw new InvalidPeriodError(`--to ${toDay} is before --from ${fromDay}`);
  const count = (last.getTime() - start.getTime()) / DAY_MS + 1;
  if (count > MAX_PERIOD_DAYS) {
    throw new InvalidPeriodError(
      `the period has ${count} days; the limit is ${MAX_PERIOD_DAYS}: split it into smaller periods`,
    );
  }
  const days = Array.from({ length: count }, (_, i) =>
    new Date(start.getTime() + i * DAY_MS).toISOString().slice(0, 10),
  );
  return { fromDay, toDay, start, end: new Date(last.getTime() + DAY_MS), days };
}

export const dayOf = (iso: string): string => iso.slice(0, 10);
export const startOfDay = (day: string): Date => new Date(`${day}T00:00:00.000Z`);
export const addDays = (date: Date, days: number): Date => new Date(date.getTime() + days * DAY_MS);

export function inPeriod(period: Period, iso: string): boolean {
  const day = dayOf(iso);
  return day >= period.fromDay && day <= period.toDay;
}
