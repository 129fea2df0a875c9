import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerInvariantError } from '../../core/errors';
import { checkLedgerInvariants, Ledger, LedgerReader } from '../../core/ledger';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

let dynamo: LocalDynamo;
let clock = new Date('2026-11-22T10:00:00.000Z');
let ledger: Ledger;
let reader: LedgerReader;

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'ledger-compaction' });
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger, now: () => clock });
  reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
});

afterAll(async () => {
  await dynamo.stop();
});

const uid = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const days = (n: number) => new Date(clock.getTime() + n * 86_400_000);

describe('Class: Ledger', () => {
  describe('Method: compactWallet', () => {
    it('removes markers of closed operations, keeps balances, journal and the pending hold, and refuses a late reserve', async () => {
      // Prepare: a settled, a released and a still pending payment, thirty days apart from the compaction.
      const walletId = uid('w');
      const merchantId = uid('m');
      const [settled, released, pending] = [uid('pay'), uid('pay'), uid('pay')];
      const depositId = uid('dep');
      await ledger.openWallet(walletId, 'EUR');
      await ledger.deposit(walletId, 1_000, depositId);
      for (const paymentId of [settled, released, pending]) {
        await ledger.reserve({ paymentId, walletId, amount: 200, expiresAt: days(60) });
      }
      await ledger.settle({ paymentId: settled, walletId, merchantId, amount: 150 });
      await ledger.release({ paymentId: released, walletId });
      const before = await reader.getWallet(walletId);
      clock = days(31);
      // Act
      const removed = await ledger.compactWallet(walletId, days(-1));
      const again = await ledger.compactWallet(walletId, days(-1));
      // Assess
      expect(removed).toBe(3);
      expect(again).toBe(0);
      const after = await reader.getWallet(walletId);
      expect(after).toMatchObject({ available: before?.available, held: before?.held, deposits: {} });
      expect(Object.keys(after?.holds ?? {})).toEqual([pending]);
      const report = checkLedgerInvariants(
        await reader.snapshotOf([walletId], [settled, released, pending], [depositId]),
      );
      expect(report.violations).toEqual([]);
      await expect(
        ledger.reserve({ paymentId: settled, walletId, amount: 200, expiresAt: days(1) }),
      ).rejects.toThrow(LedgerInvariantError);
      await expect(ledger.settle({ paymentId: settled, walletId, merchantId, amount: 150 })).rejects.toThrow(
        LedgerInvariantError,
      );
      expect(await reader.getWallet(walletId)).toMatchObject({ available: before?.available, held: 200 });
    });

    it('leaves operations closed after the cutoff alone and refuses a cutoff in the future', async () => {
      // Prepare
      const walletId = uid('w');
      const paymentId = uid('pay');
      await ledger.openWallet(walletId, 'EUR');
      await ledger.deposit(walletId, 500, uid('dep'));
      await ledger.reserve({ paymentId, walletId, amount: 100, expiresAt: days(1) });
      await ledger.release({ paymentId, walletId });
      // Act
      const removed = await ledger.compactWallet(walletId, days(-1));
      // Assess
      expect(removed).toBe(0);
      await expect(ledger.compactWallet(walletId, days(1))).rejects.toThrow(/in the future/);
      expect(Object.keys((await reader.getWallet(walletId))?.holds ?? {})).toEqual([paymentId]);
    });
  });
});
