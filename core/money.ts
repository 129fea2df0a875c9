/**
 * Money as integer minor units with an ISO 4217 currency and its exponent.
 * No floats: amounts are formatted by string arithmetic on the integer.
 */

/** ISO 4217 minor-unit exponents of the currencies paysaga accepts. */
export const CURRENCY_EXPONENTS = {
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PLN: 2,
  SEK: 2,
  SGD: 2,
  TND: 3,
  USD: 2,
  ZAR: 2,
} as const satisfies Record<string, number>;

export type Currency = keyof typeof CURRENCY_EXPONENTS;
export const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

/** The gateway's ceiling for one charge (Stripe: 8 digits of minor units). */
export const MAX_AMOUNT_MINOR = 99_999_999;

export interface Money {
  /** Integer minor units (cents for EUR, yen for JPY). */
  readonly value: number;
  readonly currency: Currency;
  readonly exponent: number;
}

export class InvalidMoneyError extends Error {
  override readonly name = 'InvalidMoneyError';
}

export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

export function exponentOf(currency: Currency): number {
  return CURRENCY_EXPONENTS[currency];
}

export function money(value: number, currency: string): Money {
  if (!isCurrency(currency)) throw new InvalidMoneyError(`unknown currency ${JSON.stringify(currency)}`);
  if (!Number.isSafeInteger(value))
    throw new InvalidMoneyError(`amount must be an integer of minor units, got ${value}`);
  return { value, currency, exponent: exponentOf(currency) };
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency)
    throw new InvalidMoneyError(`currency mismatch: ${a.currency} vs ${b.currency}`);
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.value + b.value, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.value - b.value, a.currency);
}

/** "12.50" for 1250 EUR, "1250" for 1250 JPY, "-0.05" for -5 USD: exact, no floats. */
export function toMajorUnits(value: number, currency: Currency): string {
  if (!Number.isSafeInteger(value)) throw new InvalidMoneyError(`amount must be an integer, got ${value}`);
  const exponent = exponentOf(currency);
  const sign = value < 0 ? '-' : '';
  const digits = Math.abs(value).toString();
  if (exponent === 0) return `${sign}${digits}`;
  const padded = digits.padStart(exponent + 1, '0');
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

/** "EUR 12.50" — for people; scripts get minor units. */
export function formatMoney(value: number, currency: Currency): string {
  return `${currency} ${toMajorUnits(value, currency)}`;
}

/** Parses "12.50" into 1250 for EUR; refuses more decimals than the currency has. */
export function fromMajorUnits(text: string, currency: Currency): number {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new InvalidMoneyError(`not an amount: ${JSON.stringify(text)}`);
  const [, sign, whole = '0', fraction = ''] = match;
  const exponent = exponentOf(currency);
  if (fraction.length > exponent) {
    throw new InvalidMoneyError(`${currency} has ${exponent} decimal places, got ${JSON.stringify(text)}`);
  }
  const minor = Number(`${whole}${fraction.padEnd(exponent, '0')}`);
  if (!Number.isSafeInteger(minor)) throw new InvalidMoneyError(`amount too large: ${text}`);
  return sign ? -minor : minor;
}
