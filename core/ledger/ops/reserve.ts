import '../../config/zod-locale';
import type * as z from 'zod/mini';
import { InsufficientFundsError, InvalidPaymentError, LedgerInvariantError } from '../../errors';
import { expiredHoldIds } from '../expiry';
import { currencyOf, minorUnitsOf, parseInput, ReserveInput } from '../inputs';
import type { Hold, Wallet } from '../model';
import { reserveEntry } from '../postings';
import { holdIdOf, type ReserveResult } from '../results';
import { placeHold } from '../store-holds';
import { closedPayment, completeHold, type OpContext, walletFor } from './context';
import { expireHoldsOf } from './void';

/**
 * Reserve: "sufficient funds and hold once" in one conditional write. A
 * replay answers from the open hold on the wallet, or from the journal once
 * the hold closed; a reserve of a payment released, expired or released
 * before it reserved throws LedgerInvariantError: answering "reserved" would
 * let a late retry or a redrive charge against money no longer held.
 *
 * With upToAvailable (wallet first, a payment method for the rest) the hold is
 * what the available balance covers, up to the amount, decided by the same one
 * conditional write: a partial hold takes the whole available balance and
 * requires it unchanged, a full one requires at least the amount. Nothing
 * available: no hold and nothing written (the rest goes to the gateway). A
 * replay answers the hold placed the first time, whatever the balance is now.
 */
export async function reserve(ctx: OpContext, request: ReserveInput): Promise<ReserveResult> {
  const input = parseInput('reserve', ReserveInput, request);
  const value = minorUnitsOf(input.amount);
  const upTo = input.upToAvailable === true;
  return ctx.store.contend('reserve', input.walletId, async () => {
    const wallet = await walletFor(ctx, 'reserve', input.walletId, currencyOf(input.amount));
    const marker = wallet.holds[input.paymentId];
    if (marker) {
      await completeHold(ctx, wallet, input.paymentId, marker);
      return answer(wallet, input.paymentId, value, marker, true, upTo);
    }
    const closed = await closedPayment(ctx, wallet, input.paymentId);
    if (!closed) return undefined;
    if (closed.tombstone) {
      throw new LedgerInvariantError(
        `payment ${input.paymentId} was released before it reserved; refusing to place a hold nobody would release`,
      );
    }
    if (closed.hold) return answer(wallet, input.paymentId, value, closed.hold, true, upTo);
    if (wallet.available < value) {
      // Expired holds still count in `held` until swept: free them before refusing (or holding less).
      if (expiredHoldIds(wallet, ctx.now()).length > 0) {
        await expireHoldsOf(ctx, wallet);
        return undefined;
      }
      if (upTo) return reservePart(ctx, wallet, input, value);
      throw new InsufficientFundsError(
        `wallet ${wallet.walletId} has ${wallet.available} ${wallet.currency} available, ${value} requested`,
      );
    }
    return placeAndJournal(ctx, wallet, input, value, value);
  });
}

type ParsedReserve = z.output<typeof ReserveInput>;

/**
 * Available < requested, wallet first: hold all that is available (the write requires it unchanged), or
 * none. With a restRule the rest goes up to what the payment method can be charged (its step, then its
 * minimum), so the hold is less than available (the write requires at least that); a rest above the amount
 * itself cannot be charged: InsufficientFundsError.
 */
async function reservePart(
  ctx: OpContext,
  wallet: Wallet,
  input: ParsedReserve,
  requested: number,
): Promise<ReserveResult | undefined> {
  const available = Math.max(0, wallet.available);
  const rest = chargeableRest(requested - available, input.restRule);
  if (rest > requested) {
    throw new InsufficientFundsError(
      `wallet ${wallet.walletId} has ${wallet.available} ${wallet.currency} available, ${requested} requested, and the payment method cannot be charged the ${requested - available} left (below its minimum of ${input.restRule?.minimum})`,
    );
  }
  const part = requested - rest;
  if (part > 0) return placeAndJournal(ctx, wallet, input, part, requested, part === wallet.available);
  return {
    holdId: holdIdOf(wallet.walletId, input.paymentId),
    paymentId: input.paymentId,
    walletId: wallet.walletId,
    amount: 0,
    requested,
    currency: wallet.currency,
    expiresAt: input.expiresAt,
    state: 'NONE',
    replayed: false,
  };
}

/** The smallest rest >= `rest` the payment method can be charged (a multiple of its step, at least its minimum). */
function chargeableRest(rest: number, rule: ParsedReserve['restRule']): number {
  if (!rule || rest <= 0) return Math.max(0, rest);
  return Math.max(Math.ceil(rest / rule.multipleOf) * rule.multipleOf, rule.minimum);
}

async function placeAndJournal(
  ctx: OpContext,
  wallet: Wallet,
  input: ParsedReserve,
  amount: number,
  requested: number,
  takesAll = amount < requested,
): Promise<ReserveResult | undefined> {
  const now = ctx.now().toISOString();
  if (input.expiresAt <= now) {
    throw new InvalidPaymentError(`reserve: expiresAt ${input.expiresAt} is not in the future`);
  }
  const hold: Hold = { state: 'PENDING', amount, expiresAt: input.expiresAt, reservedAt: now };
  const after = await placeHold(ctx.store, wallet, input.paymentId, hold, takesAll);
  const placed = after?.holds[input.paymentId];
  if (!after || !placed) return undefined;
  await ctx.store.journal.putJournalEntry(reserveEntry(after, input.paymentId, placed));
  return answer(after, input.paymentId, requested, placed, false, amount < requested);
}

function answer(
  wallet: Wallet,
  paymentId: string,
  value: number,
  hold: Hold,
  replayed: boolean,
  upTo: boolean,
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
  if (upTo ? hold.amount > value : hold.amount !== value) {
    throw new InvalidPaymentError(
      `payment ${paymentId} already reserved ${hold.amount} on wallet ${wallet.walletId}, not ${upTo ? `up to ${value}` : value}`,
    );
  }
  return {
    holdId: holdIdOf(wallet.walletId, paymentId),
    paymentId,
    walletId: wallet.walletId,
    amount: hold.amount,
    requested: value,
    currency: wallet.currency,
    expiresAt: hold.expiresAt,
    state: hold.state,
    replayed,
  };
}
