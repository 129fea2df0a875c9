/**
 * Partitioning of the payments table's day index (gsi1): how many partition
 * keys one day's payments are spread over, so a busy day does not put every
 * request's write on one key. Read by core/payments/keys.ts (the writer and the
 * readers alike). Changing it re-shards only payments opened afterwards: raise
 * it only together with a reader that queries both counts.
 */
export const PAYMENT_SHARDS = {
  /** gsi1 DAY#<yyyy-mm-dd>#<n>: the payments requested on one UTC day (report, reconcile, console). */
  requestedDay: 8,
} as const;
