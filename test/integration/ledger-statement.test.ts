import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '../../core/aws/dynamodb';
import { InvalidPaymentError } from '../../core/errors';
import { checkLedgerInvariants, journalDayPks, Ledger, LedgerReader } from '../../core/ledger';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

/** Statement, adjustments, the expiry index and the sharded day index of the journal. */

let dynamo: LocalDynamo;
let clock = new Date('2026-11-23T10:00:00.000Z');
let ledger: Ledger;
let reader: LedgerReader;

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'ledger-statement' });
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger, now: () => clock });
  reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
});

afterAll(async () => {
  await dynamo.stop();
});

const uid = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const tick = () => {
  clock = new Date(clock.getTime() + 1_000);
};
const inOneHour = () => new Date(clock.getTime() + 3_600_000).toISOString();

async function openFunded(balance: number) {
  const walletId = uid('w');
  await ledger.openWallet(walletId, 'EUR');
  await ledger.deposit(walletId, balance, uid('dep'));
  tick();
  return walletId;
}

describe('Class: LedgerReader', () => {
  describe('Method: statement', () => {
    it('lists every entry newest first with its effect on available and the exact balance after, page by page', async () => {
      // Prepare
      const walletId = await openFunded(1_000);
      const [settled, released] = [uid('pay'), uid('pay')];
      const merchantId = uid('m');
      await ledger.reserve({ paymentId: settled, walletId, amount: 300, expiresAt: inOneHour() });
      tick();
      await ledger.settle({ paymentId: settled, walletId, merchantId, amount: 200 });
      tick();
      await ledger.reserve({ paymentId: released, walletId, amount: 100, expiresAt: inOneHour() });
      tick();
      await ledger.release({ paymentId: released, walletId });
      tick();
      await ledger.adjust(walletId, -50, uid('adj'), 'fee');
      // Act
      const lines = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await reader.statement(walletId, { limit: 2, ...(cursor && { cursor }) });
        lines.push(...page.lines);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);
      // Assess
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(lines.map((line) => [line.operation, line.amount, line.balanceAfter])).toEqual([
        ['adjust', -50, 750],
        ['release', 100, 800],
        ['reserve', -100, 700],
        ['settle', 100, 800],
        ['reserve', -300, 700],
        ['deposit', 1_000, 1_000],
      ]);
      expect(lines[1]).toMatchObject({ ref: released, entryId: `${released}#release` });
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 750, held: 0 });
    });

    it('keeps to the from/to window and refuses a cursor of another wallet', async () => {
      // Prepare
      const walletId = await openFunded(500);
      const start = clock.toISOString();
      await ledger.adjust(walletId, 10, uid('adj'), 'goodwill');
      tick();
      const other = await openFunded(500);
      const otherCursor = (await reader.statement(other, { limit: 1 })).nextCursor;
      // Act
      const windowed = await reader.statement(walletId, { from: start, to: start, limit: 10 });
      // Assess
      expect(windowed.lines.map((line) => line.operation)).toEqual(['adjust']);
      expect(windowed.nextCursor).toBeUndefined();
      expect(otherCursor).toBeDefined();
      await expect(reader.statement(walletId, { limit: 1, cursor: otherCursor ?? '' })).rejects.toThrow(
        InvalidPaymentError,
      );
    });
  });

  describe('Method: walletsWithHoldsExpiringBefore', () => {
    it('finds the wallets with a hold expiring before an instant, and forgets them once swept', async () => {
      // Prepare
      const expiring = await openFunded(1_000);
      const later = await openFunded(1_000);
      const [soon, kept] = [uid('pay'), uid('pay')];
      const in10s = new Date(clock.getTime() + 10_000).toISOString();
      await ledger.reserve({ paymentId: soon, walletId: expiring, amount: 100, expiresAt: in10s });
      await ledger.reserve({ paymentId: kept, walletId: expiring, amount: 100, expiresAt: in10s });
      await ledger.reserve({ paymentId: uid('pay'), walletId: later, amount: 100, expiresAt: inOneHour() });
      const cutoff = new Date(clock.getTime() + 60_000);
      const listed = async () => {
        const ids: string[] = [];
        for await (const id of reader.walletsWithHoldsExpiringBefore(cutoff)) ids.push(id);
        return ids;
      };
      const before = await listed();
      clock = new Date(clock.getTime() + 30_000);
      // Act
      const first = await ledger.expireHolds(expiring, { skip: async (paymentId) => paymentId === kept });
      const afterFirst = await listed();
      const second = await ledger.expireHolds(expiring);
      const afterSecond = await listed();
      // Assess
      expect(before).toContain(expiring);
      expect(before).not.toContain(later);
      expect(first.expired).toEqual([{ walletId: expiring, paymentId: soon, amount: 100 }]);
      expect(afterFirst).toContain(expiring);
      expect(second.expired).toEqual([{ walletId: expiring, paymentId: kept, amount: 100 }]);
      expect(afterSecond).not.toContain(expiring);
      expect((await reader.listPaymentEntries(soon)).map((entry) => entry.operation).sort()).toEqual([
        'expire',
        'reserve',
      ]);
      expect(await reader.getWallet(expiring)).toMatchObject({ available: 1_000, held: 0, holds: {} });
    });
  });

  describe('Method: entriesInPeriod', () => {
    it('reads a day spread over every shard of the day index, in effectiveAt order', async () => {
      // Prepare
      clock = new Date('2026-11-24T08:00:00.000Z');
      const walletId = await openFunded(10_000);
      for (let i = 0; i < 12; i++) {
        await ledger.adjust(walletId, 1, uid('adj'), 'spread');
        tick();
      }
      const day = '2026-11-24';
      // Act
      const entries = [];
      for await (const entry of reader.entriesInPeriod(day, day, 2)) entries.push(entry);
      // Assess
      const mine = entries.filter((entry) => entry.walletId === walletId);
      expect(mine).toHaveLength(13);
      const times = entries.map((entry) => entry.effectiveAt);
      expect(times).toEqual([...times].sort());
      expect(journalDayPks(day).length).toBeGreaterThan(1);
    });

    it('still reads entries written under the unsharded day key before the index was sharded', async () => {
      // Prepare
      const day = '2026-11-25';
      const effectiveAt = `${day}T09:00:00.000Z`;
      const entryId = `${uid('pay')}#reserve`;
      await dynamo.doc.send(
        new PutCommand({
          TableName: dynamo.tables.ledger,
          Item: {
            pk: `JOURNAL#${entryId}`,
            sk: 'OP#reserve',
            kind: 'journal',
            entryId,
            ref: entryId.split('#')[0],
            operation: 'reserve',
            walletId: 'w-legacy',
            currency: 'EUR',
            lines: [
              { account: 'wallet:w-legacy', amount: -5 },
              { account: 'holds:w-legacy', amount: 5 },
            ],
            effectiveAt,
            gsi1pk: `JOURNAL#${day}`,
            gsi1sk: `${effectiveAt}#${entryId}`,
          },
        }),
      );
      // Act
      const entries = [];
      for await (const entry of reader.entriesInPeriod(day, day)) entries.push(entry);
      // Assess
      expect(entries.map((entry) => entry.entryId)).toContain(entryId);
    });
  });
});

