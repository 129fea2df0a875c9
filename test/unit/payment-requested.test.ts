import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { PaymentRequestedV1 } from '../../events/payment-requested.v1';

const sample = JSON.parse(
  readFileSync(new URL('../../events/samples/PaymentRequested.v1.json', import.meta.url), 'utf8'),
).detail as Record<string, unknown>;

function withChange(change: Record<string, unknown>): unknown {
  return { ...structuredClone(sample), ...change };
}

function errorOf(input: unknown): string {
  const result = PaymentRequestedV1.safeParse(input);
  if (result.success) throw new Error('expected the payload to be rejected');
  return z.prettifyError(result.error);
}

describe('Schema: PaymentRequested v1', () => {
  it('accepts the sample', () => {
    expect(PaymentRequestedV1.parse(sample).paymentId).toBe('pay_01JD6Z8Q2M4T');
  });

  it.each([
    ['a negative amount', { value: -100, currency: 'EUR', exponent: 2 }, /greater than zero/],
    ['a zero amount', { value: 0, currency: 'EUR', exponent: 2 }, /greater than zero/],
    ['a fractional amount', { value: 12.5, currency: 'EUR', exponent: 2 }, /integer/],
    ['a huge amount', { value: 1e12, currency: 'EUR', exponent: 2 }, /at most 99999999/],
    ['an unknown currency', { value: 100, currency: 'XYZ', exponent: 2 }, /ISO 4217/],
    ['a wrong exponent', { value: 100, currency: 'JPY', exponent: 2 }, /exponent/],
    ['an amount as a string', { value: '100', currency: 'EUR', exponent: 2 }, /integer/],
  ])('rejects %s', (_, amount, message) => {
    expect(errorOf(withChange({ amount }))).toMatch(message);
  });

  it('rejects oversized fields', () => {
    expect(errorOf(withChange({ description: 'x'.repeat(501) }))).toMatch(/description/);
    expect(errorOf(withChange({ paymentId: 'p'.repeat(65) }))).toMatch(/paymentId/);
    const metadata = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    expect(errorOf(withChange({ metadata }))).toMatch(/at most 20 keys/);
    expect(errorOf(withChange({ metadata: { k: 'v'.repeat(501) } }))).toMatch(/metadata/);
  });

  it('rejects extra fields (a typo must not drop data silently)', () => {
    expect(errorOf(withChange({ amout: 5 }))).toMatch(/amout/);
  });

  it('rejects missing required fields', () => {
    const { walletId: _w, ...withoutWallet } = sample;
    expect(errorOf(withoutWallet)).toMatch(/walletId/);
  });

  it('refuses a card number as payment method or anywhere in free text, without echoing it', () => {
    // Act
    const asMethod = errorOf(withChange({ paymentMethod: '4242424242424242' }));
    const inDescription = errorOf(withChange({ description: 'card 4242 4242 4242 4242' }));
    const inMetadata = errorOf(withChange({ metadata: { note: '5555555555554444' } }));
    // Assess
    expect(asMethod).toMatch(/payment-method token/);
    expect(inDescription).toMatch(/card number/);
    expect(inMetadata).toMatch(/card number/);
    for (const message of [asMethod, inDescription, inMetadata]) expect(message).not.toMatch(/4242|5555/);
  });

  it('rejects a requestedAt that is not an ISO date-time', () => {
    expect(errorOf(withChange({ requestedAt: 'yesterday' }))).toMatch(/requestedAt/);
  });
});
