import { InvalidPaymentError, LedgerInvariantError } from '../errors';
import { CURRENCIES, type Currency, exponentOf, type Money, money, toMajorUnits } from '../money';

/**
 * Stripe's amount units, and the amounts Stripe can take, per currency. The ledger keeps ISO 4217 minor
 * units (core/money.ts); Stripe's API units differ for some currencies. Every rule of Stripe's currency
 * page, https://docs.stripe.com/currencies, is encoded here:
 * - zero-decimal currencies: amounts in whole units (¥500 is 500);
 * - three-decimal currencies (BHD, JOD, KWD, OMR, TND): amounts in thousandths, and the last digit must be 0
 *   ("round amounts to the nearest ten": 5.124 KWD must be sent as 5120 or 5130);
 * - special cases ("Special cases" table): ISK and UGX became zero-decimal, yet Stripe's API keeps them
 *   two-decimal for backwards compatibility, so 5 ISK is 500, 5 UGX is 500, and every amount must be
 *   divisible by 100 (UGX is also in the page's zero-decimal list: the special case governs the API
 *   amount); HUF and TWD are zero-decimal for payouts only (payout amounts divisible by 100) and
 *   two-decimal for charges, refunds and reads;
 * - the amount supports up to eight digits (99999999 is USD 999,999.99): the page's limit for payment
 *   methods other than cards (cards take up to 12 digits, American Express 9); the payment method's type
 *   is not known at intake, so the strictest limit applies;
 * - the minimum charge is USD 0.50 or its equivalent; the page's table ("Minimum charge amount by
 *   currency") gives it per settlement currency, applied here when the charge is in that currency (a
 *   charge in another currency converts to the account's settlement currency at Stripe's rate, which only
 *   Stripe knows).
 * Checked against https://docs.stripe.com/currencies on 2026-12-04 (KRW 50 and ZAR 0.50 minimums added;
 * UGX moved to the two-decimal whole-unit case).
 * Refunds take any representable amount: the minimum is a charge rule.
 */

/** Stripe's zero-decimal currencies (the page's list, less UGX: a special case below), ISO codes. */
export const STRIPE_ZERO_DECIMAL = [
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
] as const;

/** Three-decimal currencies: amounts in thousandths whose last digit is 0. */
export const STRIPE_THREE_DECIMAL = ['BHD', 'JOD', 'KWD', 'OMR', 'TND'] as const;

/** Zero-decimal in fact, two-decimal in Stripe's API: amounts are whole units times 100. */
export const STRIPE_TWO_DECIMAL_WHOLE_UNITS = ['ISK', 'UGX'] as const;

/** Zero-decimal for payouts only (payout amounts divisible by 100); charges are two-decimal. */
export const STRIPE_ZERO_DECIMAL_PAYOUTS = ['HUF', 'TWD'] as const;

/** "The amount value supports up to eight digits." */
export const STRIPE_MAX_AMOUNT = 99_999_999;

/** Minimum charge per settlement currency, in major units as the page's table states them. */
export const STRIPE_MINIMUM_CHARGE: Readonly<Partial<Record<Currency, string>>> = {
  AUD: '0.50',
  BRL: '0.50',
  CAD: '0.50',
  CHF: '0.50',
  CZK: '15.00',
  DKK: '2.50',
  EUR: '0.50',
  GBP: '0.30',
  HKD: '4.00',
  HUF: '175.00',
  INR: '0.50',
  JPY: '50',
  KRW: '50',
  MXN: '10',
  NOK: '3.00',
  NZD: '0.50',
  PLN: '2.00',
  SEK: '3.00',
  SGD: '0.50',
  USD: '0.50',
  ZAR: '0.50',
};

export interface StripeCurrencyRule {
  /** Decimal places of Stripe's API amount for this currency. */
  readonly stripeExponent: number;
  /** Every API amount must be a multiple of this (1: no constraint). */
  readonly multipleOf: number;
  /** Smallest charge, in Stripe units; undefined where the page states none for the currency. */
  readonly minimumCharge: number | undefined;
  /** Payout amounts must be a multiple of this (paysaga makes no payouts; kept so the rule is written down). */
  readonly payoutMultipleOf: number;
}

const includes = (list: readonly string[], currency: string): boolean => list.includes(currency);

/** Decimal places of Stripe's API amount for any ISO code (two unless the page says otherwise). */
export function stripeExponentOf(currency: string): number {
  if (includes(STRIPE_ZERO_DECIMAL, currency)) return 0;
  if (includes(STRIPE_THREE_DECIMAL, currency)) return 3;
  return 2;
}

/** Every API amount of this ISO code must be a multiple of this (1: no constraint). */
export function stripeMultipleOf(currency: string): number {
  if (includes(STRIPE_THREE_DECIMAL, currency)) return 10;
  if (includes(STRIPE_TWO_DECIMAL_WHOLE_UNITS, currency)) return 100;
  return 1;
}

function ruleOf(currency: Currency): StripeCurrencyRule {
  const stripeExponent = stripeExponentOf(currency);
  const multipleOf = stripeMultipleOf(currency);
  const minimum = STRIPE_MINIMUM_CHARGE[currency];
  return {
    stripeExponent,
    multipleOf,
    minimumCharge: minimum === undefined ? undefined : stripeUnitsOfMajor(minimum, stripeExponent),
    payoutMultipleOf: includes(STRIPE_ZERO_DECIMAL_PAYOUTS, currency) ? 100 : multipleOf,
  };
}

