import { describe, expect, it } from 'vitest';
import {
  fromStripeAmount,
  STRIPE_CURRENCY_RULES,
  STRIPE_ZERO_DECIMAL,
  stripeAmountProblem,
  stripeExponentOf,
  stripeMultipleOf,
  stripeUnitsProblem,
  toStripeAmount,
} from '../../core/gateway/stripe-units';
import { CURRENCIES, type Currency, money } from '../../core/money';

/**
 * One row per currency of core/money.ts: a ledger amount (ISO 4217 minor units), what Stripe's API takes for
 * it (docs.stripe.com/currencies), and the smallest charge Stripe accepts in that currency, in ledger units.
 */
const TABLE: Record<Currency, { ledger: number; stripe: number; minimumCharge: number }> = {
  AUD: { ledger: 1250, stripe: 1250, minimumCharge: 50 },
  BHD: { ledger: 1250, stripe: 1250, minimumCharge: 10 },
  BRL: { ledger: 1250, stripe: 1250, minimumCharge: 50 },
  CAD: { ledger: 1250, stripe: 1250, minimumCharge: 50 },
  CHF: { ledger: 1250, stripe: 1250, minimumCharge: 50 },
  CLP: { ledger: 5000, stripe: 5000, minimumCharge: 1 },
  CZK: { ledger: 2000, stripe: 2000, minimumCharge: 1500 },
  DKK: { ledger: 1250, stripe: 1250, minimumCharge: 250 },
  EUR: { ledger: 1250, stripe: 1250, minimumCharge: 50 },
  GBP: { ledger: 1250, stripe: 1250, minimumCharge: 30 },
  HKD: { ledger: 1250, stripe: 1250, minimumCharge: 400 },
  HUF: { ledger: 20_000, stripe: 20_000, minimumCharge: 17_500 },
  INR: { ledger: 1250, stripe: 1250, minimumCharge: 50 },
  ISK: { ledger: 5000, stripe: 500_000, minimumCharge: 1 },
  JOD: { ledger: 1250, stripe: 1250, minimumCharge: 10 },
  JPY: { ledger: 500, stripe: 500, minimumCharge: 50 },
  // https://docs.stripe.com/currencies, "Minimum charge amount by currency": 50 KRW.
  KRW: { ledger: 5000, stripe: 5000, minimumCharge: 50 },
  KWD: { ledger: 5120, stripe: 5120, minimumCharge: 10 },
  MXN: { ledger: 1250, stripe: 1250, minimumCharge: 1000 },
  NOK: { ledger: 1250, stripe: 1250, minimumCharge: 300 },
  NZD: { ledger: 1250, stripe: 1250, minimumCharge: 50 },
  OMR: { ledger: 1250, stripe: 1250, minimumCharge: 10 },
  PLN: { ledger: 1250, stripe: 1250, minimumCharge: 200 },
  SEK: { ledger: 1250, stripe: 1250, minimumCharge: 300 },
  SGD: { ledger: 1250, stripe: 1250, minimumCharge: 50 },
  TND: { ledger: 1250, stripe: 1250, minimumCharge: 10 },
  USD: { ledger: 1250, stripe: 1250, minimumCharge: 50 },
  // https://docs.stripe.com/currencies, "Minimum charge amount by currency": 0.50 ZAR.
  ZAR: { ledger: 1250, stripe: 1250, minimumCharge: 50 },
};

/** The largest amount Stripe takes (8 digits, a multiple of the currency's step), in ledger units. */
const MAXIMUM: Partial<Record<Currency, number>> = { ISK: 999_999, BHD: 99_999_990, KWD: 99_999_990 };

