import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedgerInvariants, Ledger, LedgerReader, type Wallet } from '../../core/ledger';
import {
  type CrashMoment,
  crashingClient,
  InjectedCrashError,
  type LocalDynamo,
  startDynalite,
} from '../helpers/dynalite';

/**
 * Crash injection: every write of every operation fails once, before it
 * reaches the store or after (reply lost); the retry must then produce exactly
 * the effect of one uninterrupted call, with money conserved.
 */

let dynamo: LocalDynamo;
const now = new Date('2026-11-22T12:00:00.000Z');
const later = new Date(now.getTime() + 3_600_000).toISOString();

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'ledger-crash' });
});

afterAll(async () => {
  await dynamo.stop();
});

const uid = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const ledgerOn = (doc: LedgerDocClient, clock = now) =>
  new Ledger({ doc, tableName: dynamo.tables.ledger, now: () => clock });
type LedgerDocClient = ConstructorParameters<typeof Ledger>[0]['doc'];

interface Ids {
  walletId: string;
  paymentId: string;
  merchantId: string;
  depositId: string;
}

interface Scenario {
  readonly name: string;
  /** Done without crashes: the state the operation starts from. */
  readonly prepare: (ledger: Ledger, ids: Ids) => Promise<unknown>;
  readonly act: (ledger: Ledger, ids: Ids) => Promise<unknown>;
  readonly expected: Pick<Wallet, 'available' | 'held'>;
  readonly operations: string[];
  /** The clock of the act (expiry needs one after the hold's expiry). */
  readonly clock?: Date;
}

const reserved = async (ledger: Ledger, ids: Ids, expiresAt = later) => {
  await ledger.openWallet(ids.walletId, 'EUR');
  await ledger.deposit(ids.walletId, 1_000, ids.depositId);
  await ledger.reserve({ paymentId: ids.paymentId, walletId: ids.walletId, amount: 600, expiresAt });
};
const settled = async (ledger: Ledger, ids: Ids) => {
  await reserved(ledger, ids);
  await ledger.settle({ ...ids, amount: 500 });
};

const SCENARIOS: Scenario[] = [
  {
    name: 'deposit',
    prepare: (ledger, ids) => ledger.openWallet(ids.walletId, 'EUR'),
    act: (ledger, ids) => ledger.deposit(ids.walletId, 1_000, ids.depositId),
    expected: { available: 1_000, held: 0 },
    operations: [],
  },
  {
    name: 'reserve',
    prepare: async (ledger, ids) => {
      await ledger.openWallet(ids.walletId, 'EUR');
      await ledger.deposit(ids.walletId, 1_000, ids.depositId);
    },
    act: (ledger, ids) => ledger.reserve({ ...ids, amount: 600, expiresAt: later }),
    expected: { available: 400, held: 600 },
    operations: ['reserve'],
  },
  {
    name: 'settle (partial capture)',
    prepare: reserved,
    act: (ledger, ids) => ledger.settle({ ...ids, amount: 500 }),
    expected: { available: 500, held: 0 },
    operations: ['reserve', 'settle'],
  },
  {
    name: 'release',
    prepare: reserved,
    act: (ledger, ids) => ledger.release(ids),
    expected: { available: 1_000, held: 0 },
    operations: ['release', 'reserve'],
  },
  {
    name: 'refund',
    prepare: settled,
    act: (ledger, ids) => ledger.refund({ ...ids, refundId: 're_crash' }),
    expected: { available: 1_000, held: 0 },
    operations: ['refund', 'reserve', 'settle'],
  },
  {
    name: 'adjust (debit)',
    prepare: async (ledger, ids) => {
      await ledger.openWallet(ids.walletId, 'EUR');
      await ledger.deposit(ids.walletId, 1_000, ids.depositId);
    },
    act: (ledger, ids) => ledger.adjust(ids.walletId, -300, `adj-${ids.paymentId}`, 'chargeback fee'),
    expected: { available: 700, held: 0 },
    operations: [],
  },
  {
    name: 'release before reserve (tombstone)',
    prepare: async (ledger, ids) => {
      await ledger.openWallet(ids.walletId, 'EUR');
      await ledger.deposit(ids.walletId, 1_000, ids.depositId);
    },
    act: async (ledger, ids) => {
      await ledger.release(ids);
      await expect(ledger.reserve({ ...ids, amount: 100, expiresAt: later })).rejects.toThrow(
        /released before it reserved/,
      );
    },
    expected: { available: 1_000, held: 0 },
    operations: [],
  },
  {
    name: 'expire',
    prepare: (ledger, ids) => reserved(ledger, ids, new Date(now.getTime() + 1_000).toISOString()),
    act: (ledger, ids) => ledger.expireHolds(ids.walletId),
    expected: { available: 1_000, held: 0 },
    operations: ['expire', 'reserve'],
    clock: new Date(now.getTime() + 60_000),
  },
];

