/**
 * Display helpers without floating point for money: minor units are integers
 * (or decimal strings for sums), rendered by moving the decimal point in text.
 */

/** 123456 at exponent 2 -> "1,234.56"; "-5" at 2 -> "-0.05". */
export function formatMinor(minor: number | string | bigint, exponent: number): string {
  const text =
    typeof minor === 'bigint'
      ? minor.toString()
      : typeof minor === 'number'
        ? String(Math.trunc(minor))
        : minor;
  const negative = text.startsWith('-');
  const digits = (negative ? text.slice(1) : text).replace(/^0+(?=\d)/, '');
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, padded.length - exponent);
  const fraction = exponent > 0 ? `.${padded.slice(padded.length - exponent)}` : '';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction}`;
}

export function formatMoney(minor: number | string | bigint, exponent: number, currency: string): string {
  return `${formatMinor(minor, exponent)} ${currency}`;
}

/** 2026-11-22T19:04:35.123Z -> "2026-11-22 19:04:35Z" (UTC, as the data is). */
export function formatInstant(iso: string | undefined): string {
  if (!iso) return '';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** 45s, 12m, 2h5m, 3d4h. */
export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
  return `${Math.floor(hours / 24)}d${hours % 24 ? `${hours % 24}h` : ''}`;
}

/** Milliseconds as "850 ms" or "2.35 s" (durations, not money). */
export function formatDuration(ms: number): string {
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export const todayUtc = (): string => new Date().toISOString().slice(0, 10);
export const daysAgoUtc = (days: number): string =>
  new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
