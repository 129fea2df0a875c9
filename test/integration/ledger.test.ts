import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsufficientFundsError, InvalidPaymentError, LedgerInvariantError } from '../../core/errors';
import { checkLedgerInvariants, Ledger, LedgerReader } from '../../core/ledger';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

let dynamo: LocalDynamo;
let clock = new Date('2026-11-22T10:00:00.000Z');
let ledger: Ledger;
let reader: LedgerReader;

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'ledger' });
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger, now: () => clock });
  reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
});

afterAll(async () => {
  await dynamo.stop();
});

const uid = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const inOneHour = () => new Date(clock.getTime() + 3_600_000).toISOString();

/** A wallet with `balance` EUR and fresh payment ids. */
async function funded(balance: number) {
  const walletId = uid('w');
  await ledger.openWallet(walletId, 'EUR');
  if (balance > 0) await ledger.deposit(walletId, balance, uid('dep'));
  return { walletId, paymentId: uid('pay'), merchantId: uid('m') };
}

async function assertConserved(walletIds: string[], paymentIds: string[]) {
  const report = checkLedgerInvariants(await reader.snapshotOf(walletIds, paymentIds));
  expect(report.violations).toEqual([]);
}

describe('Class: Ledger', () => {
  describe('Method: openWallet', () => {
    it('opens an empty wallet once and returns the same wallet when asked again', async () => {
      // Prepare
      const walletId = uid('w');
      // Act
      const first = await ledger.openWallet(walletId, 'EUR');
      const second = await ledger.openWallet(walletId, 'EUR');
      // Assess
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.wallet).toMatchObject({ walletId, currency: 'EUR', available: 0, held: 0 });
    });

    it('refuses to reopen a wallet in another currency and refuses bad ids', async () => {
      // Prepare
      const walletId = uid('w');
      await ledger.openWallet(walletId, 'EUR');
      // Act + Assess
      await expect(ledger.openWallet(walletId, 'USD')).rejects.toThrow(InvalidPaymentError);
      await expect(ledger.openWallet('bad id!', 'EUR')).rejects.toThrow(/walletId/);
      await expect(ledger.openWallet(uid('w'), 'XXX')).rejects.toThrow(InvalidPaymentError);
    });
  });

  describe('Method: deposit', () => {
    it('credits the wallet once per depositId', async () => {
      // Prepare
      const { walletId } = await funded(0);
      const depositId = uid('dep');
      // Act
      const first = await ledger.deposit(walletId, 5_000, depositId);
      const again = await ledger.deposit(walletId, 5_000, depositId);
      // Assess
      expect(first.replayed).toBe(false);
      expect(again.replayed).toBe(true);
      expect((await reader.getWallet(walletId))?.available).toBe(5_000);
      expect(await reader.listDepositEntries(depositId)).toHaveLength(1);
      await assertConserved([walletId], []);
    });

    it('refuses an unknown wallet, a reused depositId with another amount, and non-integer amounts', async () => {
      // Prepare
      const { walletId } = await funded(0);
      const depositId = uid('dep');
      await ledger.deposit(walletId, 100, depositId);
      // Act + Assess
      await expect(ledger.deposit(uid('nowallet'), 100, uid('dep'))).rejects.toThrow(InvalidPaymentError);
      await expect(ledger.deposit(walletId, 200, depositId)).rejects.toThrow(/different amount/);
      await expect(ledger.deposit(walletId, 1.5, uid('dep'))).rejects.toThrow(InvalidPaymentError);
      await expect(ledger.deposit(walletId, { value: 10, currency: 'USD' }, uid('dep'))).rejects.toThrow(
        /holds EUR, not USD/,
      );
    });
  });

  describe('Method: reserve', () => {
    it('moves the amount from available to held and replays on a retry', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(10_000);
      const request = {
        paymentId,
        walletId,
        amount: { value: 2_500, currency: 'EUR' as const },
        expiresAt: inOneHour(),
      };
      // Act
      const first = await ledger.reserve(request);
      const retry = await ledger.reserve(request);
      // Assess
      expect(first).toMatchObject({ state: 'PENDING', amount: 2_500, currency: 'EUR', replayed: false });
      expect(retry).toMatchObject({ holdId: first.holdId, replayed: true });
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 7_500, held: 2_500 });
      expect((await reader.listPaymentEntries(paymentId)).map((e) => e.operation)).toEqual(['reserve']);
      await assertConserved([walletId], [paymentId]);
    });

    it('throws InsufficientFundsError and leaves the wallet untouched', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(1_000);
      // Act
      const attempt = ledger.reserve({ paymentId, walletId, amount: 1_001, expiresAt: inOneHour() });
      // Assess
      await expect(attempt).rejects.toThrow(InsufficientFundsError);
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 1_000, held: 0, holds: {} });
      expect(await reader.listPaymentEntries(paymentId)).toEqual([]);
    });

    it('refuses an unknown wallet, a currency mismatch, bad amounts and a bad expiry as InvalidPaymentError', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(1_000);
      const expiresAt = inOneHour();
      // Act + Assess
      await expect(
        ledger.reserve({ paymentId, walletId: uid('none'), amount: 1, expiresAt }),
      ).rejects.toThrow(/does not exist/);
      await expect(
        ledger.reserve({ paymentId, walletId, amount: { value: 1, currency: 'USD' }, expiresAt }),
      ).rejects.toThrow(InvalidPaymentError);
      await expect(ledger.reserve({ paymentId, walletId, amount: 0, expiresAt })).rejects.toThrow(
        InvalidPaymentError,
      );
      await expect(ledger.reserve({ paymentId, walletId, amount: 1, expiresAt: 'tomorrow' })).rejects.toThrow(
        /expiresAt/,
      );
      await expect(ledger.reserve({ paymentId, walletId, amount: 1, expiresAt: clock })).rejects.toThrow(
        /not in the future/,
      );
    });

    it('refuses a retry of the same paymentId with another amount', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(1_000);
      await ledger.reserve({ paymentId, walletId, amount: 100, expiresAt: inOneHour() });
      // Act + Assess
      await expect(
        ledger.reserve({ paymentId, walletId, amount: 200, expiresAt: inOneHour() }),
      ).rejects.toThrow(/already reserved 100/);
    });

    it('frees expired holds of the wallet before refusing for insufficient funds', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(1_000);
      await ledger.reserve({ paymentId, walletId, amount: 1_000, expiresAt: new Date(clock.getTime() + 1) });
      clock = new Date(clock.getTime() + 1_000);
      const next = uid('pay');
      // Act
      const result = await ledger.reserve({ paymentId: next, walletId, amount: 600, expiresAt: inOneHour() });
      // Assess
      expect(result.state).toBe('PENDING');
      expect((await reader.holdOf(walletId, paymentId))?.state).toBe('EXPIRED');
      await assertConserved([walletId], [paymentId, next]);
    });
  });

  describe('Method: settle', () => {
    it('posts the whole hold to the merchant and replays on a retry', async () => {
      // Prepare
      const { walletId, paymentId, merchantId } = await funded(10_000);
      await ledger.reserve({ paymentId, walletId, amount: 4_000, expiresAt: inOneHour() });
      // Act
      const first = await ledger.settle({ paymentId, walletId, merchantId, amount: 4_000 });
      const retry = await ledger.settle({ paymentId, walletId, merchantId, amount: 4_000 });
      // Assess
      expect(first).toMatchObject({ captured: 4_000, released: 0, replayed: false });
      expect(retry).toMatchObject({ captured: 4_000, replayed: true });
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 6_000, held: 0 });
      const settle = (await reader.listPaymentEntries(paymentId)).find((e) => e.operation === 'settle');
      expect(settle?.lines).toEqual([
        { account: `holds:${walletId}`, amount: -4_000 },
        { account: `merchant:${merchantId}`, amount: 4_000 },
      ]);
      await assertConserved([walletId], [paymentId]);
    });

    it('releases the remainder of a partial capture to the payer', async () => {
      // Prepare
      const { walletId, paymentId, merchantId } = await funded(10_000);
      await ledger.reserve({ paymentId, walletId, amount: 4_000, expiresAt: inOneHour() });
      // Act
      const result = await ledger.settle({ paymentId, walletId, merchantId, amount: 3_000 });
      // Assess
      expect(result).toMatchObject({ captured: 3_000, released: 1_000 });
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 7_000, held: 0 });
      await assertConserved([walletId], [paymentId]);
    });

    it('throws LedgerInvariantError without a pending hold: never placed, released, expired, or over-captured', async () => {
      // Prepare
      const { walletId, merchantId } = await funded(10_000);
      const released = uid('pay');
      const expired = uid('pay');
      const small = uid('pay');
      await ledger.reserve({ paymentId: released, walletId, amount: 100, expiresAt: inOneHour() });
      await ledger.release({ paymentId: released, walletId });
      await ledger.reserve({
        paymentId: expired,
        walletId,
        amount: 100,
        expiresAt: new Date(clock.getTime() + 1),
      });
      clock = new Date(clock.getTime() + 1_000);
      await ledger.reserve({ paymentId: small, walletId, amount: 100, expiresAt: inOneHour() });
      // Act + Assess
      const settle = (paymentId: string, amount = 100) =>
        ledger.settle({ paymentId, walletId, merchantId, amount });
      await expect(settle(uid('never'))).rejects.toThrow(/no hold was placed/);
      await expect(settle(released)).rejects.toThrow(/VOIDED/);
      await expect(settle(expired)).rejects.toThrow(/expired/);
      await expect(settle(small, 101)).rejects.toThrow(LedgerInvariantError);
      await expect(settle(small, 0)).rejects.toThrow(InvalidPaymentError);
      expect((await reader.getWallet(walletId))?.holds[small]?.state).toBe('PENDING');
    });

    it('refuses a settle retry that names another amount or merchant', async () => {
      // Prepare
      const { walletId, paymentId, merchantId } = await funded(1_000);
      await ledger.reserve({ paymentId, walletId, amount: 500, expiresAt: inOneHour() });
      await ledger.settle({ paymentId, walletId, merchantId, amount: 500 });
      // Act + Assess
      await expect(ledger.settle({ paymentId, walletId, merchantId, amount: 400 })).rejects.toThrow(
        /already settled/,
      );
      await expect(ledger.settle({ paymentId, walletId, merchantId: uid('m'), amount: 500 })).rejects.toThrow(
        LedgerInvariantError,
      );
    });
  });

  describe('Method: release', () => {
    it('voids a pending hold once and reports the replay', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(1_000);
      await ledger.reserve({ paymentId, walletId, amount: 700, expiresAt: inOneHour() });
      // Act
      const first = await ledger.release({ paymentId, walletId });
      const retry = await ledger.release({ paymentId, walletId });
      // Assess
      const lateReserve = ledger.reserve({ paymentId, walletId, amount: 700, expiresAt: inOneHour() });
      await expect(lateReserve).rejects.toThrow(/already released/);
      expect(first).toMatchObject({ outcome: 'released', releasedAmount: 700, replayed: false });
      expect(retry).toMatchObject({ outcome: 'already_released', replayed: true });
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 1_000, held: 0 });
      expect((await reader.listPaymentEntries(paymentId)).map((e) => e.operation)).toEqual([
        'release',
        'reserve',
      ]);
      await assertConserved([walletId], [paymentId]);
    });

    it('is a no-op when nothing was held, and then refuses a late reserve of that payment', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(1_000);
      // Act
      const result = await ledger.release({ paymentId, walletId });
      const late = ledger.reserve({ paymentId, walletId, amount: 100, expiresAt: inOneHour() });
      // Assess
      expect(result).toMatchObject({ outcome: 'nothing_held', releasedAmount: 0 });
      await expect(late).rejects.toThrow(/released before it reserved/);
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 1_000, held: 0 });
      expect(await ledger.release({ paymentId: uid('pay'), walletId: uid('none') })).toMatchObject({
        outcome: 'nothing_held',
      });
      await assertConserved([walletId], [paymentId]);
    });

    it('throws LedgerInvariantError for a posted hold and is a no-op after its refund', async () => {
      // Prepare
      const { walletId, paymentId, merchantId } = await funded(1_000);
      await ledger.reserve({ paymentId, walletId, amount: 300, expiresAt: inOneHour() });
      await ledger.settle({ paymentId, walletId, merchantId, amount: 300 });
      // Act + Assess
      await expect(ledger.release({ paymentId, walletId })).rejects.toThrow(/refund it instead/);
      await ledger.refund({ paymentId, walletId });
      expect(await ledger.release({ paymentId, walletId })).toMatchObject({
        outcome: 'refunded',
        releasedAmount: 0,
      });
      await assertConserved([walletId], [paymentId]);
    });
  });

  describe('Method: refund', () => {
    it('reverses a posted settlement from the merchant to the payer once', async () => {
      // Prepare
      const { walletId, paymentId, merchantId } = await funded(1_000);
      await ledger.reserve({ paymentId, walletId, amount: 400, expiresAt: inOneHour() });
      await ledger.settle({ paymentId, walletId, merchantId, amount: 400 });
      // Act
      const first = await ledger.refund({ paymentId, walletId, refundId: 're_1' });
      const retry = await ledger.refund({ paymentId, walletId, refundId: 're_1' });
      // Assess
      expect(first).toMatchObject({ refunded: 400, refundId: 're_1', replayed: false });
      expect(retry).toMatchObject({ refunded: 400, replayed: true });
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 1_000, held: 0 });
      await assertConserved([walletId], [paymentId]);
    });

    it('refunds part of a capture and refuses more than was captured or an unposted payment', async () => {
      // Prepare
      const { walletId, paymentId, merchantId } = await funded(1_000);
      const pending = uid('pay');
      await ledger.reserve({ paymentId, walletId, amount: 400, expiresAt: inOneHour() });
      await ledger.settle({ paymentId, walletId, merchantId, amount: 400 });
      await ledger.reserve({ paymentId: pending, walletId, amount: 100, expiresAt: inOneHour() });
      // Act + Assess
      await expect(ledger.refund({ paymentId, walletId, amount: 401 })).rejects.toThrow(
        /only 400 was captured/,
      );
      await expect(ledger.refund({ paymentId: pending, walletId })).rejects.toThrow(/no posted settlement/);
      await expect(ledger.refund({ paymentId: uid('x'), walletId })).rejects.toThrow(LedgerInvariantError);
      expect(await ledger.refund({ paymentId, walletId, amount: 150 })).toMatchObject({ refunded: 150 });
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 650, held: 100 });
      await assertConserved([walletId], [paymentId, pending]);
    });
  });

  describe('Method: expireHolds / sweepExpiredHolds', () => {
    it('voids expired pending holds once and leaves live ones', async () => {
      // Prepare
      const { walletId } = await funded(1_000);
      const old = uid('pay');
      const live = uid('pay');
      await ledger.reserve({
        paymentId: old,
        walletId,
        amount: 200,
        expiresAt: new Date(clock.getTime() + 1_000),
      });
      await ledger.reserve({ paymentId: live, walletId, amount: 300, expiresAt: inOneHour() });
      clock = new Date(clock.getTime() + 60_000);
      // Act
      const first = await ledger.sweepExpiredHolds(
        (async function* () {
          yield walletId;
        })(),
      );
      const again = await ledger.expireHolds(walletId);
      // Assess
      expect(first.expired).toEqual([{ walletId, paymentId: old, amount: 200 }]);
      expect(again.expired).toEqual([]);
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 700, held: 300 });
      expect(await ledger.release({ paymentId: old, walletId })).toMatchObject({ outcome: 'expired' });
      await assertConserved([walletId], [old, live]);
    });
  });
});

