/**
 * Item keys of the payments table. One table holds several record kinds:
 *   PAYMENT#<id> / PAYMENT              the payment: request, status, gateway ids, outcome
 *   PAYMENT#<id> / STEP#<ts>#<step>#<n>  its step timeline, append-only
 *   PAYMENT#<id> / ARCHIVE#<execution>   the immutable saga history archive (finance)
 *   AUDIT#<yyyy-mm-dd> / <ts>#<id>      operations audit records
 * gsi1 (PAYMENTS_BY_DAY_INDEX) pages payments by the day they were requested.
 */
export const paymentKey = (paymentId: string) => ({ pk: `PAYMENT#${paymentId}`, sk: 'PAYMENT' });
export const stepSk = (at: string, step: string, unique: string): string => `STEP#${at}#${step}#${unique}`;
export const STEP_PREFIX = 'STEP#';
export const paymentDayPk = (isoTime: string): string => `DAY#${isoTime.slice(0, 10)}`;
export const paymentDaySk = (requestedAt: string, paymentId: string): string => `${requestedAt}#${paymentId}`;
