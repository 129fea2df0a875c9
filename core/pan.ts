/**
 * Card-number (PAN) detection. paysaga never accepts raw card data: payment
 * methods are gateway tokens. Anything that looks like a PAN is refused, and
 * the offending value is never echoed into errors or logs.
 */

// 13–19 digits, optionally grouped by single spaces or dashes, standing as a token of their own: not
// preceded or followed by a letter, digit or dash. That keeps digit runs inside UUIDs and other identifiers
// (EventBridge event ids, SQS message ids) from being read as card numbers — about 0.2% of random UUIDs
// hold a Luhn-valid run. A number glued to letters ("ref4111...") is not caught; written as text it is.
const PAN_CANDIDATE = /(?<![\dA-Za-z-])(?:\d[ -]?){12,18}\d(?![\dA-Za-z-])/g;

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function containsPan(text: string): boolean {
  for (const match of text.matchAll(PAN_CANDIDATE)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
  }
  return false;
}

/** Paths (dotted) of every string inside `value` that contains a PAN. */
export function findPanPaths(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return containsPan(value) ? [path || '(root)'] : [];
  if (typeof value === 'number') return containsPan(String(value)) ? [path || '(root)'] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => findPanPaths(item, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(containsPan(key) ? [`${path ? `${path}.` : ''}<key>`] : []),
      ...findPanPaths(item, path ? `${path}.${key}` : key),
    ]);
  }
  return [];
}

/** Replaces every PAN-looking digit run with a mask; for text that must be shown or logged. */
export function redactPans(text: string): string {
  return text.replace(PAN_CANDIDATE, (match) => {
    const digits = match.replace(/[ -]/g, '');
    return digits.length >= 13 && luhnValid(digits) ? '[REDACTED PAN]' : match;
  });
}
