import { FUNDING_ACCOUNT, holdsAccount, merchantAccount, walletAccount } from './accounts';
import { depositRef, entryIdOf } from './keys';
import type { DepositRecord, Hold, JournalEntry, LedgerOperation, PostingLine, Wallet } from './model';

/**
 * Pure construction of journal entries from the wallet's per-operation
 * markers. Because entries are derived from what the wallet recorded (not
 * from a caller's retry input), a replay after a crash rewrites exactly the
 * same item.
 */

function entry(
  wallet: Wallet,
  ref: string,
  operation: LedgerOperation,
  effectiveAt: string,
  lines: PostingLine[],
  merchantId?: string,
): JournalEntry {
  return {
    entryId: entryIdOf(ref, operation),
    ref,
    operation,
    walletId: wallet.walletId,
    ...(merchantId !== undefined && { merchantId }),
    currency: wallet.currency,
    lines: lines.filter((line) => line.amount !== 0),
    effectiveAt,
  };
}

export function depositEntry(wallet: Wallet, depositId: string, deposit: DepositRecord): JournalEntry {
  return entry(wallet, depositRef(depositId), 'deposit', deposit.at, [
    { account: FUNDING_ACCOUNT, amount: -deposit.amount },
    { account: walletAccount(wallet.walletId), amount: deposit.amount },
  ]);
}

export function reserveEntry(wallet: Wallet, paymentId: string, hold: Hold): JournalEntry {
  return entry(wallet, paymentId, 'reserve', hold.reservedAt, [
    { account: walletAccount(wallet.walletId), amount: -hold.amount },
    { account: holdsAccount(wallet.walletId), amount: hold.amount },
  ]);
}

export function settleEntry(wallet: Wallet, paymentId: string, hold: Hold): JournalEntry {
  const captured = hold.captured ?? 0;
  return entry(
    wallet,
    paymentId,
    'settle',
    hold.postedAt ?? hold.reservedAt,
    [
      { account: holdsAccount(wallet.walletId), amount: -hold.amount },
      { account: merchantAccount(hold.merchantId ?? 'unknown'), amount: captured },
      { account: walletAccount(wallet.walletId), amount: hold.amount - captured },
    ],
    hold.merchantId,
  );
}

export function voidEntry(
  wallet: Wallet,
  paymentId: string,
  hold: Hold,
  operation: 'release' | 'expire',
): JournalEntry {
  return entry(wallet, paymentId, operation, hold.voidedAt ?? hold.reservedAt, [
    { account: holdsAccount(wallet.walletId), amount: -hold.amount },
    { account: walletAccount(wallet.walletId), amount: hold.amount },
  ]);
}

export function refundEntry(wallet: Wallet, paymentId: string, hold: Hold): JournalEntry {
  const refunded = hold.refunded ?? 0;
  return entry(
    wallet,
    paymentId,
    'refund',
    hold.refundedAt ?? hold.reservedAt,
    [
      { account: merchantAccount(hold.merchantId ?? 'unknown'), amount: -refunded },
      { account: walletAccount(wallet.walletId), amount: refunded },
    ],
    hold.merchantId,
  );
}

/** Every journal entry a hold's state implies, in the order they happened. Tombstones imply none. */
export function entriesForHold(wallet: Wallet, paymentId: string, hold: Hold): JournalEntry[] {
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

/** Every journal entry the wallet's markers imply (deposits and holds): what the journal must contain. */
export function entriesForWallet(wallet: Wallet): JournalEntry[] {
  return [
    ...Object.entries(wallet.deposits).map(([depositId, deposit]) =>
      depositEntry(wallet, depositId, deposit),
    ),
    ...Object.entries(wallet.holds).flatMap(([paymentId, hold]) => entriesForHold(wallet, paymentId, hold)),
  ];
}
