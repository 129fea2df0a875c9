import '../../config/zod-locale';
import type * as z from 'zod/mini';
import { InvalidPaymentError } from '../../errors';
import { AdjustInput, currencyOf, DepositInput, minorUnitsOf, parseInput } from '../inputs';
import { adjustmentRef, depositRef } from '../keys';
import type { JournalEntry } from '../model';
import { adjustEntry, depositEntry } from '../postings';
import type { AdjustResult, DepositResult } from '../results';
import { adjustBalance, creditDeposit } from '../store-credits';
import { type OpContext, walletFor } from './context';

/**
 * Deposits and manual adjustments: money into (or, for a debit adjustment,
 * out of) the wallet's available balance, idempotent per depositId /
 * adjustmentId by the marker while it is on the wallet and by the journal
 * entry for life.
 */
export async function deposit(ctx: OpContext, request: z.input<typeof DepositInput>): Promise<DepositResult> {
  const input = parseInput('deposit', DepositInput, request);
  const value = minorUnitsOf(input.amount);
  return ctx.store.contend('deposit', input.walletId, async () => {
    const wallet = await walletFor(ctx, 'deposit', input.walletId, currencyOf(input.amount));
    const marker = wallet.deposits[input.depositId];
    const known = marker
      ? depositEntry(wallet, input.depositId, marker)
      : await journaled(ctx, depositRef(input.depositId));
    if (known) {
      const amount = known.lines.find((line) => line.amount > 0)?.amount;
      if (amount !== value) {
        throw new InvalidPaymentError(
          `deposit ${input.depositId} was already made with a different amount (${amount})`,
        );
      }
      if (marker) await finish(ctx, known, 'deposits', input.depositId);
      return { ...input, amount: value, currency: wallet.currency, replayed: true };
    }
    const after = await creditDeposit(ctx.store, wallet, input.depositId, {
      amount: value,
      at: ctx.now().toISOString(),
    });
    const record = after?.deposits[input.depositId];
    if (!after || !record) return undefined;
    await finish(ctx, depositEntry(after, input.depositId, record), 'deposits', input.depositId);
    return { ...input, amount: value, currency: after.currency, replayed: false };
  });
}

export async function adjust(ctx: OpContext, request: z.input<typeof AdjustInput>): Promise<AdjustResult> {
  const input = parseInput('adjust', AdjustInput, request);
  const value = minorUnitsOf(input.amount);
  const base = { walletId: input.walletId, adjustmentId: input.adjustmentId, amount: value };
  return ctx.store.contend('adjust', input.walletId, async () => {
    const wallet = await walletFor(ctx, 'adjust', input.walletId, currencyOf(input.amount));
    const marker = wallet.adjustments?.[input.adjustmentId];
    const known = marker
      ? adjustEntry(wallet, input.adjustmentId, marker)
      : await journaled(ctx, adjustmentRef(input.adjustmentId));
    if (known) {
      if (known.lines.find((line) => line.account.startsWith('wallet:'))?.amount !== value) {
        throw new InvalidPaymentError(
          `adjustment ${input.adjustmentId} was already made with a different amount`,
        );
      }
      if (marker) await finish(ctx, known, 'adjustments', input.adjustmentId);
      return { ...base, currency: wallet.currency, balanceAfter: known.balanceAfter ?? 0, replayed: true };
    }
    if (wallet.available + value < 0) {
      throw new InvalidPaymentError(
        `adjust: a debit of ${-value} would take wallet ${wallet.walletId} below 0 (available ${wallet.available})`,
      );
    }
    const after = await adjustBalance(ctx.store, wallet, input.adjustmentId, {
      amount: value,
      at: ctx.now().toISOString(),
      reason: input.reason,
    });
    const record = after?.adjustments?.[input.adjustmentId];
    if (!after || !record) return undefined;
    await finish(ctx, adjustEntry(after, input.adjustmentId, record), 'adjustments', input.adjustmentId);
    return { ...base, currency: after.currency, balanceAfter: record.balanceAfter, replayed: false };
  });
}

async function journaled(ctx: OpContext, ref: string): Promise<JournalEntry | undefined> {
  return (await ctx.store.journal.refJournal(ref)).entries[0];
}

async function finish(
  ctx: OpContext,
  entry: JournalEntry,
  map: 'deposits' | 'adjustments',
  key: string,
): Promise<void> {
  await ctx.store.journal.putJournalEntry(entry);
  await ctx.store.removeClosedMarker(entry.walletId, map, key);
}
