import { holdsAccount, merchantAccount } from './accounts';
import type { Hold, HoldState, JournalEntry } from './model';

/**
 * The inverse of postings.ts for closed holds: a payment's hold rebuilt from
 * its journal entries, once its marker has left the wallet item. Every field
 * entriesForHold needs is recorded in the entries, so
 * entriesForHold(holdFromEntries(entries)) rewrites exactly those entries.
 */

const heldBy = (entry: JournalEntry): number =>
  entry.lines
    .filter((line) => line.account === holdsAccount(entry.walletId))
    .reduce((sum, line) => sum + line.amount, 0);

const paidTo = (entry: JournalEntry, merchantId: string | undefined): number =>
  entry.lines
    .filter((line) => line.account === merchantAccount(merchantId ?? 'unknown'))
    .reduce((sum, line) => sum + line.amount, 0);

/** The hold the entries of one payment describe; undefined when it was never reserved. */
export function holdFromEntries(entries: readonly JournalEntry[]): Hold | undefined {
  const byOp = new Map(entries.map((entry) => [entry.operation, entry]));
  const reserve = byOp.get('reserve');
  if (!reserve) return undefined;
  const settle = byOp.get('settle');
  const voided = byOp.get('release') ?? byOp.get('expire');
  const refund = byOp.get('refund');
  const state: HoldState = refund
    ? 'REFUNDED'
    : settle
      ? 'POSTED'
      : voided
        ? voided.operation === 'expire'
          ? 'EXPIRED'
          : 'VOIDED'
        : 'PENDING';
  const close = settle ?? voided;
  const hold: Hold = {
    state,
    amount: heldBy(reserve),
    expiresAt: reserve.expiresAt ?? reserve.effectiveAt,
    reservedAt: reserve.effectiveAt,
    ...(reserve.seq !== undefined && { reserveSeq: reserve.seq }),
    ...(reserve.balanceAfter !== undefined && { reserveBalance: reserve.balanceAfter }),
    ...(close?.seq !== undefined && { closeSeq: close.seq }),
    ...(close?.balanceAfter !== undefined && { closeBalance: close.balanceAfter }),
  };
  if (voided && !settle) return { ...hold, voidedAt: voided.effectiveAt };
  if (!settle) return hold;
  const merchantId = settle.merchantId;
  const posted: Hold = {
    ...hold,
    ...(merchantId !== undefined && { merchantId }),
    captured: paidTo(settle, merchantId),
    postedAt: settle.effectiveAt,
  };
  if (!refund) return posted;
  return {
    ...posted,
    refunded: -paidTo(refund, merchantId),
    refundedAt: refund.effectiveAt,
    ...(refund.refundId !== undefined && { refundId: refund.refundId }),
    ...(refund.seq !== undefined && { refundSeq: refund.seq }),
    ...(refund.balanceAfter !== undefined && { refundBalance: refund.balanceAfter }),
  };
}
