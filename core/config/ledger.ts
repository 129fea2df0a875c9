/**
 * Partitioning of the ledger table's indexes: how many partition keys a hot
 * index key is spread over. Read by core/ledger/keys.ts (writers and readers
 * alike); changing a count re-shards only items written afterwards, so a
 * reader of older days must know the count they were written with: only ever
 * raise it together with a reader that queries both counts.
 */
export const LEDGER_SHARDS = {
  /** gsi1 JOURNAL#<yyyy-mm-dd>#<n>: one day's journal entries (finance reports, reconcile, payctl). */
  journalDay: 8,
  /** gsi3 EXPIRY#<n>: wallets with open holds, by the earliest expiry (the hold sweeper). */
  holdExpiry: 4,
  /**
   * Counters on the wallet item, bumped when a closed marker (hold, refund,
   * deposit, adjustment) leaves it or a tombstone is written: a reserve,
   * refund, deposit or adjust that read the journal fails its write if its
   * ref's counter moved meanwhile (core/ledger/store.ts).
   */
  reserveGuards: 16,
} as const;