describe('Class: Ledger', () => {
  describe('Method: adjust', () => {
    it('credits or debits once per adjustmentId against the adjustments account, never below 0', async () => {
      // Prepare
      const walletId = await openFunded(100);
      const [credit, debit] = [uid('adj'), uid('adj')];
      // Act
      const credited = await ledger.adjust(walletId, 40, credit, 'goodwill');
      const again = await ledger.adjust(walletId, 40, credit, 'goodwill');
      const debited = await ledger.adjust(walletId, { value: -140, currency: 'EUR' }, debit, 'correction');
      // Assess
      expect(credited).toMatchObject({ amount: 40, balanceAfter: 140, replayed: false });
      expect(again).toMatchObject({ amount: 40, balanceAfter: 140, replayed: true });
      expect(debited).toMatchObject({ amount: -140, balanceAfter: 0, replayed: false });
      await expect(ledger.adjust(walletId, -1, uid('adj'), 'too much')).rejects.toThrow(/below 0/);
      await expect(ledger.adjust(walletId, 50, credit, 'goodwill')).rejects.toThrow(/different amount/);
      await expect(ledger.adjust(walletId, 0, uid('adj'), 'zero')).rejects.toThrow(InvalidPaymentError);
      const wallet = await reader.getWallet(walletId);
      expect(wallet).toMatchObject({ available: 0, held: 0, adjustments: {} });
      const report = checkLedgerInvariants(await reader.snapshotOf([walletId], []));
      expect(report.violations).toEqual([]);
      const { lines } = await reader.statement(walletId, { limit: 1 });
      expect(lines[0]).toMatchObject({ operation: 'adjust', amount: -140, balanceAfter: 0 });
    });
  });
});
