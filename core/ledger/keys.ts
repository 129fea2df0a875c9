/**
 * Item keys of the ledger table (pk/sk strings; gsi1 for period queries).
 *
 *   wallet         pk WALLET#<walletId>        sk WALLET
 *   journal entry  pk JOURNAL#<ref>            sk OP#<operation>
 *                  gsi1pk JOURNAL#<yyyy-mm-dd of effectiveAt>   gsi1sk <effectiveAt>#<entryId>
 *
 * <ref> is the paymentId, or `deposit:<depositId>` (":" cannot occur in a
 * paymentId, so the two never collide).
 */

export const LEDGER_INDEX = 'gsi1';
export const WALLET_SK = 'WALLET';

export const walletKey = (walletId: string) => ({ pk: `WALLET#${walletId}`, sk: WALLET_SK });
export const journalPk = (ref: string): string => `JOURNAL#${ref}`;
export const journalKey = (ref: string, operation: string) => ({ pk: journalPk(ref), sk: `OP#${operation}` });
export const journalDayPk = (day: string): string => `JOURNAL#${day}`;
export const depositRef = (depositId: string): string => `deposit:${depositId}`;
export const entryIdOf = (ref: string, operation: string): string => `${ref}#${operation}`;
