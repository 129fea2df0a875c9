import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdateCommand } from '../../core/aws/dynamodb';
import { LedgerInvariantError } from '../../core/errors';
import { checkLedgerInvariants, Ledger, LedgerReader, walletKey } from '../../core/ledger';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

/**
 * A wallet lasts its whole life: its item holds only what is open now, and
 * every operation stays idempotent by its journal entry once the wallet's
 * marker of it is gone (removed after the operation closed, or by the old
 * compaction).
 */

let dynamo: LocalDynamo;
const clock = new Date('2026-11-22T10:00:00.000Z');
let ledger: Ledger;
let reader: LedgerReader;

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'ledger-lifetime' });
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger, now: () => clock });
  reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
});

afterAll(async () => {
  await dynamo.stop();
});

const uid = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const inOneHour = new Date(clock.getTime() + 3_600_000).toISOString();

/** Removes the wallet's marker of an operation, as the old compactWallet did (or as closing one does now). */
async function dropMarker(walletId: string, map: 'holds' | 'deposits', key: string): Promise<void> {
  await dynamo.doc.send(
    new UpdateCommand({
      TableName: dynamo.tables.ledger,
      Key: walletKey(walletId),
      UpdateExpression: 'REMOVE #map.#key',
      ExpressionAttributeNames: { '#map': map, '#key': key },
    }),
  );
}

async function funded(balance: number) {
  const walletId = uid('w');
  const depositId = uid('dep');
  await ledger.openWallet(walletId, 'EUR');
  await ledger.deposit(walletId, balance, depositId);
  return { walletId, depositId, paymentId: uid('pay'), merchantId: uid('m') };
}

async function expectConserved(walletId: string, paymentIds: string[] = []) {
  const report = checkLedgerInvariants(await reader.snapshotOf([walletId], paymentIds));
  expect(report.violations).toEqual([]);
}

describe('Class: Ledger (a wallet for life)', () => {
  it('a deposit replayed after its wallet marker was removed credits once', async () => {
    // Prepare
    const { walletId, depositId } = await funded(1_000);
    await dropMarker(walletId, 'deposits', depositId);
    // Act
    const replay = await ledger.deposit(walletId, 1_000, depositId);
    // Assess
    expect(replay.replayed).toBe(true);
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 1_000, held: 0 });
    await expectConserved(walletId);
  });

  it('a reserve replayed after its settled hold left the wallet places no second hold', async () => {
    // Prepare
    const ids = await funded(1_000);
    await ledger.reserve({ ...ids, amount: 400, expiresAt: inOneHour });
    await ledger.settle({ ...ids, amount: 400 });
    await dropMarker(ids.walletId, 'holds', ids.paymentId);
    // Act
    const replay = await ledger.reserve({ ...ids, amount: 400, expiresAt: inOneHour });
    const settleAgain = await ledger.settle({ ...ids, amount: 400 });
    // Assess
    expect(replay).toMatchObject({ replayed: true, state: 'POSTED' });
    expect(settleAgain).toMatchObject({ replayed: true, captured: 400 });
    expect(await reader.getWallet(ids.walletId)).toMatchObject({ available: 600, held: 0 });
    await expectConserved(ids.walletId, [ids.paymentId]);
  });

  it('release and refund replayed after their markers left the wallet move no money again', async () => {
    // Prepare
    const released = await funded(1_000);
    await ledger.reserve({ ...released, amount: 300, expiresAt: inOneHour });
    await ledger.release(released);
    await dropMarker(released.walletId, 'holds', released.paymentId);
    const refunded = await funded(1_000);
    await ledger.reserve({ ...refunded, amount: 300, expiresAt: inOneHour });
    await ledger.settle({ ...refunded, amount: 300 });
    await ledger.refund({ ...refunded, refundId: 're_1' });
    await dropMarker(refunded.walletId, 'holds', refunded.paymentId);
    // Act
    const release = await ledger.release(released);
    const refund = await ledger.refund({ ...refunded, refundId: 're_1' });
    // Assess
    expect(release).toMatchObject({ outcome: 'already_released', replayed: true });
    await expect(ledger.reserve({ ...released, amount: 300, expiresAt: inOneHour })).rejects.toThrow(
      LedgerInvariantError,
    );
    expect(refund).toMatchObject({ refunded: 300, replayed: true });
    expect(await reader.getWallet(released.walletId)).toMatchObject({ available: 1_000, held: 0 });
    expect(await reader.getWallet(refunded.walletId)).toMatchObject({ available: 1_000, held: 0 });
    await expectConserved(released.walletId, [released.paymentId]);
    await expectConserved(refunded.walletId, [refunded.paymentId]);
  });

  it('keeps only open holds on the wallet item: closed ones live in the journal', async () => {
    // Prepare
    const ids = await funded(10_000);
    const settled = Array.from({ length: 5 }, () => uid('pay'));
    for (const paymentId of settled) {
      await ledger.reserve({ ...ids, paymentId, amount: 100, expiresAt: inOneHour });
      await ledger.settle({ ...ids, paymentId, amount: 100 });
    }
    const released = uid('pay');
    await ledger.release({ walletId: ids.walletId, paymentId: released });
    // Act
    await ledger.reserve({ ...ids, amount: 100, expiresAt: inOneHour });
    const wallet = await reader.getWallet(ids.walletId);
    // Assess
    expect(Object.keys(wallet?.holds ?? {})).toEqual([ids.paymentId]);
    expect(Object.keys(wallet?.deposits ?? {})).toEqual([]);
    expect(wallet).toMatchObject({ available: 9_400, held: 100 });
    expect(await reader.holdOf(ids.walletId, settled[0] ?? '')).toMatchObject({
      state: 'POSTED',
      captured: 100,
      merchantId: ids.merchantId,
    });
    await expect(
      ledger.reserve({ ...ids, paymentId: released, amount: 100, expiresAt: inOneHour }),
    ).rejects.toThrow(/released before it reserved/);
    await expectConserved(ids.walletId, [...settled, ids.paymentId]);
  });
});
