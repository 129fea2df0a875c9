import { LedgerInvariantError } from '../../errors';
import { expiredHoldIds } from '../expiry';
import { parseInput, ReleaseInput } from '../inputs';
import type { Hold, Wallet } from '../model';
import type { ReleaseOutcome, ReleaseResult, SweepResult } from '../results';
import { guardAgainstLateReserve, setNextExpiry, voidHold } from '../store-holds';
import { closedPayment, completeHold, type OpContext } from './context';

/**
 * Release (the saga's compensation) and expiry: a pending hold back to
 * available. Release of a posted hold throws LedgerInvariantError rather than
 * reversing it: that is refund's job and must be asked for explicitly.
 * Release before any reserve writes a tombstone (its own item), so a late
 * reserve cannot place a hold after its compensation ran.
 */
export async function release(ctx: OpContext, request: ReleaseInput): Promise<ReleaseResult> {
  const input = parseInput('release', ReleaseInput, request);
  const base = { paymentId: input.paymentId, walletId: input.walletId };
  return ctx.store.contend('release', input.walletId, async (): Promise<ReleaseResult | undefined> => {
    const wallet = await ctx.store.getWallet(input.walletId);
    if (!wallet) return { ...base, outcome: 'nothing_held', releasedAmount: 0, replayed: false };
    const marker = wallet.holds[input.paymentId];
    if (marker?.state === 'PENDING' && !marker.tombstone) {
      const now = ctx.now().toISOString();
      const after = await voidHold(ctx.store, wallet.walletId, input.paymentId, {
        amount: marker.amount,
        state: 'VOIDED',
        now,
      });
      const voided = after?.holds[input.paymentId];
      if (!after || !voided) return undefined;
      await completeHold(ctx, after, input.paymentId, voided);
      return { ...base, outcome: 'released', releasedAmount: voided.amount, replayed: false };
    }
    if (marker) {
      await completeHold(ctx, wallet, input.paymentId, marker);
      return { ...base, ...closedOutcome(input.paymentId, marker), replayed: true };
    }
    const closed = await closedPayment(ctx, wallet, input.paymentId);
    if (!closed) return undefined;
    if (closed.hold) return { ...base, ...closedOutcome(input.paymentId, closed.hold), replayed: true };
    if (closed.tombstone) return { ...base, outcome: 'nothing_held', releasedAmount: 0, replayed: true };
    await ctx.store.journal.putTombstone(input.paymentId, wallet.walletId, ctx.now().toISOString());
    if (!(await guardAgainstLateReserve(ctx.store, wallet.walletId, input.paymentId))) return undefined;
    return { ...base, outcome: 'nothing_held', releasedAmount: 0, replayed: false };
  });
}

function closedOutcome(paymentId: string, hold: Hold): { outcome: ReleaseOutcome; releasedAmount: number } {
  switch (hold.state) {
    case 'POSTED':
      throw new LedgerInvariantError(
        `cannot release payment ${paymentId}: its hold was already posted to ${hold.merchantId}; refund it instead`,
      );
    case 'REFUNDED':
      return { outcome: 'refunded', releasedAmount: 0 };
    case 'PENDING':
    case 'VOIDED':
    case 'EXPIRED': {
      if (hold.tombstone) return { outcome: 'nothing_held', releasedAmount: 0 };
      return {
        outcome: hold.state === 'EXPIRED' ? 'expired' : 'already_released',
        releasedAmount: hold.amount,
      };
    }
  }
}

export interface ExpireOptions {
  /** Asked per expired hold before voiding it: true keeps it (e.g. its saga is still running or redrivable). */
  readonly skip?: (paymentId: string) => Promise<boolean>;
}

/**
 * Voids the wallet's expired pending holds (state EXPIRED, journal `expire`),
 * completes markers an interrupted operation left, and resets the wallet's
 * expiry index to its earliest open hold; returns what this call voided.
 */
export async function expireHoldsOf(
  ctx: OpContext,
  wallet: Wallet,
  options: ExpireOptions = {},
): Promise<SweepResult> {
  const now = ctx.now();
  const expired: Array<SweepResult['expired'][number]> = [];
  for (const [paymentId, hold] of Object.entries(wallet.holds)) {
    if (hold.state !== 'PENDING' || hold.tombstone) await completeHold(ctx, wallet, paymentId, hold);
  }
  for (const paymentId of expiredHoldIds(wallet, now)) {
    const hold = wallet.holds[paymentId];
    if (!hold || hold.tombstone || (await options.skip?.(paymentId))) continue;
    const after = await voidHold(ctx.store, wallet.walletId, paymentId, {
      amount: hold.amount,
      state: 'EXPIRED',
      now: now.toISOString(),
    });
    const recorded = after?.holds[paymentId];
    if (after && recorded) {
      await completeHold(ctx, after, paymentId, recorded);
      expired.push({ walletId: wallet.walletId, paymentId, amount: hold.amount });
    }
  }
  const latest = await ctx.store.getWallet(wallet.walletId);
  if (latest) await setNextExpiry(ctx.store, latest, earliestExpiry(latest));
  return { expired };
}

/** The earliest expiry of the wallet's open holds; undefined when none is open. */
export function earliestExpiry(wallet: Wallet): string | undefined {
  const open = Object.values(wallet.holds).filter((hold) => hold.state === 'PENDING' && !hold.tombstone);
  return open.length === 0 ? undefined : open.map((hold) => hold.expiresAt).sort()[0];
}
