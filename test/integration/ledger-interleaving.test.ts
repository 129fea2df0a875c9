import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand, UpdateCommand } from '../../core/aws/dynamodb';
import { checkLedgerInvariants, Ledger, type LedgerDocumentClient, LedgerReader } from '../../core/ledger';
import { adjustmentRef, depositRef, guardAttribute } from '../../core/ledger/keys';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

/**
 * Interleavings forced through a wrapped document client: another caller's
 * operations run right before one of the op's own commands, as they would on
 * a busy wallet, deterministically.
 */

let dynamo: LocalDynamo;
let reader: LedgerReader;
const now = new Date('2026-11-22T15:00:00.000Z');
const expiresAt = new Date(now.getTime() + 3_600_000).toISOString();

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'ledger-interleaving' });
  reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
});

afterAll(async () => {
  await dynamo.stop();
});

const uid = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const newLedger = (doc: LedgerDocumentClient = dynamo.doc, maxAttempts?: number) =>
  new Ledger({ doc, tableName: dynamo.tables.ledger, now: () => now, ...(maxAttempts && { maxAttempts }) });

type Command = Parameters<LedgerDocumentClient['send']>[0];
/** The real client, with `before` awaited ahead of every command it selects. */
function interleaving(before: (command: Command) => Promise<void> | undefined): LedgerDocumentClient {
  return {
    send: (async (command: Command) => {
      await before(command);
      return (dynamo.doc.send as (c: Command) => Promise<unknown>)(command);
    }) as LedgerDocumentClient['send'],
  };
}

/** A paymentId whose guard counter is none of `taken` (its settle must not touch the op's guard). */
function paymentIdAvoiding(taken: ReadonlySet<string>): string {
  for (;;) {
    const paymentId = uid('busy');
    if (!taken.has(guardAttribute(paymentId))) return paymentId;
  }
}

describe('Class: Ledger (forced interleavings)', () => {
  it('deposit, adjust and refund succeed while reserves and settles of other payments land before each of their writes', async () => {
    // Prepare
    const walletId = uid('w');
    const depositId = uid('dep');
    const adjustmentId = uid('adj');
    const refunded = uid('pay');
    const merchantId = uid('m');
    await newLedger().openWallet(walletId, 'EUR');
    await newLedger().deposit(walletId, 100_000, uid('dep'));
    await newLedger().reserve({ paymentId: refunded, walletId, amount: 1_000, expiresAt });
    await newLedger().settle({ paymentId: refunded, walletId, merchantId, amount: 1_000 });
    const taken = new Set([depositRef(depositId), adjustmentRef(adjustmentId), refunded].map(guardAttribute));
    const busy: string[] = [];
    const paymentTraffic = async () => {
      const paymentIds = Array.from({ length: 4 }, () => paymentIdAvoiding(taken));
      busy.push(...paymentIds);
      await Promise.all(
        paymentIds.map(async (paymentId) => {
          await newLedger().reserve({ paymentId, walletId, amount: 100, expiresAt });
          await newLedger().settle({ paymentId, walletId, merchantId, amount: 100 });
        }),
      );
    };
    const busyWallet = interleaving((command) =>
      command instanceof UpdateCommand ? paymentTraffic() : undefined,
    );
    const ledger = newLedger(busyWallet, 3);
    // Act
    const credited = await ledger.deposit(walletId, 500, depositId);
    const adjusted = await ledger.adjust(walletId, -200, adjustmentId, 'goodwill reversal');
    const reversed = await ledger.refund({ paymentId: refunded, walletId, amount: 400, refundId: uid('rf') });
    // Assess
    expect([credited.replayed, adjusted.replayed, reversed.replayed]).toEqual([false, false, false]);
    const wallet = await reader.getWallet(walletId);
    expect(wallet).toMatchObject({
      available: 100_000 - 1_000 - busy.length * 100 + 500 - 200 + 400,
      held: 0,
    });
    expect(wallet?.deposits).toEqual({});
    expect(wallet?.adjustments ?? {}).toEqual({});
    expect(wallet?.holds).toEqual({});
    const [adjustEntry] = await reader.listPaymentEntries(adjustmentRef(adjustmentId));
    expect(adjusted.balanceAfter).toBe(adjustEntry?.balanceAfter);
    const snapshot = await reader.snapshotOf([walletId], [refunded, ...busy, adjustmentRef(adjustmentId)]);
    expect(checkLedgerInvariants(snapshot).violations).toEqual([]);
  });

  it('a deposit replayed while its first call is between wallet read and write credits once', async () => {
    // Prepare: the first call reads wallet and journal, then a retry completes the deposit, then the first writes.
    const walletId = uid('w');
    const depositId = uid('dep');
    await newLedger().openWallet(walletId, 'EUR');
    let retried = false;
    const slow = interleaving((command) => {
      if (!(command instanceof UpdateCommand) || retried) return undefined;
      retried = true;
      return newLedger()
        .deposit(walletId, 700, depositId)
        .then(() => undefined);
    });
    // Act
    const first = await newLedger(slow).deposit(walletId, 700, depositId);
    // Assess
    expect(first.replayed).toBe(true);
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 700, held: 0 });
    expect(await reader.listDepositEntries(depositId)).toHaveLength(1);
  });

  it('release that read the wallet before a concurrent reserve placed the hold releases it', async () => {
    // Prepare: the reserve lands between the release's wallet read and its journal read.
    const walletId = uid('w');
    const paymentId = uid('pay');
    await newLedger().openWallet(walletId, 'EUR');
    await newLedger().deposit(walletId, 1_000, uid('dep'));
    let reserved = false;
    const racing = interleaving((command) => {
      if (!(command instanceof QueryCommand) || reserved) return undefined;
      reserved = true;
      return newLedger()
        .reserve({ paymentId, walletId, amount: 300, expiresAt })
        .then(() => undefined);
    });
    // Act
    const released = await newLedger(racing).release({ paymentId, walletId });
    // Assess
    expect(released).toMatchObject({ outcome: 'released', releasedAmount: 300, replayed: false });
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 1_000, held: 0, holds: {} });
    expect(checkLedgerInvariants(await reader.snapshotOf([walletId], [paymentId])).violations).toEqual([]);
  });

  it('a reserve retry that read the wallet before the original placed the hold answers replayed', async () => {
    // Prepare
    const walletId = uid('w');
    const paymentId = uid('pay');
    await newLedger().openWallet(walletId, 'EUR');
    await newLedger().deposit(walletId, 1_000, uid('dep'));
    let original: Awaited<ReturnType<Ledger['reserve']>> | undefined;
    const racing = interleaving(async (command) => {
      if (!(command instanceof QueryCommand) || original) return;
      original = await newLedger().reserve({ paymentId, walletId, amount: 300, expiresAt });
    });
    // Act
    const retry = await newLedger(racing).reserve({ paymentId, walletId, amount: 300, expiresAt });
    // Assess
    expect(original?.replayed).toBe(false);
    expect(retry).toMatchObject({ holdId: original?.holdId, amount: 300, replayed: true });
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 700, held: 300 });
    expect(await reader.listPaymentEntries(paymentId)).toHaveLength(1);
  });
});
