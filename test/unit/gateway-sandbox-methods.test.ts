import { describe, expect, it } from 'vitest';
import { canonicalParams, parseForm } from '../../local/sandbox-gateway/form';
import { behaviourOf, faultApplies, SANDBOX_PAYMENT_METHODS } from '../../local/sandbox-gateway/test-methods';

describe('Function: behaviourOf', () => {
  it.each([
    ['pm_card_visa', { kind: 'approve' }],
    [
      'pm_card_chargeDeclined',
      { kind: 'decline', declineCode: 'generic_decline', message: 'Your card was declined.' },
    ],
    ['pm_sandbox_unavailable_3', { kind: 'unavailable', times: 3 }],
    ['pm_sandbox_unavailable', { kind: 'unavailable', times: undefined }],
    ['pm_sandbox_timeout_1', { kind: 'timeout', times: 1 }],
    ['pm_sandbox_dropresponse_2', { kind: 'dropresponse', times: 2 }],
    ['pm_sandbox_ratelimited_1', { kind: 'ratelimited', times: 1 }],
    ['pm_sandbox_slow', { kind: 'slow', delayMs: undefined }],
    ['pm_sandbox_slow_250ms', { kind: 'slow', delayMs: 250 }],
    ['pm_sandbox_refundfail', { kind: 'refundfail' }],
    ['pm_unknown', undefined],
    ['pm_sandbox_timeout_x', undefined],
  ])('reads %s', (paymentMethod, expected) => {
    // Prepare / Act
    const behaviour = behaviourOf(paymentMethod);

    // Assess
    expect(behaviour).toEqual(expected);
  });

  it('knows every concrete method of the documented table', () => {
    // Prepare
    const concrete = SANDBOX_PAYMENT_METHODS.map((row) => row.paymentMethod.replace('_<n>', '_2')).filter(
      (pm) => pm.startsWith('pm_'),
    );

    // Act
    const unknown = concrete.filter((pm) => behaviourOf(pm) === undefined);

    // Assess
    expect(concrete.length).toBeGreaterThan(8);
    expect(unknown).toEqual([]);
  });
});

describe('Function: faultApplies', () => {
  it('fails the first n attempts, then lets them through; without n, always fails', () => {
    // Prepare / Act
    const schedule = [1, 2, 3].map((attempt) => faultApplies(2, attempt));

    // Assess
    expect(schedule).toEqual([true, true, false]);
    expect(faultApplies(undefined, 99)).toBe(true);
  });
});

describe('Function: parseForm', () => {
  it('nests bracket keys the way the Stripe SDK encodes them', () => {
    // Prepare
    const body =
      'amount=1250&currency=eur&metadata[paymentId]=pay-1&metadata[note]=a%20b&allowed_payment_method_types[0]=card&created%5Bgte%5D=10';

    // Act
    const params = parseForm(body);

    // Assess
    expect(params).toEqual({
      amount: '1250',
      currency: 'eur',
      metadata: { paymentId: 'pay-1', note: 'a b' },
      allowed_payment_method_types: { 0: 'card' },
      created: { gte: '10' },
    });
  });
});

describe('Function: canonicalParams', () => {
  it('gives the same fingerprint for the same params in another order, and another for other values', () => {
    // Prepare / Act
    const a = canonicalParams('amount=1&metadata[x]=1&currency=eur');
    const b = canonicalParams('currency=eur&amount=1&metadata%5Bx%5D=1');
    const c = canonicalParams('currency=eur&amount=2&metadata[x]=1');

    // Assess
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});