function stripeUnitsOfMajor(major: string, stripeExponent: number): number {
  const [whole = '0', fraction = ''] = major.split('.');
  return Number(`${whole}${fraction.padEnd(stripeExponent, '0').slice(0, stripeExponent)}`);
}

/** The rule of every paysaga currency. */
export const STRIPE_CURRENCY_RULES: Readonly<Record<Currency, StripeCurrencyRule>> = Object.fromEntries(
  CURRENCIES.map((currency) => [currency, ruleOf(currency)]),
) as Record<Currency, StripeCurrencyRule>;

/** Stripe units per ledger unit is 10^shift (shift < 0: ledger units per Stripe unit). */
const shiftOf = (currency: Currency): number =>
  STRIPE_CURRENCY_RULES[currency].stripeExponent - exponentOf(currency);

export type StripeUse = 'charge' | 'refund';

/** Why Stripe refuses an amount: the error code (Stripe's where it documents one) and a reason for people. */
export interface StripeAmountProblem {
  readonly code:
    | 'amount_too_small'
    | 'amount_too_large'
    | 'invalid_charge_amount_no_decimal_compatible'
    | 'amount_last_digit_not_zero';
  readonly reason: string;
}

/** "12.50" for 1250 in a two-decimal Stripe currency: Stripe units shown in major units, exactly. */
function majorOfUnits(units: number, stripeExponent: number): string {
  const digits = units.toString().padStart(stripeExponent + 1, '0');
  return stripeExponent === 0
    ? digits
    : `${digits.slice(0, -stripeExponent)}.${digits.slice(-stripeExponent)}`;
}

/** What Stripe says of an amount already in its units (the sandbox asks this too), or undefined. */
export function stripeUnitsProblem(
  units: number,
  currency: Currency,
  use: StripeUse,
): StripeAmountProblem | undefined {
  const rule = STRIPE_CURRENCY_RULES[currency];
  const shown = (n: number) => `${currency} ${majorOfUnits(n, rule.stripeExponent)}`;
  if (!Number.isSafeInteger(units) || units < 1) {
    return { code: 'amount_too_small', reason: `${units} is not a positive amount` };
  }
  if (units % rule.multipleOf !== 0) {
    return includes(STRIPE_THREE_DECIMAL, currency)
      ? {
          code: 'amount_last_digit_not_zero',
          reason: `${shown(units)}: the gateway takes ${currency} amounts in multiples of 0.010 (last digit 0)`,
        }
      : {
          code: 'invalid_charge_amount_no_decimal_compatible',
          reason: `${shown(units)}: the gateway takes ${currency} amounts in whole units only`,
        };
  }
  if (units > STRIPE_MAX_AMOUNT) {
    const max = STRIPE_MAX_AMOUNT - (STRIPE_MAX_AMOUNT % rule.multipleOf);
    return {
      code: 'amount_too_large',
      reason: `${shown(units)} is above the gateway's maximum of ${shown(max)}`,
    };
  }
  if (use === 'charge' && rule.minimumCharge !== undefined && units < rule.minimumCharge) {
    return {
      code: 'amount_too_small',
      reason: `${shown(units)} is below the gateway's minimum charge of ${shown(rule.minimumCharge)}`,
    };
  }
  return undefined;
}

/**
 * Why Stripe cannot take this ledger amount (for a charge, or a refund), or undefined when it can. The
 * reason names the amount in major units and the rule, for PaymentRejected and the front door's 400.
 */
export function stripeAmountProblem(amount: Money, use: StripeUse = 'charge'): string | undefined {
  const { currency, value } = amount;
  if (!Number.isSafeInteger(value) || value < 1) {
    return `${currency} ${toMajorUnits(value, currency)} is not a positive amount`;
  }
  const shift = shiftOf(currency);
  if (shift < 0 && value % 10 ** -shift !== 0) {
    return `${currency} ${toMajorUnits(value, currency)} has more decimals than the gateway takes for ${currency}`;
  }
  return stripeUnitsProblem(fromLedgerUnits(value, currency), currency, use)?.reason;
}

const fromLedgerUnits = (value: number, currency: Currency): number => {
  const shift = shiftOf(currency);
  return shift >= 0 ? value * 10 ** shift : value / 10 ** -shift;
};

function fromStripeUnits(units: number, currency: Currency): number {
  const shift = shiftOf(currency);
  return shift >= 0 ? units / 10 ** shift : units * 10 ** -shift;
}

/** Ledger minor units -> Stripe's amount. Throws InvalidPaymentError (final) for what Stripe cannot take. */
export function toStripeAmount(amount: Money, use: StripeUse): number {
  const problem = stripeAmountProblem(amount, use);
  if (problem) throw new InvalidPaymentError(`the gateway cannot take this amount: ${problem}`);
  return fromLedgerUnits(amount.value, amount.currency);
}

/**
 * Stripe's amount -> ledger minor units. An amount that is no whole number of ledger units (e.g. a
 * fractional ISK charge made before Stripe's 2023 change) cannot be booked: LedgerInvariantError.
 */
export function fromStripeAmount(units: number, currency: Currency, what: string): Money {
  const shift = shiftOf(currency);
  if (!Number.isSafeInteger(units) || (shift > 0 && units % 10 ** shift !== 0)) {
    throw new LedgerInvariantError(
      `${what}: the gateway reports ${units} in ${currency} Stripe units, which is no whole number of ledger units`,
    );
  }
  return money(fromStripeUnits(units, currency), currency);
}
