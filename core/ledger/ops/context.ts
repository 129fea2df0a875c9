import { InvalidPaymentError, LedgerInvariantError } from '../../errors';
import type { Currency } from '../../money';
import type { Hold, LedgerOperation, Wallet } from '../model';
import { adjustEntry, depositEntry, entriesForHold, refundPartEntry } from '../postings';
import { holdFromEntries } from '../rebuild';
import type { LedgerOptions } from '../results';
import { LedgerStore } from '../store';

/**
 * What every ledger operation shares: the store, the clock, and the steps
 * that finish an operation after its wallet write (journal entries, then the
 * removal of a closed marker) or find a closed one in the journal.
 *
 * Write order of an operation, and why it is crash-safe:
 *   1. ONE conditional update of the wallet: the decision (funds suffice, the
 *      hold is pending and unexpired, ...), the balances, the wallet's next
 *      sequence number and the marker of the (ref, operation) change at once;
 *   2. put the journal entries the marker implies (attribute_not_exists),
 *      derived only from what the wallet recorded in 1 (a rewrite is identical);
 *   3. remove the marker if the operation closed it (conditional on its state).
 * A retry that finds the marker replays 2 and 3; one that finds none reads the
 * journal, which has the entry from 2 before 3 could remove the marker: so the
 * (ref, operation) pair is idempotent by its journal entry, for life.
 */
export interface OpContext {
  readonly store: LedgerStore;
  readonly now: () => Date;
}

/** The store and clock of `options`: what the Ledger facade and each operation called alone (operations.ts) run on. */
export function opContext(options: LedgerOptions): OpContext {
  const store = new LedgerStore(options.doc, options.tableName, options.maxAttempts);
  return { store, now: options.now ?? (() => new Date()) };
}

/** The wallet an operation needs: unknown wallet or wrong currency is a bad payment, not a retry. */
export async function walletFor(
  ctx: OpContext,
  operation: string,
  walletId: string,
  currency: Currency | undefined,
): Promise<Wallet> {
  const wallet = await ctx.store.getWallet(walletId);
  if (!wallet) throw new InvalidPaymentError(`${operation}: wallet ${walletId} does not exist`);
  if (currency !== undefined && currency !== wallet.currency) {
    throw new InvalidPaymentError(
      `${operation}: wallet ${walletId} holds ${wallet.currency}, not ${currency}`,
    );
  }
  return wallet;
}

/**
 * Journals what a hold marker implies and, once closed, removes it from the wallet. A closed hold's
 * reserve entry was journaled by its Reserve unless a crash cut it short between the hold and the entry:
 * it is put only when a read (`reserveJournaled`, which the caller may have started earlier) does not find
 * it, so closing a hold costs no refused put-if-absent, and that crash is still completed here.
 */
export async function completeHold(
  ctx: OpContext,
  wallet: Wallet,
  paymentId: string,
  hold: Hold,
  reserveJournaled: Promise<boolean> = hold.state === 'PENDING'
    ? Promise.resolve(false)
    : isJournaled(ctx, paymentId, 'reserve'),
): Promise<void> {
  for (const entry of entriesForHold(wallet, paymentId, hold)) {
    if (entry.operation === 'reserve' && (await reserveJournaled)) continue;
    await ctx.store.journal.putJournalEntry(entry);
  }
  // A tombstone marker of an item written before tombstones had items of their own: move it there.
  if (hold.tombstone) await ctx.store.journal.putTombstone(paymentId, wallet.walletId, hold.reservedAt);
  if (hold.state !== 'PENDING' || hold.tombstone) {
    await ctx.store.removeClosedMarker(wallet.walletId, 'holds', paymentId, hold.state);
  }
}

/**
 * Whether the (ref, operation) entry is journaled, read without a write (entries are immutable and never
 * deleted, so a yes stays true); false when the read fails too: the caller then puts it if absent, which
 * is always safe.
 */
export const isJournaled = (ctx: OpContext, ref: string, operation: LedgerOperation): Promise<boolean> =>
  ctx.store.journal
    .refJournal(ref)
    .then((journal) => journal.entries.some((entry) => entry.operation === operation))
    .catch(() => false);

/** Journals every marker left on the wallet by an interrupted operation and removes the closed ones. */
export async function completeMarkers(ctx: OpContext, wallet: Wallet, pending: boolean): Promise<number> {
  let completed = 0;
  for (const [depositId, deposit] of Object.entries(wallet.deposits)) {
    await ctx.store.journal.putJournalEntry(depositEntry(wallet, depositId, deposit));
    await ctx.store.removeClosedMarker(wallet.walletId, 'deposits', depositId);
    completed += 1;
  }
  for (const [adjustmentId, record] of Object.entries(wallet.adjustments ?? {})) {
    await ctx.store.journal.putJournalEntry(adjustEntry(wallet, adjustmentId, record));
    await ctx.store.removeClosedMarker(wallet.walletId, 'adjustments', adjustmentId);
    completed += 1;
  }
  for (const [key, record] of Object.entries(wallet.refunds ?? {})) {
    await ctx.store.journal.putJournalEntry(refundPartEntry(wallet, key, record));
    await ctx.store.removeClosedMarker(wallet.walletId, 'refunds', key);
    completed += 1;
  }
  for (const [paymentId, hold] of Object.entries(wallet.holds)) {
    if (hold.state === 'PENDING' && !pending) continue;
    await completeHold(ctx, wallet, paymentId, hold);
    completed += 1;
  }
  return completed;
}

/** What the journal says of a payment whose marker is not on the wallet. */
export interface ClosedPayment {
  readonly hold: Hold | undefined;
  readonly tombstone: boolean;
}

/**
 * The journal of a payment whose marker the wallet read did not show, or
 * undefined when the operation must read the wallet again: a concurrent
 * reserve may have placed the hold (and journaled it) after that read. Only
 * an open hold in the journal that a fresh wallet read still lacks, and a
 * fresh journal read still shows open, is an invariant violation.
 */
export async function closedPayment(
  ctx: OpContext,
  wallet: Wallet,
  paymentId: string,
): Promise<ClosedPayment | undefined> {
  const found = await journalOf(ctx, wallet, paymentId);
  if (found.hold?.state !== 'PENDING') return found;
  if ((await ctx.store.getWallet(wallet.walletId))?.holds[paymentId]) return undefined;
  // The marker of an open hold leaves the wallet only after its close entry is journaled.
  const again = await journalOf(ctx, wallet, paymentId);
  if (again.hold?.state === 'PENDING') {
    throw new LedgerInvariantError(
      `payment ${paymentId}: the journal has an open hold the wallet ${wallet.walletId} does not; run journal repair`,
    );
  }
  return again;
}

async function journalOf(ctx: OpContext, wallet: Wallet, paymentId: string): Promise<ClosedPayment> {
  const journal = await ctx.store.journal.refJournal(paymentId);
  const mine = journal.entries.filter((entry) => entry.walletId === wallet.walletId);
  if (mine.length < journal.entries.length) {
    throw new InvalidPaymentError(`payment ${paymentId} belongs to another wallet than ${wallet.walletId}`);
  }
  return { hold: holdFromEntries(mine), tombstone: journal.tombstone };
}
