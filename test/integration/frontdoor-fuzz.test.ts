import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApiRequestRecord } from '../../core/frontdoor/api-request-store';
import type { ApiClient } from '../../core/frontdoor/clients';
import type { Problem } from '../../core/frontdoor/contract';
import { type SubmitDeps, submitPayment } from '../../core/frontdoor/submit';
import { decideIntake } from '../../core/intake/decide';
import type { Wallet } from '../../core/ledger/model';
import { OpenWalletBody } from '../../core/wallets/contract';
import { type OpenWalletDeps, openWallet } from '../../core/wallets/open';
import type { WalletKeyRecord, WalletOwnerRecord } from '../../core/wallets/owner-store';
import { parseStatementQuery, StatementQuerySchema } from '../../core/wallets/statement-query';
import { DETAIL_TYPES } from '../../events/envelope';
import {
  caseIds,
  type DetailCase,
  detailCaseArbitrary,
  leakedPan,
} from '../helpers/arbitraries/payment-requested';
import {
  type StatementQueryCase,
  statementQueryArbitrary,
  type WalletCase,
  walletCaseArbitrary,
} from '../helpers/arbitraries/wallets';

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
    walletOwner: async () => undefined,
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

/** The wallet routes' door over in-memory stores: owner and key records, and a ledger that opens wallets. */
function walletDoor() {
  const owners = new Map<string, WalletOwnerRecord>();
  const keys = new Map<string, WalletKeyRecord>();
  const wallets = new Map<string, Wallet>();
  const deps: OpenWalletDeps = {
    owners: {
      getOwner: async (walletId) => owners.get(walletId),
      claimOwner: async (record) =>
        !owners.has(record.walletId) && Boolean(owners.set(record.walletId, record)),
      getKey: async (clientId, key) => keys.get(`${clientId}#${key}`),
      createKey: async (record) => {
        const id = `${record.clientId}#${record.idempotencyKey}`;
        return !keys.has(id) && Boolean(keys.set(id, record));
      },
    },
    ledger: {
      getWallet: async (walletId) => wallets.get(walletId),
      openWallet: async (walletId, currency) => {
        const wallet = {
          walletId,
          currency,
          available: 0,
          held: 0,
          holds: {},
          createdAt: 'now',
        } as unknown as Wallet;
        wallets.set(walletId, wallets.get(walletId) ?? wallet);
        return { wallet, created: true };
      },
    },
    now: () => new Date(),
  };
  return { deps, wallets };
}

describe('POST /v1/wallets and the statement query under fuzzed input', () => {
  it(`answers every body without throwing, opens only valid requests, never echoes a PAN (seed ${SEED}, ${RUNS} cases)`, async () => {
    // Prepare
    const answers = new Map<number, number>();

    // Act + Assess, per case
    await fc.assert(
      fc.asyncProperty(walletCaseArbitrary(), async (walletCase: WalletCase) => {
        const { deps, wallets } = walletDoor();
        const response = await openWallet(deps, client, {
          idempotencyKey: walletCase.key,
          body: walletCase.body,
        });
        answers.set(response.statusCode, (answers.get(response.statusCode) ?? 0) + 1);
        const parsed = (() => {
          try {
            return JSON.parse(walletCase.body) as unknown;
          } catch {
            return undefined;
          }
        })();
        const acceptable = walletCase.expect === 'open' || OpenWalletBody.safeParse(parsed).success;

        expect([201, 400, 413], walletCase.label).toContain(response.statusCode);
        expect(leakedPan(response.body, walletCase.pans), walletCase.label).toBeUndefined();
        if (walletCase.expect === 'open') expect(response.statusCode, walletCase.label).toBe(201);
        if (walletCase.expect === 'card_data_refused') {
          expect(response.statusCode, walletCase.label).toBe(400);
          expect((JSON.parse(response.body) as Problem).type).toMatch(/card_data_refused$/);
        }
        if (response.statusCode === 201) expect(acceptable, walletCase.label).toBe(true);
        expect(wallets.size, walletCase.label).toBe(response.statusCode === 201 ? 1 : 0);
      }),
      { seed: SEED, numRuns: RUNS },
    );

    // Assess: both sides of the door were exercised
    expect(answers.get(201) ?? 0).toBeGreaterThan(RUNS * 0.1);
    expect(answers.get(400) ?? 0).toBeGreaterThan(RUNS * 0.4);
  });

  it(`validates every statement query: parameters by name, card data never echoed (seed ${SEED})`, () => {
    fc.assert(
      fc.property(statementQueryArbitrary(), (queryCase: StatementQueryCase) => {
        const result = parseStatementQuery(queryCase.query);
        const text = result.ok ? JSON.stringify(result.value) : result.response.body;
        expect(leakedPan(text, queryCase.pans), queryCase.label).toBeUndefined();
        if (queryCase.expect === 'ok') expect(result.ok, queryCase.label).toBe(true);
        if (queryCase.expect === 'card_data_refused') {
          expect(result.ok, queryCase.label).toBe(false);
          if (!result.ok) expect(result.response.body).toContain('card_data_refused');
        }
        if (queryCase.expect === 'refused' && !result.ok) expect(result.response.statusCode).toBe(400);
        if (queryCase.expect === 'refused' && result.ok) {
          // Junk that happens to be a valid value (limit=7, a cursor-shaped word) is accepted as such.
          expect(StatementQuerySchema.safeParse(queryCase.query).success, queryCase.label).toBe(true);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
