import { formatAmount } from '../../core/history/amounts';
import type { AmountView } from '../../core/history/timeline';

/** 294 ms, 1.32 s, 2m05s, 3h02m: durations at a glance (integer arithmetic on milliseconds). */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) {
    const hundredths = Math.round(ms / 10);
    return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')} s`;
  }
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export const money = (amount: AmountView | undefined): string => (amount ? formatAmount(amount) : '-');

/** One line, at most `max` characters. */
export function oneLine(text: string | undefined, max = 160): string {
  if (!text) return '';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A signed amount for journal lines: "+12.50" / "-12.50". */
export function signed(amount: AmountView): string {
  return amount.minor > 0 ? `+${amount.major}` : amount.major;
}
