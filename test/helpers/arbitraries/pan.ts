import fc from 'fast-check';

/** A generated card number: its bare digits (what a leak scan looks for) and how it was written. */
export interface GeneratedPan {
  readonly digits: string;
  readonly text: string;
}

/** Issuer prefixes of real schemes (Visa, Mastercard, Amex, Discover, JCB, UnionPay, Maestro) and none. */
const ISSUER_PREFIXES = ['4', '51', '55', '2221', '34', '37', '6011', '35', '62', '6759', ''] as const;

/** The Luhn check digit that makes `body + digit` valid. Written here, not imported, so the test does not trust core/pan. */
export function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

function grouped(digits: string, sizes: readonly number[], separator: string): string {
  const groups: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= digits.length) break;
    groups.push(digits.slice(at, at + size));
    at += size;
  }
  if (at < digits.length) groups.push(digits.slice(at));
  return groups.join(separator);
}

/** How a person writes the number: bare, in fours with spaces or dashes, or Amex's 4-6-5. */
const FORMATS = ['bare', 'spaces4', 'dashes4', 'spaces465', 'dashes465'] as const;

function format(digits: string, how: (typeof FORMATS)[number]): string {
  switch (how) {
    case 'bare':
      return digits;
    case 'spaces4':
      return grouped(digits, [4, 4, 4, 4, 4], ' ');
    case 'dashes4':
      return grouped(digits, [4, 4, 4, 4, 4], '-');
    case 'spaces465':
      return grouped(digits, [4, 6, 5, 4], ' ');
    case 'dashes465':
      return grouped(digits, [4, 6, 5, 4], '-');
  }
}

/** Luhn-valid 13-19 digit card numbers, bare or grouped with spaces or dashes. */
export const panArbitrary: fc.Arbitrary<GeneratedPan> = fc
  .record({
    length: fc.integer({ min: 13, max: 19 }),
    prefix: fc.constantFrom(...ISSUER_PREFIXES),
    // No card number starts with 0, and a leading 0 could not be written as a JSON number.
    first: fc.integer({ min: 1, max: 9 }),
    rest: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }),
    how: fc.constantFrom(...FORMATS),
  })
  .map(({ length, prefix, first, rest, how }) => {
    const body = ((prefix || String(first)) + rest.join('')).slice(0, length - 1);
    const digits = body + luhnCheckDigit(body);
    return { digits, text: format(digits, how) };
  });

/** Only the bare form (fields whose alphabet has no space, like paymentId, still allow dashes). */
export const panWithoutSpacesArbitrary: fc.Arbitrary<GeneratedPan> = panArbitrary.map((pan) => ({
  digits: pan.digits,
  text: pan.text.includes(' ') ? pan.text.replaceAll(' ', '-') : pan.text,
}));

/**
 * True when `text` holds 13 or more digits once spaces and dashes are dropped from digit runs — a
 * superset of what a card number looks like. Generators of valid input filter with it, so a random
 * string never turns into a PAN by chance and the expected outcome stays right.
 */
export function mayHoldPan(text: string): boolean {
  return /\d(?:[ -]?\d){12}/.test(text);
}

/** Does `text` contain any of the PANs (bare digits, or with separators in the text stripped)? */
export function leakedPan(text: string, pans: Iterable<string>): string | undefined {
  const stripped = text.replace(/[ -]/g, '');
  for (const digits of pans) if (text.includes(digits) || stripped.includes(digits)) return digits;
  return undefined;
}
