/**
 * Index names the stores query, apart from tables.ts (which creates tables
 * with the SDK's low-level client, for local runs and tests only), so a
 * function that queries an index never imports @aws-sdk/client-dynamodb.
 */

/** GSI on the payments table: items carry gsi1pk = "DAY#<yyyy-mm-dd>" etc., for period queries. */
export const PAYMENTS_BY_DAY_INDEX = 'gsi1';