describe('Class: LedgerReader', () => {
  it('pages journal entries of a period through gsi1 without loading the day at once', async () => {
    // Prepare
    const { walletId, merchantId } = await funded(10_000);
    const paymentIds = [uid('pay'), uid('pay'), uid('pay')];
    for (const paymentId of paymentIds) {
      await ledger.reserve({ paymentId, walletId, amount: 100, expiresAt: inOneHour() });
      await ledger.settle({ paymentId, walletId, merchantId, amount: 100 });
    }
    const day = clock.toISOString().slice(0, 10);
    // Act
    const seen: string[] = [];
    for await (const entry of reader.entriesInPeriod(day, day, 1)) {
      if (entry.walletId === walletId) seen.push(entry.entryId);
    }
    // Assess
    const expected = paymentIds.flatMap((id) => [`${id}#reserve`, `${id}#settle`]);
    expect(seen.filter((id) => !id.endsWith('#deposit')).sort()).toEqual(expected.sort());
    expect(seen.filter((id) => id.endsWith('#deposit'))).toHaveLength(1);
  });

  it('loads the whole table as a snapshot that satisfies the invariants', async () => {
    // Act
    const snapshot = await reader.snapshot();
    // Assess
    expect(snapshot.wallets.length).toBeGreaterThan(0);
    expect(checkLedgerInvariants(snapshot).violations).toEqual([]);
  });
});
