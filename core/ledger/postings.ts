import {
  ADJUSTMENTS_ACCOUNT,
  FUNDING_ACCOUNT,
  GATEWAY_ACCOUNT,
  holdsAccount,
  merchantAccount,
  walletAccount,
} from './accounts';
import { adjustmentRef, depositRef, entryIdOf, refundPartRef } from './keys';
import type {
  AdjustmentRecord,
  DepositRecord,
  Hold,
  JournalEntry,
  LedgerOperation,
  PostingLine,
  RefundPartRecord,
  Wallet,
} from './model';

/**
 * Pure construction of journal entries from the wallet's per-operation
 * markers. Because entries are derived from what the wallet recorded (not
 * from a caller's retry input), a replay after a crash rewrites exactly the
 * same item.
 */

type WalletRef = Pick<Wallet, 'walletId' | 'currency'>;

interface EntryFacts {
  readonly ref: string;
  readonly operation: LedgerOperation;
  readonly effectiveAt: string;
  readonly lines: PostingLine[];
  readonly seq?: number | undefined;
  readonly balanceAfter?: number | undefined;
  readonly merchantId?: string | undefined;
  readonly expiresAt?: string | undefined;
  readonly refundId?: string | undefined;
  readonly reason?: string | undefined;
}

function entry(wallet: WalletRef, facts: EntryFacts): JournalEntry {
  const optional = {
    merchantId: facts.merchantId,
    seq: facts.seq,
    balanceAfter: facts.balanceAfter,
    expiresAt: facts.expiresAt,
    refundId: facts.refundId,
    reason: facts.reason,
  };
  return {
    entryId: entryIdOf(facts.ref, facts.operation),
    ref: facts.ref,
    operation: facts.operation,
    walletId: wallet.walletId,
    currency: wallet.currency,
    lines: facts.lines.filter((line) => line.amount !== 0),
    effectiveAt: facts.effectiveAt,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

export function depositEntry(wallet: WalletRef, depositId: string, deposit: DepositRecord): JournalEntry {
  return entry(wallet, {
    ref: depositRef(depositId),
    operation: 'deposit',
    effectiveAt: deposit.at,
    seq: deposit.seq,
    balanceAfter: deposit.balanceAfter,
    lines: [
      { account: FUNDING_ACCOUNT, amount: -deposit.amount },
      { account: walletAccount(wallet.walletId), amount: deposit.amount },
    ],
  });
}

/** A manual credit (amount > 0) or debit (< 0) of the wallet against the adjustments account. */
export function adjustEntry(wallet: WalletRef, adjustmentId: string, record: AdjustmentRecord): JournalEntry {
  return entry(wallet, {
    ref: adjustmentRef(adjustmentId),
    operation: 'adjust',
    effectiveAt: record.at,
    seq: record.seq,
    balanceAfter: record.balanceAfter,
    reason: record.reason,
    lines: [
      { account: ADJUSTMENTS_ACCOUNT, amount: -record.amount },
      { account: walletAccount(wallet.walletId), amount: record.amount },
    ],
  });
}

export function reserveEntry(wallet: WalletRef, paymentId: string, hold: Hold): JournalEntry {
  return entry(wallet, {
    ref: paymentId,
    operation: 'reserve',
    effectiveAt: hold.reservedAt,
    seq: hold.reserveSeq,
    balanceAfter: hold.reserveBalance,
    expiresAt: hold.expiresAt,
    lines: [
      { account: walletAccount(wallet.walletId), amount: -hold.amount },
      { account: holdsAccount(wallet.walletId), amount: hold.amount },
    ],
  });
}

export function settleEntry(wallet: WalletRef, paymentId: string, hold: Hold): JournalEntry {
  const captured = hold.captured ?? 0;
  return entry(wallet, {
    ref: paymentId,
    operation: 'settle',
    effectiveAt: hold.postedAt ?? hold.reservedAt,
    seq: hold.closeSeq,
    balanceAfter: hold.closeBalance,
    merchantId: hold.merchantId,
    lines: [
      { account: holdsAccount(wallet.walletId), amount: -hold.amount },
      { account: merchantAccount(hold.merchantId ?? 'unknown'), amount: captured },
      { account: walletAccount(wallet.walletId), amount: hold.amount - captured },
    ],
  });
}

export function voidEntry(
  wallet: WalletRef,
  paymentId: string,
  hold: Hold,
  operation: 'release' | 'expire',
): JournalEntry {
  return entry(wallet, {
    ref: paymentId,
    operation,
    effectiveAt: hold.voidedAt ?? hold.reservedAt,
    seq: hold.closeSeq,
    balanceAfter: hold.closeBalance,
    lines: [
      { account: holdsAccount(wallet.walletId), amount: -hold.amount },
      { account: walletAccount(wallet.walletId), amount: hold.amount },
    ],
  });
}

export function refundEntry(wallet: WalletRef, paymentId: string, hold: Hold): JournalEntry {
  const refunded = hold.refunded ?? 0;
  return entry(wallet, {
    ref: paymentId,
    operation: 'refund',
    effectiveAt: hold.refundedAt ?? hold.reservedAt,
    seq: hold.refundSeq,
    balanceAfter: hold.refundBalance,
    merchantId: hold.merchantId,
    refundId: hold.refundId,
    lines: [
      { account: merchantAccount(hold.merchantId ?? 'unknown'), amount: -refunded },
      { account: walletAccount(wallet.walletId), amount: refunded },
    ],
  });
}

/**
 * A payment's card part: what the gateway charged (wallet first, the part the wallet did not cover)
 * credited to the merchant at Settle (settle_card), or taken back from the merchant when a settled
 * payment is compensated (refund_card). No wallet account moves: no seq, no balance after.
 */
export function cardEntry(
  wallet: WalletRef,
  paymentId: string,
  part: { readonly merchantId: string; readonly amount: number; readonly at: string },
  operation: 'settle_card' | 'refund_card',
): JournalEntry {
  const sign = operation === 'settle_card' ? 1 : -1;
  return entry(wallet, {
    ref: paymentId,
    operation,
    effectiveAt: part.at,
    merchantId: part.merchantId,
    lines: [
      { account: GATEWAY_ACCOUNT, amount: -sign * part.amount },
      { account: merchantAccount(part.merchantId), amount: sign * part.amount },
    ],
  });
}

/**
 * A refund saga's reversal of one refund (ops/refund-part.ts): the merchant gives back the whole
 * refund, its wallet part to the payer's wallet and its gateway part to the gateway account (the
 * card refund made at the gateway). One entry per refund, on the payer's wallet sequence.
 */
export function refundPartEntry(wallet: WalletRef, key: string, record: RefundPartRecord): JournalEntry {
  return entry(wallet, {
    ref: refundPartRef(key),
    operation: 'refund_part',
    effectiveAt: record.at,
    seq: record.seq,
    balanceAfter: record.balanceAfter,
    merchantId: record.merchantId,
    refundId: record.refundId,
    lines: [
      { account: merchantAccount(record.merchantId), amount: -(record.walletAmount + record.gatewayAmount) },
      { account: walletAccount(wallet.walletId), amount: record.walletAmount },
      { account: GATEWAY_ACCOUNT, amount: record.gatewayAmount },
    ],
  });
}

/** Every journal entry a hold's state implies, in the order they happened. Tombstones imply none. */
export function entriesForHold(wallet: WalletRef, paymentId: string, hold: Hold): JournalEntry[] {
  if (hold.tombstone) return [];
  const entries = [reserveEntry(wallet, paymentId, hold)];
  switch (hold.state) {
    case 'PENDING':
      return entries;
    case 'POSTED':
      return [...entries, settleEntry(wallet, paymentId, hold)];
    case 'REFUNDED':
      return [...entries, settleEntry(wallet, paymentId, hold), refundEntry(wallet, paymentId, hold)];
    case 'VOIDED':
      return [...entries, voidEntry(wallet, paymentId, hold, 'release')];
    case 'EXPIRED':
      return [...entries, voidEntry(wallet, paymentId, hold, 'expire')];
  }
}

/** Every journal entry the wallet item's markers imply (deposits, adjustments, holds). */
export function entriesForWallet(wallet: Wallet): JournalEntry[] {
  return [
    ...Object.entries(wallet.deposits).map(([depositId, deposit]) =>
      depositEntry(wallet, depositId, deposit),
    ),
    ...Object.entries(wallet.adjustments ?? {}).map(([adjustmentId, record]) =>
      adjustEntry(wallet, adjustmentId, record),
    ),
    ...Object.entries(wallet.refunds ?? {}).map(([key, record]) => refundPartEntry(wallet, key, record)),
    ...Object.entries(wallet.holds).flatMap(([paymentId, hold]) => entriesForHold(wallet, paymentId, hold)),
  ];
}

/** The signed effect of an entry on the wallet's available balance (its `wallet:` lines). */
export function availableEffectOf(entry: JournalEntry): number {
  const account = walletAccount(entry.walletId);
  return entry.lines.filter((line) => line.account === account).reduce((sum, line) => sum + line.amount, 0);
}
