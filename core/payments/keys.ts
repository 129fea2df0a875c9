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
/** The UTC day of an ISO time with any offset: "2026-11-22T23:30:00-02:00" is DAY#2026-11-23. */
export const paymentDayPk = (isoTime: string): string =>
  `DAY#${new Date(isoTime).toISOString().slice(0, 10)}`;
export const paymentDaySk = (requestedAt: string, paymentId: string): string => `${requestedAt}#${paymentId}`;
