import { InsufficientFundsError, InvalidPaymentError, LedgerInvariantError } from '../../errors';
import { expiredHoldIds } from '../expiry';
import { currencyOf, minorUnitsOf, parseInput, ReserveInput } from '../inputs';
import type { Hold, Wallet } from '../model';
import { reserveEntry } from '../postings';
import { holdIdOf, type ReserveResult } from '../results';
import { closedPayment, completeHold, type OpContext, walletFor } from './context';
import { expireHoldsOf } from './void';

/**
 * Reserve: "sufficient funds and hold once" in one conditional write. A
 * replay answers from the open hold on the wallet, or from the journal once
 * the hold closed; a reserve of a payment released, expired or released
 * before it reserved throws LedgerInvariantError: answering "reserved" would
 * let a late retry or a redrive charge against money no longer held.
 */
export async function reserve(ctx: OpContext, request: ReserveInput): Promise<ReserveResult> {
  const input = parseInput('reserve', ReserveInput, request);
  const value = minorUnitsOf(input.amount);
  return ctx.store.contend('reserve', input.walletId, async () => {
    const wallet = await walletFor(ctx, 'reserve', input.walletId, currencyOf(input.amount));
    const marker = wallet.holds[input.paymentId];
    if (marker) {
      await completeHold(ctx, wallet, input.paymentId, marker);
      return answer(wallet, input.paymentId, value, marker, true);
    }
    const closed = await closedPayment(ctx, wallet, input.paymentId);
    if (!closed) return undefined;
    if (closed.tombstone) {
      throw new LedgerInvariantError(
        `payment ${input.paymentId} was released before it reserved; refusing to place a hold nobody would release`,
      );
    }
    if (closed.hold) return answer(wallet, input.paymentId, value, closed.hold, true);
    if (wallet.available < value) {
      // Expired holds still count in `held` until swept: free them before refusing.
      if (expiredHoldIds(wallet, ctx.now()).length > 0) {
        await expireHoldsOf(ctx, wallet);
        return undefined;
      }
      throw new InsufficientFundsError(
        `wallet ${wallet.walletId} has ${wallet.available} ${wallet.currency} available, ${value} requested`,
      );
    }
    const now = ctx.now().toISOString();
    if (input.expiresAt <= now) {
      throw new InvalidPaymentError(`reserve: expiresAt ${input.expiresAt} is not in the future`);
    }
    const hold: Hold = { state: 'PENDING', amount: value, expiresAt: input.expiresAt, reservedAt: now };
    const after = await ctx.store.placeHold(wallet, input.paymentId, hold);
    const placed = after?.holds[input.paymentId];
    if (!after || !placed) return undefined;
    await ctx.store.journal.putJournalEntry(reserveEntry(after, input.paymentId, placed));
    return answer(after, input.paymentId, value, placed, false);
  });
}

function answer(
  wallet: Wallet,
  paymentId: string,
  value: number,
  hold: Hold,
  replayed: boolean,
): ReserveResult {
  if (hold.tombstone) {
    throw new LedgerInvariantError(
      `payment ${paymentId} was released before it reserved; refusing to place a hold nobody would release`,
    );
  }
  if (hold.state === 'VOIDED' || hold.state === 'EXPIRED') {
    throw new LedgerInvariantError(
      `the hold of payment ${paymentId} was already ${hold.state === 'VOIDED' ? 'released' : 'expired'}; a new attempt needs a new paymentId`,
    );
  }
  if (hold.amount !== value) {
    throw new InvalidPaymentError(
      `payment ${paymentId} already reserved ${hold.amount} on wallet ${wallet.walletId}, not ${value}`,
    );
  }
  return {
    holdId: holdIdOf(wallet.walletId, paymentId),
    paymentId,
    walletId: wallet.walletId,
    amount: hold.amount,
    currency: wallet.currency,
    expiresAt: hold.expiresAt,
    state: hold.state,
    replayed,
  };
}
