import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decideIntake, sagaInput } from '../../core/intake/decide';

const sampleEvent = JSON.parse(
  readFileSync(new URL('../../events/samples/PaymentRequested.v1.json', import.meta.url), 'utf8'),
);

function body(
  detailChange: Record<string, unknown> = {},
  envelopeChange: Record<string, unknown> = {},
): string {
  const event = structuredClone(sampleEvent);
  return JSON.stringify({ ...event, ...envelopeChange, detail: { ...event.detail, ...detailChange } });
}

describe('Function: decideIntake', () => {
  it('starts a saga named by the paymentId with a canonical input', () => {
    // Act
    const decision = decideIntake(body());
    // Assess
    expect(decision.kind).toBe('start');
    if (decision.kind !== 'start') return;
    expect(decision.executionName).toBe('pay_01JD6Z8Q2M4T');
    expect(JSON.parse(decision.input).payment.amount).toEqual({ value: 1250, currency: 'EUR', exponent: 2 });
  });

  it('gives byte-identical inputs for the same request with fields in another order', () => {
    // Prepare
    const reordered = JSON.parse(body());
    reordered.detail = Object.fromEntries(Object.entries(reordered.detail).reverse());
    // Act
    const a = decideIntake(body());
    const b = decideIntake(JSON.stringify(reordered));
    // Assess
    expect(a.kind === 'start' && b.kind === 'start' && a.input === b.input).toBe(true);
  });

  it.each([
    [
      { value: 5124, currency: 'KWD', exponent: 3 },
      /amount: KWD 5\.124: the gateway takes KWD amounts in multiples of 0\.010 \(last digit 0\)/,
    ],
    [
      { value: 1_000_000, currency: 'ISK', exponent: 0 },
      /amount: ISK 1000000\.00 is above the gateway's maximum of ISK 999999\.00/,
    ],
    [{ value: 4_999, currency: 'JPY', exponent: 0 }, undefined],
    [
      { value: 49, currency: 'JPY', exponent: 0 },
      /amount: JPY 49 is below the gateway's minimum charge of JPY 50/,
    ],
  ])(
    'refuses an amount the gateway cannot take (%o) as PaymentRejected, before any hold',
    (amount, reason) => {
      // Act
      const decision = decideIntake(body({ amount }));
      // Assess
      if (reason === undefined) expect(decision.kind).toBe('start');
      else
        expect(decision).toMatchObject({
          kind: 'reject',
          reasonCode: 'invalid_event',
          reason: expect.stringMatching(reason),
        });
    },
  );

  it('rejects a body that is not JSON', () => {
    expect(decideIntake('{not json')).toMatchObject({
      kind: 'reject',
      reasonCode: 'invalid_event',
      reason: 'message body is not JSON',
    });
  });

  it('rejects an invalid request with the validation message and the paymentId it could read', () => {
    // Act
    const decision = decideIntake(body({ amount: { value: -1, currency: 'EUR', exponent: 2 } }));
    // Assess
    expect(decision).toMatchObject({
      kind: 'reject',
      reasonCode: 'invalid_event',
      paymentId: 'pay_01JD6Z8Q2M4T',
    });
    expect(decision.kind === 'reject' && decision.reason).toMatch(/greater than zero/);
  });

  it('refuses card data anywhere, naming the field but never the number', () => {
    // Act
    const decision = decideIntake(body({ metadata: { note: 'card 4111 1111 1111 1111' } }));
    // Assess
    expect(decision).toMatchObject({ kind: 'reject', reasonCode: 'card_data_refused' });
    expect(decision.kind === 'reject' && decision.reason).toContain('detail.metadata.note');
    // The card's digits with any separators (a random id in the decision may hold '4111').
    expect(JSON.stringify(decision)).not.toMatch(/4111\D{0,3}1111\D{0,3}1111\D{0,3}1111/);
  });

  it('rejects an event of another detail type', () => {
    expect(decideIntake(body({}, { 'detail-type': 'PaymentRequestd' }))).toMatchObject({
      kind: 'reject',
      reasonCode: 'invalid_event',
    });
  });

  it('sagaInput is stable', () => {
    const payment = JSON.parse(body()).detail;
    expect(sagaInput(payment)).toBe(
      sagaInput(Object.fromEntries(Object.entries(payment).reverse()) as typeof payment),
    );
  });
});
