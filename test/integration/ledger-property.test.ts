import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaysagaError } from '../../core/errors';
import { checkLedgerInvariants, Ledger, type LedgerDocumentClient, LedgerReader } from '../../core/ledger';
import {
  type CrashMoment,
  crashingClient,
  InjectedCrashError,
  type LocalDynamo,
  startDynalite,
} from '../helpers/dynalite';

/**
 * Property: whatever the interleaving of reserve / settle / release / refund /
 * expiry across a few wallets and payments, with crashes before or after any
 * write (retried or abandoned), money is conserved, nothing goes negative and
 * each payment's journal tells a possible story.
 */

let dynamo: LocalDynamo;
let reader: LedgerReader;

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'ledger-property' });
  reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
});

afterAll(async () => {
  await dynamo.stop();
});

const WALLETS = 2;
const PAYMENTS = 4;
const START = new Date('2026-11-22T16:00:00.000Z').getTime();

const Action = fc.record({
  kind: fc.constantFrom('reserve', 'settle', 'release', 'refund', 'expire', 'tick'),
  payment: fc.nat(PAYMENTS - 1),
  amount: fc.integer({ min: 1, max: 700 }),
  /** Hold lifetime in minutes; ticks advance the clock by up to two hours. */
  minutes: fc.integer({ min: 1, max: 120 }),
  crash: fc.option(
    fc.record({
      write: fc.integer({ min: 1, max: 3 }),
      moment: fc.constantFrom<CrashMoment>('before', 'after'),
    }),
    { freq: 3 },
  ),
  retryAfterCrash: fc.boolean(),
});
type Action = typeof Action extends fc.Arbitrary<infer T> ? T : never;

/** Steps of one or two actions; two run concurrently. */
const Steps = fc.array(fc.array(Action, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 6 });

interface World {
  readonly walletIds: string[];
  readonly paymentIds: string[];
  readonly merchantId: string;
  clock: number;
}

function runAction(world: World, action: Action, doc: LedgerDocumentClient): Promise<unknown> {
  const ledger = new Ledger({ doc, tableName: dynamo.tables.ledger, now: () => new Date(world.clock) });
  const paymentId = world.paymentIds[action.payment] ?? '';
  const walletId = world.walletIds[action.payment % WALLETS] ?? '';
  switch (action.kind) {
    case 'reserve':
      return ledger.reserve({
        paymentId,
        walletId,
        amount: action.amount,
        expiresAt: new Date(world.clock + action.minutes * 60_000),
      });
    case 'settle':
      // Captures up to the requested amount: full or partial when the hold is larger.
      return ledger.settle({ paymentId, walletId, merchantId: world.merchantId, amount: action.amount });
    case 'release':
      return ledger.release({ paymentId, walletId });
    case 'refund':
      return ledger.refund({ paymentId, walletId });
    case 'expire':
      return ledger.expireHolds(walletId);
    case 'tick':
      world.clock += action.minutes * 60_000;
      return Promise.resolve();
  }
}

/** Business refusals and injected crashes are expected; anything else is a bug. */
function expectedFailure(error: unknown): boolean {
  return error instanceof InjectedCrashError || error instanceof PaysagaError;
}

async function perform(world: World, action: Action): Promise<void> {
  if (!action.crash) {
    await runAction(world, action, dynamo.doc).catch((error) => {
      if (!expectedFailure(error)) throw error;
    });
    return;
  }
  const crashing = crashingClient(dynamo.doc, action.crash.write, action.crash.moment);
  await runAction(world, action, crashing.client).catch((error) => {
    if (!expectedFailure(error)) throw error;
  });
  if (action.retryAfterCrash) {
    await runAction(world, action, dynamo.doc).catch((error) => {
      if (!expectedFailure(error)) throw error;
    });
  }
}

const POSSIBLE_HISTORIES = new Set([
  '',
  'reserve',
  'reserve,settle',
  'release,reserve',
  'expire,reserve',
  'refund,reserve,settle',
]);

describe('Class: Ledger (property)', () => {
  it('conserves money under random interleavings with crashes (>= 100 runs)', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(Steps, async (steps) => {
        runs += 1;
        // Prepare
        const run = randomUUID().slice(0, 8);
        const world: World = {
          walletIds: Array.from({ length: WALLETS }, (_, i) => `w${i}-${run}`),
          paymentIds: Array.from({ length: PAYMENTS }, (_, i) => `p${i}-${run}`),
          merchantId: `m-${run}`,
          clock: START,
        };
        const setup = new Ledger({
          doc: dynamo.doc,
          tableName: dynamo.tables.ledger,
          now: () => new Date(START),
        });
        for (const walletId of world.walletIds) {
          await setup.openWallet(walletId, 'EUR');
          await setup.deposit(walletId, 1_000, `d-${walletId.replace(/[^A-Za-z0-9-]/g, '')}`);
        }
        // Act
        for (const step of steps) await Promise.all(step.map((action) => perform(world, action)));
        // Abandoned crashes are completed by the sweep's repair, as in production.
        for (const walletId of world.walletIds) await setup.repairJournal(walletId);
        // Assess
        const snapshot = await reader.snapshotOf(world.walletIds, world.paymentIds);
        const report = checkLedgerInvariants(snapshot);
        expect(report.violations).toEqual([]);
        const total = snapshot.wallets.reduce((sum, wallet) => sum + wallet.available + wallet.held, 0);
        const merchant = snapshot.entries
          .flatMap((entry) => entry.lines)
          .filter((line) => line.account === `merchant:${world.merchantId}`)
          .reduce((sum, line) => sum + line.amount, 0);
        expect(total + merchant).toBe(WALLETS * 1_000);
        for (const paymentId of world.paymentIds) {
          const history = snapshot.entries
            .filter((entry) => entry.ref === paymentId)
            .map((entry) => entry.operation)
            .sort()
            .join(',');
          expect(POSSIBLE_HISTORIES.has(history), `${paymentId}: ${history}`).toBe(true);
        }
      }),
      { numRuns: 100, endOnFailure: true },
    );
    expect(runs).toBeGreaterThanOrEqual(100);
  });
});
