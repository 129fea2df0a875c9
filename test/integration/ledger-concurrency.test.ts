import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdateCommand } from '../../core/aws/dynamodb';
import { InsufficientFundsError, LedgerContentionError } from '../../core/errors';
import { checkLedgerInvariants, Ledger, type LedgerDocumentClient, LedgerReader } from '../../core/ledger';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

let dynamo: LocalDynamo;
let reader: LedgerReader;
const now = new Date('2026-11-22T14:00:00.000Z');
const expiresAt = new Date(now.getTime() + 3_600_000).toISOString();

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'ledger-concurrency' });
  reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
});

afterAll(async () => {
  await dynamo.stop();
});

const uid = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
/** A new Ledger per caller, as separate Lambda invocations would have. */
const newLedger = (doc: LedgerDocumentClient = dynamo.doc, maxAttempts?: number) =>
  new Ledger({ doc, tableName: dynamo.tables.ledger, now: () => now, ...(maxAttempts && { maxAttempts }) });

async function fundedWallet(balance: number): Promise<string> {
  const walletId = uid('w');
  await newLedger().openWallet(walletId, 'EUR');
  await newLedger().deposit(walletId, balance, uid('dep'));
  return walletId;
}

describe('Class: Ledger (concurrency)', () => {
  it('concurrent reserves of different payments on one wallet never overdraw it', async () => {
    // Prepare
    const walletId = await fundedWallet(1_000);
    const paymentIds = Array.from({ length: 24 }, () => uid('pay'));
    // Act
    const results = await Promise.allSettled(
      paymentIds.map((paymentId) => newLedger().reserve({ paymentId, walletId, amount: 100, expiresAt })),
    );
    // Assess
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const refused = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason);
    expect(fulfilled).toHaveLength(10);
    expect(refused.every((error) => error instanceof InsufficientFundsError)).toBe(true);
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 0, held: 1_000 });
    expect(checkLedgerInvariants(await reader.snapshotOf([walletId], paymentIds)).violations).toEqual([]);
  });

  it('concurrent retries of the same reserve place one hold', async () => {
    // Prepare
    const walletId = await fundedWallet(1_000);
    const paymentId = uid('pay');
    // Act
    const results = await Promise.all(
      Array.from({ length: 8 }, () => newLedger().reserve({ paymentId, walletId, amount: 300, expiresAt })),
    );
    // Assess
    expect(new Set(results.map((r) => r.holdId)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 700, held: 300 });
    expect(await reader.listPaymentEntries(paymentId)).toHaveLength(1);
  });

  it('settle racing release on the same hold lets exactly one of them win', async () => {
    // Prepare
    const walletId = await fundedWallet(1_000);
    const paymentId = uid('pay');
    const merchantId = uid('m');
    await newLedger().reserve({ paymentId, walletId, amount: 400, expiresAt });
    // Act
    const [settle, release] = await Promise.allSettled([
      newLedger().settle({ paymentId, walletId, merchantId, amount: 400 }),
      newLedger().release({ paymentId, walletId }),
    ]);
    // Assess
    expect([settle.status, release.status].sort()).toEqual(['fulfilled', 'rejected']);
    const wallet = await reader.getWallet(walletId);
    expect(wallet?.available).toBe(settle.status === 'fulfilled' ? 600 : 1_000);
    expect(wallet?.held).toBe(0);
    expect(checkLedgerInvariants(await reader.snapshotOf([walletId], [paymentId])).violations).toEqual([]);
  });

  it('gives up with LedgerContentionError when every conditional write keeps losing a race', async () => {
    // Prepare: every wallet update "loses" to a concurrent writer, although a re-read shows funds suffice.
    const walletId = await fundedWallet(1_000);
    const losing: LedgerDocumentClient = {
      send: ((command: unknown) => {
        if (command instanceof UpdateCommand) {
          return Promise.reject(
            new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
          );
        }
        return (dynamo.doc.send as (c: unknown) => Promise<unknown>)(command);
      }) as LedgerDocumentClient['send'],
    };
    // Act
    const attempt = newLedger(losing, 3).reserve({ paymentId: uid('pay'), walletId, amount: 100, expiresAt });
    // Assess
    await expect(attempt).rejects.toThrow(LedgerContentionError);
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 1_000, held: 0 });
  });
});
