/**
 * Card-number (PAN) detection. paysaga never accepts raw card data: payment
 * methods are gateway tokens. Anything that looks like a PAN is refused, and
 * the offending value is never echoed into errors or logs.
 */

// 13–19 digits, optionally grouped by single spaces or dashes, standing as a token of their own: not
// preceded or followed by a letter, digit or dash (nor preceded by a decimal point: the fraction digits of a
// number are not a card). That keeps digit runs inside UUIDs and other identifiers (EventBridge event ids,
// SQS message ids) from being read as card numbers — about 0.2% of random UUIDs hold a Luhn-valid run.
const PAN_CANDIDATE = /(?<![\dA-Za-z.-])(?:\d[ -]?){12,18}\d(?![\dA-Za-z-])/g;
// The same number written without separators may also be joined to an identifier by a dash
// ("order-4111111111111111"): no UUID group holds more than 12 digits in a row, so a run of 13-19 is never
// part of one. A number glued to letters ("ref4111...") is not caught; written as text it is.
const BARE_PAN_CANDIDATE = /(?<![\dA-Za-z.])\d{13,19}(?![\dA-Za-z])/g;

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

/**
 * A candidate is a PAN when some run of its consecutive digit groups holds 13-19 digits that pass Luhn:
 * a card number written in groups may follow other digits of the text ("qty 2 4242 4242 4242 4242").
 * Within one group (a bare run) only the whole run counts, as before.
 */
function isPan(candidate: string): boolean {
  const groups = candidate.split(/[ -]/).filter((group) => group !== '');
  for (let start = 0; start < groups.length; start++) {
    let digits = '';
    for (let end = start; end < groups.length && digits.length < 19; end++) {
      digits += groups[end];
      if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
    }
  }
  return false;
}

export function containsPan(text: string): boolean {
  for (const pattern of [PAN_CANDIDATE, BARE_PAN_CANDIDATE]) {
    for (const match of text.matchAll(pattern)) if (isPan(match[0])) return true;
  }
  return false;
}

/**
 * Paths (dotted) of every string inside `value` that contains a PAN, and of every key that is one.
 * Walks with its own stack: a hostile payload nested thousands of levels deep must not overflow the call stack.
 */
export function findPanPaths(value: unknown): string[] {
  const found: string[] = [];
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: item, path } = next;
    if (typeof item === 'string') {
      if (containsPan(item)) found.push(path || '(root)');
    } else if (typeof item === 'number') {
      // Only a whole number can be a card number; a fraction's digits are not one.
      if (Number.isInteger(item) && containsPan(String(item))) found.push(path || '(root)');
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) pending.push({ value: item[i], path: `${path}[${i}]` });
    } else if (item && typeof item === 'object') {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        if (containsPan(key)) found.push(`${path ? `${path}.` : ''}<key>`);
        pending.push({ value: child, path: path ? `${path}.${key}` : key });
      }
    }
  }
  return found;
}

/** Replaces every PAN-looking digit run with a mask; for text that must be shown or logged. */
export function redactPans(text: string): string {
  const mask = (match: string) => (isPan(match) ? '[REDACTED PAN]' : match);
  return text.replace(PAN_CANDIDATE, mask).replace(BARE_PAN_CANDIDATE, mask);
}