describe('Module: stripe-units (docs.stripe.com/currencies)', () => {
  it('has a row for every currency of core/money.ts', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...CURRENCIES].sort());
  });

  it.each(CURRENCIES)('%s: converts both ways and knows its smallest charge', (currency) => {
    // Prepare
    const row = TABLE[currency];
    const step = STRIPE_CURRENCY_RULES[currency].multipleOf;
    // Act
    const stripe = toStripeAmount(money(row.ledger, currency), 'charge');
    const back = fromStripeAmount(stripe, currency, 'test');
    // Assess
    expect(stripe).toBe(row.stripe);
    expect(back).toEqual(money(row.ledger, currency));
    expect(stripeAmountProblem(money(row.minimumCharge, currency))).toBeUndefined();
    const justBelow = row.minimumCharge - (STRIPE_CURRENCY_RULES[currency].stripeExponent === 3 ? 10 : 1);
    if (justBelow >= 1) expect(stripeAmountProblem(money(justBelow, currency))).toMatch(/minimum charge/);
    // A refund takes amounts below the minimum charge.
    expect(stripeAmountProblem(money(step === 10 ? 10 : 1, currency), 'refund')).toBeUndefined();
  });

  it.each(CURRENCIES)(
    '%s: refuses what is above the 8-digit maximum, takes the maximum itself',
    (currency) => {
      // Prepare
      const max =
        MAXIMUM[currency] ??
        (['BHD', 'JOD', 'KWD', 'OMR', 'TND'].includes(currency) ? 99_999_990 : 99_999_999);
      // Act / Assess
      expect(stripeAmountProblem(money(max, currency))).toBeUndefined();
      expect(stripeAmountProblem(money(max + 1, currency))).toMatch(/maximum|multiples/);
    },
  );

  it.each(['BHD', 'JOD', 'KWD', 'OMR', 'TND'] as const)(
    'three-decimal %s: refuses a last digit other than 0 (5.124 must be 5.120 or 5.130)',
    (currency) => {
      expect(stripeAmountProblem(money(5124, currency))).toMatch(/last digit 0/);
      expect(() => toStripeAmount(money(5124, currency), 'refund')).toThrow(
        expect.objectContaining({ name: 'InvalidPaymentError' }),
      );
      expect(stripeUnitsProblem(5124, currency, 'charge')?.code).toBe('amount_last_digit_not_zero');
    },
  );

  it('ISK: 5,000 krónur go to Stripe as 500000, never as 5000 (which Stripe would charge as 50 ISK)', () => {
    expect(toStripeAmount(money(5000, 'ISK'), 'charge')).toBe(500_000);
    expect(stripeUnitsProblem(5050, 'ISK', 'charge')).toMatchObject({
      code: 'invalid_charge_amount_no_decimal_compatible',
    });
  });

  it('reading a Stripe amount that is no whole number of ledger units is a ledger invariant error', () => {
    expect(() => fromStripeAmount(5050, 'ISK', 'charge pi_1')).toThrow(
      expect.objectContaining({ name: 'LedgerInvariantError' }),
    );
  });

  it('HUF: two-decimal for charges; the payout rule (multiples of 100) is written down, not applied to charges', () => {
    expect(STRIPE_CURRENCY_RULES.HUF).toMatchObject({
      stripeExponent: 2,
      multipleOf: 1,
      payoutMultipleOf: 100,
    });
    expect(stripeAmountProblem(money(17_550, 'HUF'))).toBeUndefined();
  });

  // https://docs.stripe.com/currencies, "Special cases": "UGX transitioned to a zero-decimal currency, but
  // backwards compatibility requires you to represent it as a two-decimal value [...] to charge 5 UGX,
  // provide an amount value of 500", as for ISK; TWD, like HUF, is zero-decimal for payouts only.
  it('UGX: two-decimal in the API in whole shillings (a special case, though listed as zero-decimal), like ISK', () => {
    expect(STRIPE_ZERO_DECIMAL).not.toContain('UGX');
    expect({ exponent: stripeExponentOf('UGX'), multipleOf: stripeMultipleOf('UGX') }).toEqual({
      exponent: 2,
      multipleOf: 100,
    });
    expect({ exponent: stripeExponentOf('ISK'), multipleOf: stripeMultipleOf('ISK') }).toEqual({
      exponent: 2,
      multipleOf: 100,
    });
    expect({ exponent: stripeExponentOf('TWD'), multipleOf: stripeMultipleOf('TWD') }).toEqual({
      exponent: 2,
      multipleOf: 1,
    });
    expect(stripeExponentOf('JPY')).toBe(0);
  });
});
