import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { ofPayment } from '../../cli/ops/dlq-messages';

const uniqueId = (prefix: string) => `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
const messageOf = (body: unknown): Message => ({ MessageId: uniqueId('msg'), Body: JSON.stringify(body) });

describe('Function: ofPayment (the compensation DLQ messages of one payment)', () => {
  it('takes the payment saga compensation message of the payment, with or without its kind', () => {
    // Prepare
    const paymentId = uniqueId('pay_dlq');
    const take = ofPayment(paymentId);

    // Act
    const withKind = take(messageOf({ kind: 'compensation', paymentId, saga: {} }));
    const withoutKind = take(messageOf({ paymentId, saga: {} }));
    const another = take(messageOf({ kind: 'compensation', paymentId: uniqueId('pay_other'), saga: {} }));

    // Assess
    expect([withKind, withoutKind, another]).toEqual([true, true, false]);
  });

  it("leaves the refund saga's refund-compensation messages of the same payment alone", () => {
    // Prepare
    const paymentId = uniqueId('pay_dlq');
    const refund = messageOf({
      kind: 'refund-compensation',
      refundId: uniqueId('ref'),
      paymentId,
      saga: { refund: { paymentId } },
      error: 'LedgerInvariantError',
    });

    // Act
    const taken = ofPayment(paymentId)(refund);

    // Assess
    expect(taken).toBe(false);
  });

  it('leaves a body that is not JSON, or names no payment, alone', () => {
    // Prepare
    const paymentId = uniqueId('pay_dlq');
    const take = ofPayment(paymentId);

    // Act
    const junk = take({ MessageId: uniqueId('msg'), Body: 'not json' });
    const none = take(messageOf({ kind: 'compensation' }));

    // Assess
    expect([junk, none]).toEqual([false, false]);
  });
});
