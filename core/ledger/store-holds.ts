import {
  guardAttribute,
  holdExpiryPk,
  holdExpirySk,
  reserveBalanceAttribute,
  reserveSeqAttribute,
} from './keys';
import type { Hold, Wallet } from './model';
import { BUMP, guardOf, type LedgerStore, versionIs } from './store';

/**
 * The named writes of holds (LedgerStore's family of Reserve, Settle, Release
 * and the expiry sweep): functions over the store, so a bundle holds only the
 * writes of the operations it calls. Conditions and expressions: see
 * LedgerStore (store.ts).
 */

/**
 * Funds suffice and the payment holds nothing yet: the hold, balances, its
 * seq and balance after, and the expiry index (a lower bound: set when this
 * hold expires first as far as the wallet read shows, else only if absent).
 * `takesAll` (a wallet-first partial hold): the hold is the whole available
 * balance, which must still be exactly that, so the split is decided here.
 */
export function placeHold(
  store: LedgerStore,
  wallet: Wallet,
  paymentId: string,
  hold: Hold,
  takesAll = false,
): Promise<Wallet | undefined> {
  const guard = guardOf(wallet, paymentId);
  const earliest = !wallet.nextExpiry || hold.expiresAt < wallet.nextExpiry;
  const expiry = (path: string, value: string) =>
    earliest ? `${path} = ${value}` : `${path} = if_not_exists(${path}, ${value})`;
  return store.updateWallet(wallet.walletId, {
    set: [
      '#holds.#p = :hold',
      '#rs = if_not_exists(#seq, :zero) + :one',
      '#rb = #available - :amount',
      BUMP,
      '#available = #available - :amount',
      '#held = #held + :amount',
      expiry('#nextExpiry', ':nextExpiry'),
      expiry('#gsi3pk', ':gsi3pk'),
      expiry('#gsi3sk', ':gsi3sk'),
    ],
    condition: `attribute_not_exists(#holds.#p) AND #available ${takesAll ? '=' : '>='} :amount AND ${guard.condition}`,
    names: {
      '#p': paymentId,
      '#rs': reserveSeqAttribute(paymentId),
      '#rb': reserveBalanceAttribute(paymentId),
      ...guard.names,
      '#nextExpiry': 'nextExpiry',
      '#gsi3pk': 'gsi3pk',
      '#gsi3sk': 'gsi3sk',
    },
    values: {
      ':hold': hold,
      ':amount': hold.amount,
      ...guard.values,
      ':nextExpiry': hold.expiresAt,
      ':gsi3pk': holdExpiryPk(wallet.walletId),
      ':gsi3sk': holdExpirySk(hold.expiresAt, wallet.walletId),
    },
  });
}

/** Pending, unexpired hold of `amount` -> POSTED: `captured` to the merchant, the rest back to available. */
export function postHold(
  store: LedgerStore,
  walletId: string,
  paymentId: string,
  post: { amount: number; captured: number; merchantId: string; now: string },
): Promise<Wallet | undefined> {
  return store.updateWallet(walletId, {
    set: [
      '#holds.#p.#state = :posted',
      '#holds.#p.#captured = :captured',
      '#holds.#p.#merchantId = :merchant',
      '#holds.#p.#postedAt = :now',
      '#holds.#p.#closeSeq = if_not_exists(#seq, :zero) + :one',
      '#holds.#p.#closeBalance = #available + :rest',
      BUMP,
      '#held = #held - :amount',
      '#available = #available + :rest',
    ],
    condition: '#holds.#p.#state = :pending AND #holds.#p.#amount = :amount AND #holds.#p.#expiresAt > :now',
    names: {
      '#p': paymentId,
      '#state': 'state',
      '#captured': 'captured',
      '#merchantId': 'merchantId',
      '#postedAt': 'postedAt',
      '#amount': 'amount',
      '#expiresAt': 'expiresAt',
      '#closeSeq': 'closeSeq',
      '#closeBalance': 'closeBalance',
    },
    values: {
      ':posted': 'POSTED',
      ':pending': 'PENDING',
      ':captured': post.captured,
      ':merchant': post.merchantId,
      ':now': post.now,
      ':amount': post.amount,
      ':rest': post.amount - post.captured,
    },
  });
}

/** Pending hold -> VOIDED (release) or EXPIRED (only once past its expiry), back to available. */
export function voidHold(
  store: LedgerStore,
  walletId: string,
  paymentId: string,
  void_: { amount: number; state: 'VOIDED' | 'EXPIRED'; now: string },
): Promise<Wallet | undefined> {
  const expired = void_.state === 'EXPIRED';
  return store.updateWallet(walletId, {
    set: [
      '#holds.#p.#state = :state',
      '#holds.#p.#voidedAt = :now',
      '#holds.#p.#closeSeq = if_not_exists(#seq, :zero) + :one',
      '#holds.#p.#closeBalance = #available + :amount',
      BUMP,
      '#held = #held - :amount',
      '#available = #available + :amount',
    ],
    condition: `#holds.#p.#state = :pending AND #holds.#p.#amount = :amount${expired ? ' AND #holds.#p.#expiresAt <= :now' : ''}`,
    names: {
      '#p': paymentId,
      '#state': 'state',
      '#voidedAt': 'voidedAt',
      '#amount': 'amount',
      '#closeSeq': 'closeSeq',
      '#closeBalance': 'closeBalance',
      ...(expired && { '#expiresAt': 'expiresAt' }),
    },
    values: { ':state': void_.state, ':pending': 'PENDING', ':now': void_.now, ':amount': void_.amount },
  });
}

/**
 * Release before reserve: bumps the payment's guard while it holds nothing,
 * after its tombstone was written, so a reserve that read the journal
 * before the tombstone fails its write and reads it again.
 */
export async function guardAgainstLateReserve(
  store: LedgerStore,
  walletId: string,
  paymentId: string,
): Promise<boolean> {
  return (
    (await store.updateWallet(walletId, {
      set: ['#guard = if_not_exists(#guard, :zero) + :one'],
      condition: 'attribute_exists(pk) AND attribute_not_exists(#holds.#p)',
      names: { '#p': paymentId, '#guard': guardAttribute(paymentId) },
    })) !== undefined
  );
}

/** Resets the expiry index to the open holds' earliest expiry, or leaves the index (versioned; best effort). */
export async function setNextExpiry(
  store: LedgerStore,
  wallet: Wallet,
  nextExpiry: string | undefined,
): Promise<void> {
  const names = { '#nextExpiry': 'nextExpiry', '#gsi3pk': 'gsi3pk', '#gsi3sk': 'gsi3sk' };
  await store.updateWallet(wallet.walletId, {
    set: nextExpiry ? ['#nextExpiry = :nextExpiry', '#gsi3pk = :gsi3pk', '#gsi3sk = :gsi3sk'] : [],
    ...(!nextExpiry && { remove: Object.keys(names) }),
    condition: versionIs(wallet),
    names,
    values: {
      ':version': wallet.seq ?? 0,
      ...(nextExpiry !== undefined && {
        ':nextExpiry': nextExpiry,
        ':gsi3pk': holdExpiryPk(wallet.walletId),
        ':gsi3sk': holdExpirySk(nextExpiry, wallet.walletId),
      }),
    },
  });
}
