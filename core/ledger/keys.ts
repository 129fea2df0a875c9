import { LEDGER_SHARDS } from '../config/ledger';
import { shardOf } from '../dynamo/shards';

/**
 * Item keys of the ledger table (pk/sk strings) and its indexes.
 *
 *   wallet         pk WALLET#<walletId>        sk WALLET
 *                  gsi3pk EXPIRY#<n>   gsi3sk <nextExpiry>#<walletId>     (only while it has open holds)
 *                  rs#<paymentId>, rb#<paymentId>: an open hold's reserve seq and balance after
 *                  os#<ref>, ob#<ref>: seq and balance after of a deposit, adjustment or refund marker
 *                  g<n>: guard counters of the refs hashing to n (store.ts)
 *   journal entry  pk JOURNAL#<ref>            sk OP#<operation>
 *                  gsi1pk JOURNAL#<yyyy-mm-dd of effectiveAt>#<n>   gsi1sk <effectiveAt>#<entryId>
 *                  gsi2pk WALLET#<walletId>#J  gsi2sk <effectiveAt>#<seq, 12 digits>
 *   tombstone      pk JOURNAL#<paymentId>      sk TOMBSTONE   (release ran before any reserve)
 *
 * <ref> is the paymentId, `deposit:<depositId>`, `adjust:<adjustmentId>` or
 * `refund:<paymentId>:<refundId>` (a refund saga's refund_part entry)
 * (":" cannot occur in a paymentId, so they never collide).
 * gsi1 (LEDGER_INDEX) pages a day's entries over LEDGER_SHARDS.journalDay
 * partition keys, <n> = hash(entryId) mod the count; a reader queries them all.
 * gsi2 (WALLET_JOURNAL_INDEX) is a wallet's statement, newest first.
 * gsi3 (HOLD_EXPIRY_INDEX) is sparse: wallets with open holds, by a lower bound
 * of their earliest hold expiry, over LEDGER_SHARDS.holdExpiry partition keys.
 */

export const LEDGER_INDEX = 'gsi1';
export const WALLET_JOURNAL_INDEX = 'gsi2';
export const HOLD_EXPIRY_INDEX = 'gsi3';
export const WALLET_SK = 'WALLET';
export const ENTRY_SK_PREFIX = 'OP#';
export const TOMBSTONE_SK = 'TOMBSTONE';

export const walletKey = (walletId: string) => ({ pk: `WALLET#${walletId}`, sk: WALLET_SK });
export const journalPk = (ref: string): string => `JOURNAL#${ref}`;
export const journalKey = (ref: string, operation: string) => ({
  pk: journalPk(ref),
  sk: `${ENTRY_SK_PREFIX}${operation}`,
});
export const tombstoneKey = (paymentId: string) => ({ pk: journalPk(paymentId), sk: TOMBSTONE_SK });
export const depositRef = (depositId: string): string => `deposit:${depositId}`;
export const adjustmentRef = (adjustmentId: string): string => `adjust:${adjustmentId}`;
/** A refund saga's refund part: `refund:<paymentId>:<refundId>` (a refundId is unique per payment). */
export const refundPartKey = (paymentId: string, refundId: string): string => `${paymentId}:${refundId}`;
export const refundPartRef = (key: string): string => `refund:${key}`;
/** The paymentId of a refund_part entry's ref `refund:<paymentId>:<refundId>`; undefined for any other ref. */
export const paymentIdOfRefundPartRef = (ref: string): string | undefined =>
  /^refund:([^:]+):[^:]+$/.exec(ref)?.[1];
export const entryIdOf = (ref: string, operation: string): string => `${ref}#${operation}`;

/** The gsi1 partition key of a journal entry: its day and shard. */
export const journalDayPk = (day: string, entryId: string): string =>
  `JOURNAL#${day}#${shardOf(entryId, LEDGER_SHARDS.journalDay)}`;

/** Every gsi1 partition key of one day, for readers: its shards and the unsharded key of older entries. */
export const journalDayPks = (day: string): string[] => [
  ...Array.from({ length: LEDGER_SHARDS.journalDay }, (_, n) => `JOURNAL#${day}#${n}`),
  `JOURNAL#${day}`,
];

export const walletJournalPk = (walletId: string): string => `WALLET#${walletId}#J`;
export const walletJournalSk = (effectiveAt: string, seq: number): string =>
  `${effectiveAt}#${String(seq).padStart(12, '0')}`;

/** The wallet item's guard counter of a ref: paymentId, deposit or adjustment (LEDGER_SHARDS.reserveGuards of them, `g<n>`). */
export const guardAttribute = (ref: string): string => `g${shardOf(ref, LEDGER_SHARDS.reserveGuards)}`;
/** Top-level attributes of the wallet item with an open hold's reserve sequence number and balance after. */
export const reserveSeqAttribute = (paymentId: string): string => `rs#${paymentId}`;
export const reserveBalanceAttribute = (paymentId: string): string => `rb#${paymentId}`;
/**
 * Top-level attributes of the wallet item with the sequence number and balance after of a deposit's,
 * an adjustment's (by their ref) or a refund's (by the paymentId) marker while it is on the wallet.
 */
export const opSeqAttribute = (ref: string): string => `os#${ref}`;
export const opBalanceAttribute = (ref: string): string => `ob#${ref}`;

export const holdExpiryPk = (walletId: string): string =>
  `EXPIRY#${shardOf(walletId, LEDGER_SHARDS.holdExpiry)}`;
export const holdExpiryPks = (): string[] =>
  Array.from({ length: LEDGER_SHARDS.holdExpiry }, (_, n) => `EXPIRY#${n}`);
export const holdExpirySk = (nextExpiry: string, walletId: string): string => `${nextExpiry}#${walletId}`;
