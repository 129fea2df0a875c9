import { describe, expect, it } from 'vitest';
import { API } from '../../core/config/names';
import { RefundAcceptedResponse } from '../../core/refunds/contract';
import { RefundRequestedV1 } from '../../events/refunds.v1';
import {
  acme,
  eur,
  fakes,
  globex,
  newId,
  PAN,
  problemOf,
  refund,
  submittedPayment,
} from '../helpers/refund-fakes';

describe('submitRefund', () => {
  it("accepts a refund of the caller's payment: 202 with Location, published under its own source; a repeat replays", async () => {
    // Prepare
    const { deps, published, seed } = fakes();
    const { paymentId } = seed(submittedPayment());
    const refundId = newId('ref');
    const body = { amount: eur(300), reason: '  customer returned one book  ' };

    // Act
    const first = await refund(deps, acme, paymentId, refundId, body);
    const again = await refund(deps, acme, paymentId, refundId, body);

    // Assess
    expect(first.statusCode).toBe(202);
    const location = `/v1/payments/${paymentId}/refunds/${refundId}`;
    expect(first.headers.location).toBe(location);
    expect(RefundAcceptedResponse.parse(JSON.parse(first.body))).toMatchObject({
      refundId,
      paymentId,
      status: 'ACCEPTED',
      statusUrl: location,
    });
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(published.map((p) => p.source)).toEqual([acme.source, acme.source]);
    const detail = RefundRequestedV1.parse(JSON.parse(published[0]?.detail ?? '{}'));
    expect(detail).toMatchObject({
      refundId,
      paymentId,
      amount: eur(300),
      reason: 'customer returned one book',
    });
  });

  it("answers 404 for another client's payment, exactly as for an unknown one", async () => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const theirs = seed(submittedPayment());
    const body = { reason: 'refund' };

    // Act
    const other = await refund(deps, globex, theirs.paymentId, newId('ref'), body);
    const unknown = await refund(deps, globex, newId('pay'), newId('ref'), body);
    const malformed = await refund(deps, globex, 'not a payment id', newId('ref'), body);

    // Assess
    expect(other.statusCode).toBe(404);
    expect(other.body).toBe(unknown.body);
    expect(malformed.body).toBe(unknown.body);
    expect(refunds.size).toBe(0);
  });

  it('answers 404 for a payment that came from the bus (no request record of this client)', async () => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment(), { request: false, record: true });

    // Act
    const answer = await refund(deps, acme, paymentId, newId('ref'), { reason: 'refund' });

    // Assess
    expect(answer.statusCode).toBe(404);
    expect(problemOf(answer).type).toContain('payment_not_found');
    expect(refunds.size).toBe(0);
  });

  it.each([
    ['FAILED', { status: 'FAILED' as const }],
    ['NEEDS_ATTENTION', { status: 'NEEDS_ATTENTION' as const }],
  ])('answers 409 for a %s payment, naming its status', async (status, overrides) => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment(overrides));

    // Act
    const answer = await refund(deps, acme, paymentId, newId('ref'), { reason: 'refund' });

    // Assess
    expect(answer.statusCode).toBe(409);
    expect(problemOf(answer)).toMatchObject({
      paymentStatus: status,
      type: expect.stringContaining('payment_not_refundable'),
    });
    expect(problemOf(answer).detail).toContain(status);
    expect(refunds.size).toBe(0);
  });

  it("answers 409 ACCEPTED before the saga ran, and REJECTED when the saga under the id is someone else's", async () => {
    // Prepare
    const { deps, seed } = fakes();
    const early = seed(submittedPayment(), { request: true, record: false });
    const taken = seed(submittedPayment({ requestHash: 'another request' }));

    // Act
    const accepted = await refund(deps, acme, early.paymentId, newId('ref'), { reason: 'refund' });
    const rejected = await refund(deps, acme, taken.paymentId, newId('ref'), { reason: 'refund' });

    // Assess
    expect([accepted.statusCode, problemOf(accepted).paymentStatus]).toEqual([409, 'ACCEPTED']);
    expect([rejected.statusCode, problemOf(rejected).paymentStatus]).toEqual([409, 'REJECTED']);
  });

  it('answers 409 with the amount still refundable when more is asked', async () => {
    // Prepare
    const { deps, seed } = fakes();
    const { paymentId } = seed(
      submittedPayment({ refundCommitted: 1000, refundCommittedGateway: 750, refundCommittedWallet: 250 }),
    );

    // Act
    const answer = await refund(deps, acme, paymentId, newId('ref'), { amount: eur(251), reason: 'refund' });

    // Assess
    expect(answer.statusCode).toBe(409);
    expect(problemOf(answer)).toMatchObject({ refundable: eur(250), status: 409 });
    expect(problemOf(answer).detail).toContain('EUR 2.50');
  });

  it.each([
    ['zero', { amount: eur(0), reason: 'r' }, 'amount.value'],
    ['negative', { amount: eur(-5), reason: 'r' }, 'amount.value'],
    [
      'another currency',
      { amount: { value: 100, currency: 'USD', exponent: 2 }, reason: 'r' },
      'amount.currency',
    ],
    [
      'another exponent',
      { amount: { value: 100, currency: 'EUR', exponent: 3 }, reason: 'r' },
      'amount.exponent',
    ],
    ['no reason', { amount: eur(100) }, 'reason'],
    ['a blank reason', { reason: '   ' }, 'reason'],
    ['an unknown field', { reason: 'r', paymentId: 'pay_other' }, '(body)'],
  ])('answers 400 for %s, naming the field', async (_label, body, path) => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment());

    // Act
    const answer = await refund(deps, acme, paymentId, newId('ref'), body);

    // Assess
    expect(answer.statusCode).toBe(400);
    expect(problemOf(answer).errors?.map((error) => error.path)).toContain(path);
    expect(refunds.size).toBe(0);
  });

  it('refuses a card number in the reason, the key or the path with 400, never echoing it', async () => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment());

    // Act
    const inReason = await refund(deps, acme, paymentId, newId('ref'), {
      reason: `card ${PAN} was charged twice`,
    });
    const inKey = await refund(deps, acme, paymentId, PAN, { reason: 'refund' });
    const inPath = await refund(deps, acme, PAN, newId('ref'), { reason: 'refund' });

    // Assess
    for (const answer of [inReason, inKey, inPath]) {
      expect(answer.statusCode).toBe(400);
      expect(problemOf(answer).type).toContain('card_data_refused');
      expect(answer.body).not.toContain(PAN);
    }
    expect(problemOf(inReason).errors?.[0]?.path).toBe('reason');
    expect(refunds.size).toBe(0);
  });

  it('answers 400 without a valid Idempotency-Key, and when the body names another refundId', async () => {
    // Prepare
    const { deps, seed } = fakes();
    const { paymentId } = seed(submittedPayment());

    // Act
    const missing = await refund(deps, acme, paymentId, undefined, { reason: 'r' });
    const invalid = await refund(deps, acme, paymentId, 'has spaces', { reason: 'r' });
    const mismatch = await refund(deps, acme, paymentId, newId('ref'), {
      refundId: 'ref_other',
      reason: 'r',
    });

    // Assess
    expect([missing.statusCode, invalid.statusCode, mismatch.statusCode]).toEqual([400, 400, 400]);
    expect(problemOf(missing).errors?.[0]?.path).toBe(`header:${API.idempotencyHeader}`);
    expect(problemOf(mismatch).errors?.[0]?.path).toBe('refundId');
  });

  it('answers 409 for the same key with another body, and records nothing new', async () => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment());
    const refundId = newId('ref');
    await refund(deps, acme, paymentId, refundId, { amount: eur(100), reason: 'r' });

    // Act
    const answer = await refund(deps, acme, paymentId, refundId, { amount: eur(200), reason: 'r' });

    // Assess
    expect(answer.statusCode).toBe(409);
    expect(problemOf(answer).type).toContain('idempotency_key_reused');
    expect(refunds.get(`${paymentId}/${refundId}`)?.requestedAmount).toBe(100);
  });

  it('answers 503 when the bus is busy, keeps the request, and publishes it on a retry with the same key', async () => {
    // Prepare
    const { deps, seed, refunds, published, heal } = fakes({ publishFails: 'transient' });
    const { paymentId } = seed(submittedPayment());
    const refundId = newId('ref');

    // Act
    const busy = await refund(deps, acme, paymentId, refundId, { reason: 'r' });
    heal();
    const retried = await refund(deps, acme, paymentId, refundId, { reason: 'r' });

    // Assess
    expect(busy.statusCode).toBe(503);
    expect(refunds.get(`${paymentId}/${refundId}`)?.status).toBe('REQUESTED');
    expect(retried.statusCode).toBe(202);
    expect(published).toHaveLength(1);
  });

  it('answers 500 publish_refused when the bus refuses the entry, the request kept', async () => {
    // Prepare
    const { deps, seed, refunds } = fakes({ publishFails: 'refused' });
    const { paymentId } = seed(submittedPayment());
    const refundId = newId('ref');

    // Act
    const answer = await refund(deps, acme, paymentId, refundId, { reason: 'r' });

    // Assess
    expect(answer.statusCode).toBe(500);
    expect(problemOf(answer).type).toContain('publish_refused');
    expect(refunds.has(`${paymentId}/${refundId}`)).toBe(true);
  });
});
