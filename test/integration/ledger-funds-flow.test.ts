import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsufficientFundsError, LedgerInvariantError } from '../../core/errors';
import {
  checkLedgerInvariants,
  GATEWAY_ACCOUNT,
  Ledger,
  LedgerReader,
  merchantAccount,
} from '../../core/ledger';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

let dynamo: LocalDynamo;
const clock = new Date('2026-12-04T10:00:00.000Z');
let ledger: Ledger;
let reader: LedgerReader;

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'ledgerff' });
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger, now: () => clock });
  reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
});

afterAll(async () => {
  await dynamo.stop();
});

const uid = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const inOneHour = () => new Date(clock.getTime() + 3_600_000).toISOString();

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

describe('Class: Ledger (wallet-first funds flow)', () => {
  describe('Method: reserve with upToAvailable', () => {
    it('holds the whole available balance when it is short, and a replay answers the same split after a deposit', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(1000);
      const request = { paymentId, walletId, amount: 1250, expiresAt: inOneHour(), upToAvailable: true };
      // Act
      const first = await ledger.reserve(request);
      await ledger.deposit(walletId, 5000, uid('dep'));
      const replay = await ledger.reserve(request);
      // Assess
      expect(first).toMatchObject({ amount: 1000, requested: 1250, state: 'PENDING', replayed: false });
      expect(replay).toMatchObject({ amount: 1000, requested: 1250, replayed: true });
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 5000, held: 1000 });
      await assertConserved([walletId], [paymentId]);
    });

    it('holds the whole amount when the wallet covers it, and nothing (no write) when it is empty', async () => {
      // Prepare
      const rich = await funded(5000);
      const empty = await funded(0);
      // Act
      const full = await ledger.reserve({
        ...rich,
        amount: 1250,
        expiresAt: inOneHour(),
        upToAvailable: true,
      });
      const none = await ledger.reserve({
        ...empty,
        amount: 1250,
        expiresAt: inOneHour(),
        upToAvailable: true,
      });
      // Assess
      expect(full).toMatchObject({ amount: 1250, requested: 1250, state: 'PENDING' });
      expect(none).toMatchObject({ amount: 0, requested: 1250, state: 'NONE' });
      expect(await reader.getWallet(empty.walletId)).toMatchObject({ available: 0, held: 0, holds: {} });
      expect(await reader.listPaymentEntries(empty.paymentId)).toEqual([]);
    });

    it('with the card part rule, a wallet short by less than the minimum charge holds less so the card part is the minimum', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(1249);
      const restRule = { minimum: 50, multipleOf: 1 };
      const request = {
        paymentId,
        walletId,
        amount: 1250,
        expiresAt: inOneHour(),
        upToAvailable: true,
        restRule,
      };
      // Act
      const reserved = await ledger.reserve(request);
      const replay = await ledger.reserve(request);
      // Assess
      expect(reserved).toMatchObject({ amount: 1200, requested: 1250, state: 'PENDING' });
      expect(replay).toMatchObject({ amount: 1200, replayed: true });
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 49, held: 1200 });
      await assertConserved([walletId], [paymentId]);
    });

    it('with the card part rule, the rest goes up to the amount step (KWD 0.010), up to the minimum for a small amount, and is the whole of an amount at the minimum', async () => {
      // Prepare
      const stepped = await funded(4995);
      const little = await funded(30);
      const atMinimum = await funded(30);
      const rule = { upToAvailable: true, expiresAt: inOneHour() };
      // Act
      const kwd = await ledger.reserve({
        ...stepped,
        amount: 10_000,
        ...rule,
        restRule: { minimum: 0, multipleOf: 10 },
      });
      const small = await ledger.reserve({
        ...little,
        amount: 60,
        ...rule,
        restRule: { minimum: 50, multipleOf: 1 },
      });
      const cardOnly = await ledger.reserve({
        ...atMinimum,
        amount: 50,
        ...rule,
        restRule: { minimum: 50, multipleOf: 1 },
      });
      // Assess
      expect(kwd).toMatchObject({ amount: 4990, requested: 10_000, state: 'PENDING' });
      expect(small).toMatchObject({ amount: 10, requested: 60, state: 'PENDING' });
      expect(cardOnly).toMatchObject({ amount: 0, requested: 50, state: 'NONE' });
      expect(await reader.getWallet(atMinimum.walletId)).toMatchObject({ available: 30, held: 0 });
      await assertConserved([stepped.walletId, little.walletId], [stepped.paymentId, little.paymentId]);
    });

    it('with the card part rule, an amount below the minimum charge the wallet does not cover is InsufficientFundsError', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(20);
      // Act
      const reserving = ledger.reserve({
        paymentId,
        walletId,
        amount: 40,
        expiresAt: inOneHour(),
        upToAvailable: true,
        restRule: { minimum: 50, multipleOf: 1 },
      });
      // Assess
      await expect(reserving).rejects.toBeInstanceOf(InsufficientFundsError);
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 20, held: 0 });
    });

    it('without upToAvailable a short wallet is still InsufficientFundsError (wallet only)', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(1000);
      // Act & Assess
      await expect(
        ledger.reserve({ paymentId, walletId, amount: 1250, expiresAt: inOneHour() }),
      ).rejects.toBeInstanceOf(InsufficientFundsError);
      expect(await reader.getWallet(walletId)).toMatchObject({ available: 1000, held: 0 });
    });
  });

  describe('Method: settleCard / refundCard', () => {
    it('credits the merchant from the gateway account once, and reverses it once', async () => {
      // Prepare
      const { walletId, paymentId, merchantId } = await funded(1000);
      await ledger.reserve({
        paymentId,
        walletId,
        amount: 1250,
        expiresAt: inOneHour(),
        upToAvailable: true,
      });
      const card = { paymentId, walletId, merchantId, amount: { value: 250, currency: 'EUR' as const } };
      // Act
      await ledger.settle({ paymentId, walletId, merchantId, amount: 1000 });
      const first = await ledger.settleCard(card);
      const replay = await ledger.settleCard(card);
      // Assess
      expect(first).toMatchObject({ amount: 250, replayed: false });
      expect(replay).toMatchObject({ amount: 250, replayed: true, postedAt: first.postedAt });
      const entries = await reader.listPaymentEntries(paymentId);
      expect(entries.find((e) => e.operation === 'settle_card')?.lines).toEqual([
        { account: GATEWAY_ACCOUNT, amount: -250 },
        { account: merchantAccount(merchantId), amount: 250 },
      ]);
      await expect(
        ledger.settleCard({ ...card, amount: { value: 300, currency: 'EUR' } }),
      ).rejects.toBeInstanceOf(LedgerInvariantError);
      await assertConserved([walletId], [paymentId]);

      // Act: the compensation of a Settle that landed
      const reversed = await ledger.refundCard({ paymentId, walletId });
      const again = await ledger.refundCard({ paymentId, walletId });
      // Assess
      expect(reversed).toMatchObject({ amount: 250, replayed: false });
      expect(again).toMatchObject({ amount: 250, replayed: true });
      const after = await reader.listPaymentEntries(paymentId);
      expect(after.find((e) => e.operation === 'refund_card')?.lines).toEqual([
        { account: GATEWAY_ACCOUNT, amount: 250 },
        { account: merchantAccount(merchantId), amount: -250 },
      ]);
      await assertConserved([walletId], [paymentId]);
    });

    it('refundCard of a payment whose card part never settled is nothing to reverse', async () => {
      // Prepare
      const { walletId, paymentId } = await funded(0);
      // Act & Assess
      expect(await ledger.refundCard({ paymentId, walletId })).toBeUndefined();
    });
  });
});