const freshIds = (): Ids => ({
  walletId: uid('w'),
  paymentId: uid('pay'),
  merchantId: uid('m'),
  depositId: uid('dep'),
});

/** How many writes the operation makes when nothing fails. */
async function writesOf(scenario: Scenario): Promise<number> {
  const ids = freshIds();
  await scenario.prepare(ledgerOn(dynamo.doc), ids);
  const counting = crashingClient(dynamo.doc, 0, 'before');
  await scenario.act(ledgerOn(counting.client, scenario.clock), ids);
  return counting.writes;
}

async function assertExactlyOnce(scenario: Scenario, ids: Ids) {
  const reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
  expect(await reader.getWallet(ids.walletId)).toMatchObject(scenario.expected);
  const operations = (await reader.listPaymentEntries(ids.paymentId)).map((entry) => entry.operation).sort();
  expect(operations).toEqual([...scenario.operations].sort());
  expect(await reader.listDepositEntries(ids.depositId)).toHaveLength(1);
  const report = checkLedgerInvariants(await reader.snapshotOf([ids.walletId], [ids.paymentId]));
  expect(report.violations).toEqual([]);
}

describe('Class: Ledger (crash injection)', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: a crash before or after any of its writes, then a retry, has exactly one effect`, async () => {
      // Prepare
      const writes = await writesOf(scenario);
      expect(writes).toBeGreaterThan(0);
      const cases = Array.from({ length: writes }, (_, i) => i + 1).flatMap((n) =>
        (['before', 'after'] as CrashMoment[]).map((moment) => ({ n, moment })),
      );
      for (const { n, moment } of cases) {
        const ids = freshIds();
        await scenario.prepare(ledgerOn(dynamo.doc), ids);
        const crashing = crashingClient(dynamo.doc, n, moment);
        // Act
        await expect(scenario.act(ledgerOn(crashing.client, scenario.clock), ids)).rejects.toThrow(
          InjectedCrashError,
        );
        await scenario.act(ledgerOn(dynamo.doc, scenario.clock), ids);
        await scenario.act(ledgerOn(dynamo.doc, scenario.clock), ids);
        // Assess
        await assertExactlyOnce(scenario, ids);
      }
    });
  }

  it('an operation interrupted after its wallet write and never retried is reported, then repaired', async () => {
    // Prepare
    const ids = freshIds();
    const reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
    await ledgerOn(dynamo.doc).openWallet(ids.walletId, 'EUR');
    await ledgerOn(dynamo.doc).deposit(ids.walletId, 1_000, ids.depositId);
    const crashing = crashingClient(dynamo.doc, 1, 'after');
    await expect(
      ledgerOn(crashing.client).reserve({ ...ids, amount: 300, expiresAt: later }),
    ).rejects.toThrow(InjectedCrashError);
    const before = checkLedgerInvariants(await reader.snapshotOf([ids.walletId], [ids.paymentId]));
    // Act
    const written = await ledgerOn(dynamo.doc).repairJournal(ids.walletId);
    // Assess
    expect(before.violations).toEqual([
      expect.stringContaining('available 700 but journal says 1000'),
      expect.stringContaining('held 300 but journal says 0'),
      expect.stringContaining(`${ids.paymentId}#reserve is missing`),
    ]);
    expect(written).toBe(1);
    const after = checkLedgerInvariants(await reader.snapshotOf([ids.walletId], [ids.paymentId]));
    expect(after.violations).toEqual([]);
  });

  it('the next operation of the payment completes the journal an earlier crash cut short', async () => {
    // Prepare
    const ids = freshIds();
    const reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
    await ledgerOn(dynamo.doc).openWallet(ids.walletId, 'EUR');
    await ledgerOn(dynamo.doc).deposit(ids.walletId, 1_000, ids.depositId);
    await expect(
      ledgerOn(crashingClient(dynamo.doc, 1, 'after').client).reserve({
        ...ids,
        amount: 300,
        expiresAt: later,
      }),
    ).rejects.toThrow(InjectedCrashError);
    // Act
    await ledgerOn(dynamo.doc).release(ids);
    // Assess
    const report = checkLedgerInvariants(await reader.snapshotOf([ids.walletId], [ids.paymentId]));
    expect(report.violations).toEqual([]);
    expect(await reader.getWallet(ids.walletId)).toMatchObject({ available: 1_000, held: 0 });
  });
});
