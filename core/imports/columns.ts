/**
 * The batch import's CSV contract (RFC 4180, UTF-8, a header line naming
 * exactly these columns in this order; amounts in integer minor units). Each
 * row is one PaymentRequested v1 (events/payment-requested.v1.ts): the
 * exponent follows from the currency, schemaVersion is "1".
 *
 *   payment_id,wallet_id,merchant_id,amount_minor,currency,payment_method,funding,description,requested_at
 *
 * `funding` and `description` may be empty (funding then means wallet_then_method).
 */
export const IMPORT_COLUMNS = [
  'payment_id',
  'wallet_id',
  'merchant_id',
  'amount_minor',
  'currency',
  'payment_method',
  'funding',
  'description',
  'requested_at',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

export const IMPORT_HEADER = IMPORT_COLUMNS.join(',');

/** What the result file says of each row. */
export const ROW_OUTCOMES = ['accepted', 'rejected', 'duplicate'] as const;
export type RowOutcome = (typeof ROW_OUTCOMES)[number];
