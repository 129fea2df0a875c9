import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApiRequestRecord } from '../../core/frontdoor/api-request-store';
import type { ApiClient } from '../../core/frontdoor/clients';
import type { Problem } from '../../core/frontdoor/contract';
import { type SubmitDeps, submitPayment } from '../../core/frontdoor/submit';
import { decideIntake } from '../../core/intake/decide';
import { DETAIL_TYPES } from '../../events/envelope';
import {
  caseIds,
  type DetailCase,
  detailCaseArbitrary,
  leakedPan,
} from '../helpers/arbitraries/payment-requested';

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const RUNS = Number(process.env.FUZZ_CASES ?? 2000);
const client: ApiClient = { clientId: 'fuzz', source: 'partner.fuzz' };

function door() {
  const records = new Map<string, ApiRequestRecord>();
  const published: string[] = [];
  const deps: SubmitDeps = {
    requests: {
      get: async (id) => records.get(id),
      create: async (record) =>
        !records.has(record.paymentId) && Boolean(records.set(record.paymentId, record)),
      markPublished: async () => undefined,
    },
    paymentExists: async () => false,
    publish: async (_source, detail) => {
      published.push(detail);
      return `evt-${published.length}`;
    },
    now: () => new Date(),
    logError: () => undefined,
  };
  return { deps, published };
}

/** What intake would do with the event the door published (as the rule's SQS target delivers it). */
const intakeOf = (detail: string) =>
  decideIntake(
    JSON.stringify({
      id: 'evt',
      source: client.source,
      'detail-type': DETAIL_TYPES.paymentRequested,
      detail: JSON.parse(detail),
    }),
  ).kind;

describe('POST /v1/payments under fuzzed bodies (the same generators as the intake fuzz run)', () => {
  it(`answers every case without throwing, publishes only what intake would start, and never echoes a PAN (seed ${SEED}, ${RUNS} cases)`, async () => {
    // Prepare
    const ids = caseIds('fzdoor');
    const seen = new Map<string, number>();
    const answers = new Map<number, number>();

    // Act + Assess, per case
    await fc.assert(
      fc.asyncProperty(detailCaseArbitrary(ids, 0.1), async (detailCase: DetailCase) => {
        seen.set(detailCase.category, (seen.get(detailCase.category) ?? 0) + 1);
        const { deps, published } = door();
        const key = detailCase.paymentId ?? ids.next();
        const response = await submitPayment(deps, client, { idempotencyKey: key, body: detailCase.json });
        answers.set(response.statusCode, (answers.get(response.statusCode) ?? 0) + 1);

        expect([202, 400, 413]).toContain(response.statusCode);
        expect(leakedPan(response.body, detailCase.pans), detailCase.label).toBeUndefined();
        if (detailCase.expect === 'start') expect(response.statusCode, detailCase.label).toBe(202);
        if (detailCase.expect === 'card_data_refused') {
          expect(response.statusCode, detailCase.label).toBe(400);
          expect((JSON.parse(response.body) as Problem).type).toMatch(/card_data_refused$/);
        }
        if (response.statusCode === 202) {
          // Defaults (paymentId from the key, schemaVersion, requestedAt) may make a case valid, never an invalid one pass.
          expect(published).toHaveLength(1);
          expect(intakeOf(published[0] ?? ''), detailCase.label).toBe('start');
        } else {
          expect(published).toHaveLength(0);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );

    // Assess: the corpus was what it claims to be
    for (const category of [
      'valid',
      'boundary',
      'wrongType',
      'prototypeKey',
      'pan',
      'unicode',
      'badNumber',
    ]) {
      expect(seen.get(category) ?? 0, category).toBeGreaterThan(0);
    }
    expect(answers.get(202) ?? 0).toBeGreaterThan(RUNS * 0.05);
    expect(answers.get(400) ?? 0).toBeGreaterThan(RUNS * 0.5);
  });
});
