import { describe, expect, it } from 'vitest';
import { API } from '../../core/config/names';
import type { ApiRequestRecord } from '../../core/frontdoor/api-request-store';
import type { ApiClient } from '../../core/frontdoor/clients';
import type { Problem } from '../../core/frontdoor/contract';
import { PublishFailedError } from '../../core/frontdoor/outbox-publish';
import { type SubmitDeps, submitPayment } from '../../core/frontdoor/submit';
import { MAX_BODY_BYTES, parseSubmission } from '../../core/frontdoor/submit-request';

const now = new Date('2026-11-22T10:00:00.000Z');
const acme: ApiClient = { clientId: 'acme', source: 'partner.acme' };
const globex: ApiClient = { clientId: 'globex', source: 'partner.globex' };
const valid = {
  walletId: 'wal_1',
  merchantId: 'mer_1',
  amount: { value: 1250, currency: 'EUR', exponent: 2 },
  paymentMethod: 'pm_card_visa',
};

/** An in-memory request store and bus with switchable failures. */
function fakes(
  options: { publishFails?: number; existingPayments?: string[]; walletOwners?: Record<string, string> } = {},
) {
  const records = new Map<string, ApiRequestRecord>();
  const published: { source: string; detail: string }[] = [];
  let publishFailures = options.publishFails ?? 0;
  const deps: SubmitDeps = {
    requests: {
      get: async (id) => records.get(id),
      create: async (record) => {
        if (records.has(record.paymentId)) return false;
        records.set(record.paymentId, record);
        return true;
      },
      markPublished: async (id, eventId, at) => {
        const record = records.get(id);
        if (record) records.set(id, { ...record, eventId, publishedAt: at.toISOString() });
      },
    },
    paymentExists: async (id) => options.existingPayments?.includes(id) ?? false,
    publish: async (source, detail) => {
      if (publishFailures > 0) {
        publishFailures--;
        throw new PublishFailedError('bus down');
      }
      published.push({ source, detail });
      return `evt-${published.length}`;
    },
    now: () => now,
    logError: () => undefined,
    walletOwner: async (walletId) => options.walletOwners?.[walletId],
  };
  return { deps, records, published };
}

const submit = (deps: SubmitDeps, client: ApiClient, key: string | undefined, body: unknown) =>
  submitPayment(deps, client, { idempotencyKey: key, body: JSON.stringify(body) });
const problemOf = (response: { body: string }) => JSON.parse(response.body) as Problem;

describe('parseSubmission', () => {
  it('fills paymentId from the key, schemaVersion and requestedAt from the defaults', () => {
    // Act
    const result = parseSubmission({ idempotencyKey: 'pay_1', body: JSON.stringify(valid), now });

    // Assess
    expect(result.ok && result.payment).toMatchObject({
      paymentId: 'pay_1',
      schemaVersion: '1',
      requestedAt: now.toISOString(),
    });
  });

  it('hashes what the client sent, not the defaults: a retry later hashes the same', () => {
    // Act
    const first = parseSubmission({ idempotencyKey: 'pay_1', body: JSON.stringify(valid), now });
    const later = parseSubmission({
      idempotencyKey: 'pay_1',
      body: JSON.stringify({ ...valid }),
      now: new Date(now.getTime() + 60_000),
    });
    const changed = parseSubmission({
      idempotencyKey: 'pay_1',
      body: JSON.stringify({ ...valid, merchantId: 'mer_2' }),
      now,
    });

    // Assess
    expect(first.ok && later.ok && first.clientHash === later.clientHash).toBe(true);
    expect(first.ok && changed.ok && first.clientHash !== changed.clientHash).toBe(true);
  });

  it.each([
    ['a prototype-pollution key', '{"__proto__":{"polluted":true},"walletId":"w"}', '__proto__'],
    ['an array body', '[1,2]', '(body)'],
    ['a string body', '"hello"', '(body)'],
    ['null', 'null', '(body)'],
  ])('refuses %s with a field error', (_, body, path) => {
    // Act
    const result = parseSubmission({ idempotencyKey: 'pay_1', body, now });

    // Assess
    expect(result.ok).toBe(false);
    const problem = !result.ok && problemOf(result.response);
    expect(problem ? problem.status : undefined).toBe(400);
    expect(JSON.stringify(problem)).toContain(path);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a body over the limit with 413 before parsing it', () => {
    // Act
    const result = parseSubmission({ idempotencyKey: 'pay_1', body: `"${'x'.repeat(MAX_BODY_BYTES)}"`, now });

    // Assess
    expect(!result.ok && result.response.statusCode).toBe(413);
  });

  it.each([
    [{ value: 5124, currency: 'KWD', exponent: 3 }, /last digit 0/],
    [{ value: 1_000_000, currency: 'ISK', exponent: 0 }, /maximum of ISK 999999\.00/],
    [{ value: 49, currency: 'EUR', exponent: 2 }, /minimum charge of EUR 0\.50/],
  ])(
    'refuses an amount the gateway cannot take (%o) with 400 at amount.value, before anything is held',
    (amount, why) => {
      // Act
      const result = parseSubmission({
        idempotencyKey: 'pay_1',
        body: JSON.stringify({ ...valid, amount }),
        now,
      });

      // Assess
      expect(!result.ok && result.response.statusCode).toBe(400);
      const problem = !result.ok ? problemOf(result.response) : undefined;
      expect(problem?.errors).toEqual([{ path: 'amount.value', message: expect.stringMatching(why) }]);
    },
  );

  it('refuses a card number in a metadata key, naming no digits', () => {
    // Act
    const result = parseSubmission({
      idempotencyKey: 'pay_1',
      body: JSON.stringify({ ...valid, metadata: { '5555555555554444': 'x' } }),
      now,
    });

    // Assess
    expect(!result.ok && result.response.statusCode).toBe(400);
    expect(!result.ok && result.response.body).not.toMatch(/5555/);
    expect(!result.ok && problemOf(result.response).type).toMatch(/card_data_refused$/);
  });

  it('refuses a card number written as a JSON number too long to survive JSON.parse (found by the fuzz run)', () => {
    // Act: 40000010010000003 parses to 40000010010000004, which is not Luhn-valid; the text is
    const result = parseSubmission({
      idempotencyKey: 'pay_1',
      body: JSON.stringify(valid).replace('1250', '40000010010000003'),
      now,
    });

    // Assess
    expect(!result.ok && problemOf(result.response).type).toMatch(/card_data_refused$/);
  });

  it('says which header is missing', () => {
    // Act
    const result = parseSubmission({ idempotencyKey: undefined, body: JSON.stringify(valid), now });

    // Assess
    expect(!result.ok && problemOf(result.response).errors?.[0]?.path).toBe(
      `header:${API.idempotencyHeader}`,
    );
  });
});

