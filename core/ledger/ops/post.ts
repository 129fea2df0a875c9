import { LedgerInvariantError } from '../../errors';
import { isExpired, isSettleable } from '../expiry';
import { currencyOf, minorUnitsOf, parseInput, RefundInput, SettleInput } from '../inputs';
import type { Hold, Wallet } from '../model';
import { holdIdOf, type RefundResult, type SettleResult } from '../results';
import { refundHold } from '../store-credits';
import { postHold } from '../store-holds';
import { closedPayment, completeHold, isJournaled, type OpContext, walletFor } from './context';

/**
 * Settle (pending hold -> posted to the merchant, an uncaptured rest back to
 * available) and refund (reversal of a posted settlement, merchant -> payer).
 * A replay answers from the wallet's marker or, once it left, the journal.
 */
export async function settle(ctx: OpContext, request: SettleInput): Promise<SettleResult> {
  const input = parseInput('settle', SettleInput, request);
  const captured = minorUnitsOf(input.amount);
  return ctx.store.contend('settle', input.walletId, async () => {
    const wallet = await walletFor(ctx, 'settle', input.walletId, currencyOf(input.amount));
    // Read while the post is written: Reserve journaled its entry before it answered, so the close need
    // not put it again (it still does when a crash cut Reserve short between the hold and the entry).
    const reserveJournaled = isJournaled(ctx, input.paymentId, 'reserve');
    const marker = wallet.holds[input.paymentId];
    // Its close entry is journaled (with the reserve's) right after the post below, not now.
    if (marker && marker.state !== 'PENDING')
      await completeHold(ctx, wallet, input.paymentId, marker, reserveJournaled);
    const closed = marker ? undefined : await closedPayment(ctx, wallet, input.paymentId);
    if (!marker && !closed) return undefined;
    const hold = marker ?? closed?.hold;
    if (hold && (hold.state === 'POSTED' || hold.state === 'REFUNDED')) {
      if (hold.captured !== captured || hold.merchantId !== input.merchantId) {
        throw new LedgerInvariantError(
          `payment ${input.paymentId} was already settled (${hold.captured} to ${hold.merchantId}), not ${captured} to ${input.merchantId}`,
        );
      }
      return settleResult(wallet, input.paymentId, hold, true);
    }
    const now = ctx.now();
    if (!hold || !isSettleable(hold, now)) {
      const why =
        !hold || hold.tombstone
          ? 'no hold was placed'
          : isExpired(hold, now)
            ? 'the hold expired'
            : `the hold is ${hold.state}`;
      throw new LedgerInvariantError(
        `cannot settle payment ${input.paymentId} on wallet ${input.walletId}: ${why}; nothing is held to post`,
      );
    }
    if (captured > hold.amount) {
      throw new LedgerInvariantError(
        `cannot settle payment ${input.paymentId}: capture ${captured} exceeds the hold of ${hold.amount}`,
      );
    }
    const after = await postHold(ctx.store, wallet.walletId, input.paymentId, {
      amount: hold.amount,
      captured,
      merchantId: input.merchantId,
      now: now.toISOString(),
    });
    const posted = after?.holds[input.paymentId];
    if (!after || !posted) return undefined;
    await completeHold(ctx, after, input.paymentId, posted, reserveJournaled);
    return settleResult(after, input.paymentId, posted, false);
  });
}

function settleResult(wallet: Wallet, paymentId: string, hold: Hold, replayed: boolean): SettleResult {
  const captured = hold.captured ?? 0;
  return {
    holdId: holdIdOf(wallet.walletId, paymentId),
    paymentId,
    walletId: wallet.walletId,
    merchantId: hold.merchantId ?? '',
    captured,
    released: hold.amount - captured,
    currency: wallet.currency,
    postedAt: hold.postedAt ?? '',
    replayed,
  };
}

export async function refund(ctx: OpContext, request: RefundInput): Promise<RefundResult> {
  const input = parseInput('refund', RefundInput, request);
  const currency = input.amount === undefined ? undefined : currencyOf(input.amount);
  return ctx.store.contend('refund', input.walletId, async () => {
    const wallet = await walletFor(ctx, 'refund', input.walletId, currency);
    const marker = wallet.holds[input.paymentId];
    if (marker) {
      // A settle or refund between its journal entry and the removal of its marker: finish it first.
      await completeHold(ctx, wallet, input.paymentId, marker);
      if (marker.state !== 'PENDING') return undefined;
    }
    const closed = marker ? undefined : await closedPayment(ctx, wallet, input.paymentId);
    if (!marker && !closed) return undefined;
    const hold = marker ?? closed?.hold;
    const requested = input.amount === undefined ? hold?.captured : minorUnitsOf(input.amount);
    if (hold?.state === 'REFUNDED') {
      if (requested !== hold.refunded) {
        throw new LedgerInvariantError(
          `payment ${input.paymentId} was already refunded ${hold.refunded}, not ${requested}`,
        );
      }
      return refundResult(wallet, input.paymentId, hold, true);
    }
    if (hold?.state !== 'POSTED' || hold.captured === undefined || requested === undefined) {
      throw new LedgerInvariantError(
        `cannot refund payment ${input.paymentId} on wallet ${input.walletId}: no posted settlement (hold ${hold?.state ?? 'absent'})`,
      );
    }
    if (requested > hold.captured || requested <= 0) {
      throw new LedgerInvariantError(
        `cannot refund ${requested} of payment ${input.paymentId}: only ${hold.captured} was captured`,
      );
    }
    const refunded: Hold = {
      ...hold,
      state: 'REFUNDED',
      refunded: requested,
      refundedAt: ctx.now().toISOString(),
      ...(input.refundId !== undefined && { refundId: input.refundId }),
    };
    const after = await refundHold(ctx.store, wallet, input.paymentId, refunded);
    const recorded = after?.holds[input.paymentId];
    if (!after || !recorded) return undefined;
    await completeHold(ctx, after, input.paymentId, recorded);
    return refundResult(after, input.paymentId, recorded, false);
  });
}

function refundResult(wallet: Wallet, paymentId: string, hold: Hold, replayed: boolean): RefundResult {
  return {
    paymentId,
    walletId: wallet.walletId,
    merchantId: hold.merchantId ?? '',
    refunded: hold.refunded ?? 0,
    currency: wallet.currency,
    ...(hold.refundId !== undefined && { refundId: hold.refundId }),
    replayed,
  };
}
