import { adjustmentRef, depositRef, opBalanceAttribute, opSeqAttribute, refundPartRef } from './keys';
import type { AdjustmentRecord, DepositRecord, Hold, RefundPartRecord, Wallet } from './model';
import { BUMP, guardOf, type LedgerStore, type MarkerRecord } from './store';

/**
 * The named writes of credits (LedgerStore's family of refunds, deposits,
 * adjustments and refund parts): a marker where none is and its amount onto
 * available; functions over the store, so a bundle holds only the writes of
 * the operations it calls. Conditions and expressions: see LedgerStore
 * (store.ts).
 */

interface CreditMarker {
  /** Where the marker goes, and the condition that none is there (plus any decision of the op). */
  readonly path: string;
  readonly absent: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
  readonly amount: number;
}

/**
 * The write of a deposit, adjustment or refund: its marker where none is,
 * `amount` onto available, and its seq and balance after into top-level
 * attributes (os#/ob#<ref>), computed by the write from the values it
 * replaces; it requires only the ref's guard unchanged since the read.
 */
function creditMarker(
  store: LedgerStore,
  wallet: Wallet,
  ref: string,
  marker: CreditMarker,
): Promise<Wallet | undefined> {
  const guard = guardOf(wallet, ref);
  return store.updateWallet(wallet.walletId, {
    set: [
      `${marker.path} = :marker`,
      '#os = if_not_exists(#seq, :zero) + :one',
      '#ob = #available + :amount',
      BUMP,
      '#available = #available + :amount',
    ],
    condition: `${marker.absent} AND ${guard.condition}`,
    names: { ...marker.names, ...guard.names, '#os': opSeqAttribute(ref), '#ob': opBalanceAttribute(ref) },
    values: { ...marker.values, ...guard.values, ':amount': marker.amount },
  });
}

/** A posted (closed) hold's refund marker (its seq and balance after computed by the write) and the money back. */
export function refundHold(
  store: LedgerStore,
  wallet: Wallet,
  paymentId: string,
  marker: Hold,
): Promise<Wallet | undefined> {
  return creditMarker(store, wallet, paymentId, {
    path: '#holds.#p',
    absent: 'attribute_not_exists(#holds.#p)',
    names: { '#p': paymentId },
    values: { ':marker': marker },
    amount: marker.refunded ?? 0,
  });
}

/** A deposit's marker and its credit. */
export function creditDeposit(
  store: LedgerStore,
  wallet: Wallet,
  depositId: string,
  record: MarkerRecord<DepositRecord>,
): Promise<Wallet | undefined> {
  return creditMarker(store, wallet, depositRef(depositId), {
    path: '#deposits.#d',
    absent: 'attribute_not_exists(#deposits.#d)',
    names: { '#deposits': 'deposits', '#d': depositId },
    values: { ':marker': record },
    amount: record.amount,
  });
}

/** An adjustment's marker and its signed effect; a debit never takes available below 0. */
export function adjustBalance(
  store: LedgerStore,
  wallet: Wallet,
  adjustmentId: string,
  record: MarkerRecord<AdjustmentRecord>,
): Promise<Wallet | undefined> {
  const hasMap = wallet.adjustments !== undefined;
  return creditMarker(store, wallet, adjustmentRef(adjustmentId), {
    path: hasMap ? '#adjustments.#a' : '#adjustments',
    absent: `${hasMap ? 'attribute_not_exists(#adjustments.#a)' : 'attribute_not_exists(#adjustments)'} AND #available >= :floor`,
    names: { '#adjustments': 'adjustments', ...(hasMap && { '#a': adjustmentId }) },
    values: {
      ':marker': hasMap ? record : { [adjustmentId]: record },
      ':floor': Math.max(0, -record.amount),
    },
    amount: record.amount,
  });
}

/**
 * A refund part's marker (`refunds.<paymentId>:<refundId>`) and its wallet part onto available;
 * the gateway part moves no wallet money (its journal line is the gateway account's).
 */
export function creditRefundPart(
  store: LedgerStore,
  wallet: Wallet,
  key: string,
  record: MarkerRecord<RefundPartRecord>,
): Promise<Wallet | undefined> {
  const hasMap = wallet.refunds !== undefined;
  return creditMarker(store, wallet, refundPartRef(key), {
    path: hasMap ? '#refunds.#r' : '#refunds',
    absent: hasMap ? 'attribute_not_exists(#refunds.#r)' : 'attribute_not_exists(#refunds)',
    names: { '#refunds': 'refunds', ...(hasMap && { '#r': key }) },
    values: { ':marker': hasMap ? record : { [key]: record } },
    amount: record.walletAmount,
  });
}