describe('submitPayment', () => {
  it("refuses a payment from a wallet another client opened with the wallet routes' 404, and publishes nothing", async () => {
    // Prepare
    const { deps, published } = fakes({ walletOwners: { wal_1: 'globex', wal_2: 'acme' } });

    // Act
    const theirs = await submit(deps, acme, 'pay_1', valid);
    const own = await submit(deps, acme, 'pay_2', { ...valid, walletId: 'wal_2' });
    const unowned = await submit(deps, acme, 'pay_3', { ...valid, walletId: 'wal_ops' });

    // Assess
    expect([theirs.statusCode, own.statusCode, unowned.statusCode]).toEqual([404, 202, 202]);
    expect(problemOf(theirs).type).toMatch(/wallet_not_found$/);
    expect(published.map((p) => (JSON.parse(p.detail) as { walletId: string }).walletId)).toEqual([
      'wal_2',
      'wal_ops',
    ]);
  });

  it('publishes once under the client source and answers a faithful retry with the same 202', async () => {
    // Prepare
    const { deps, published } = fakes();

    // Act
    const first = await submit(deps, acme, 'pay_1', valid);
    const retry = await submit(deps, acme, 'pay_1', valid);

    // Assess
    expect([first.statusCode, retry.statusCode]).toEqual([202, 202]);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(published).toHaveLength(1);
    expect(published[0]?.source).toBe('partner.acme');
    expect(JSON.parse(published[0]?.detail ?? '{}')).toMatchObject({ paymentId: 'pay_1', walletId: 'wal_1' });
  });

  it('answers 503 when the bus fails and publishes the recorded detail on the retry', async () => {
    // Prepare
    const { deps, published, records } = fakes({ publishFails: 1 });

    // Act
    const first = await submit(deps, acme, 'pay_1', valid);
    const retry = await submit(deps, acme, 'pay_1', valid);

    // Assess
    expect(first.statusCode).toBe(503);
    expect(retry.statusCode).toBe(202);
    expect(published).toHaveLength(1);
    expect(published[0]?.detail).toBe(records.get('pay_1')?.detail);
    expect(records.get('pay_1')?.publishedAt).toBeDefined();
  });

  it('answers 409 for another body, another client, or an id a direct event already used', async () => {
    // Prepare
    const { deps, published } = fakes({ existingPayments: ['pay_direct'] });
    await submit(deps, acme, 'pay_1', valid);

    // Act
    const otherBody = await submit(deps, acme, 'pay_1', { ...valid, walletId: 'wal_2' });
    const otherClient = await submit(deps, globex, 'pay_1', valid);
    const direct = await submit(deps, acme, 'pay_direct', valid);

    // Assess
    expect(problemOf(otherBody).type).toMatch(/idempotency_key_reused$/);
    expect(problemOf(otherClient).type).toMatch(/payment_id_in_use$/);
    expect(problemOf(direct).type).toMatch(/payment_id_in_use$/);
    expect([otherBody.statusCode, otherClient.statusCode, direct.statusCode]).toEqual([409, 409, 409]);
    expect(published).toHaveLength(1);
  });

  it('treats a lost race on the record as a retry of the winner', async () => {
    // Prepare: the record appears between the first read and the conditional create
    const { deps, records, published } = fakes();
    const racing: SubmitDeps = {
      ...deps,
      requests: {
        ...deps.requests,
        create: async (record) => {
          records.set(record.paymentId, { ...record, acceptedAt: '2026-11-22T09:59:59.000Z' });
          return false;
        },
      },
    };

    // Act
    const answer = await submit(racing, acme, 'pay_1', valid);

    // Assess
    expect(answer.statusCode).toBe(202);
    expect(JSON.parse(answer.body).acceptedAt).toBe('2026-11-22T09:59:59.000Z');
    expect(published).toHaveLength(1);
  });
});
