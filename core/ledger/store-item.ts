import {
  adjustmentRef,
  depositRef,
  opBalanceAttribute,
  opSeqAttribute,
  refundPartRef,
  reserveBalanceAttribute,
  reserveSeqAttribute,
} from './keys';
import { type Wallet, WalletSchema } from './model';

/** How the ledger store reads the wallet item back (its attributes: keys.ts). */

/** The ref of a marker on the wallet item, by the map it sits in (its guard and os#/ob# attributes go by it). */
export const MARKER_REF = {
  holds: (paymentId: string) => paymentId,
  deposits: depositRef,
  adjustments: adjustmentRef,
  refunds: refundPartRef,
} as const;

/** The wallet item as the ledger sees it: seq/balance attributes folded into their markers, guard counters collected. */
export function parseWallet(item: Record<string, unknown>): Wallet {
  const guards: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (/^g\d+$/.test(name) && typeof value === 'number') guards[name] = value;
  }
  const numbers = (seqName: string, balanceName: string) => {
    const seq = item[seqName];
    const balance = item[balanceName];
    return typeof seq === 'number' && typeof balance === 'number' ? { seq, balance } : undefined;
  };
  const fold = <T>(
    map: unknown,
    ref: (key: string) => string,
    into: (marker: T, key: string, op?: { seq: number; balance: number }) => T,
  ): Record<string, T> | undefined =>
    map === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(map as Record<string, T>).map(([key, marker]) => [
            key,
            into(marker, key, numbers(opSeqAttribute(ref(key)), opBalanceAttribute(ref(key)))),
          ]),
        );
  type Item = Record<string, unknown>;
  const record = (marker: Item, _key: string, op?: { seq: number; balance: number }): Item =>
    op ? { ...marker, seq: op.seq, balanceAfter: op.balance } : marker;
  const holds = fold<Item>(item.holds ?? {}, MARKER_REF.holds, (hold, paymentId, op) => {
    const reserve = numbers(reserveSeqAttribute(paymentId), reserveBalanceAttribute(paymentId));
    return {
      ...hold,
      ...(reserve && { reserveSeq: reserve.seq, reserveBalance: reserve.balance }),
      ...(op && { refundSeq: op.seq, refundBalance: op.balance }),
    };
  });
  const deposits = fold<Item>(item.deposits, depositRef, record);
  const adjustments = fold<Item>(item.adjustments, adjustmentRef, record);
  const refunds = fold<Item>(item.refunds, refundPartRef, record);
  return WalletSchema.parse({
    ...item,
    holds,
    ...(deposits && { deposits }),
    ...(adjustments && { adjustments }),
    ...(refunds && { refunds }),
    ...(Object.keys(guards).length > 0 && { guards }),
  });
}
