/**
 * Item keys of the payments table. One table holds several record kinds:
 *   PAYMENT#<id> / PAYMENT              the payment: request, status, gateway ids, outcome
 *   PAYMENT#<id> / STEP#TIMELINE          its step timeline, append-only: one attribute per entry,
 *                                        named STEP#<ts>#<step>#<n> (written before issue 18, and when
 *                                        that item is full: one item per entry, under that sk)
 *   PAYMENT#<id> / ARCHIVE#<execution>   the immutable saga history archive (finance)
 *   AUDIT#<yyyy-mm-dd> / <ts>#<id>      operations audit records
 * gsi1 (PAYMENTS_BY_DAY_INDEX) pages payments by the day they were requested, sharded:
 *   DAY#<yyyy-mm-dd>#<n> / <requestedAt>#<id>   (n = shardOf(paymentId), core/config/payments.ts)
 */
import { PAYMENT_SHARDS } from '../config/payments';
import { shardOf } from '../dynamo/shards';

export const paymentKey = (paymentId: string) => ({ pk: `PAYMENT#${paymentId}`, sk: 'PAYMENT' });
export const stepSk = (at: string, step: string, unique: string): string => `STEP#${at}#${step}#${unique}`;
export const STEP_PREFIX = 'STEP#';
/** The item holding a payment's timeline entries as attributes (no gsi1 keys: appends touch no index). */
export const TIMELINE_SK = 'STEP#TIMELINE';
/** The UTC day of an ISO time with any offset: "2026-11-22T23:30:00-02:00" is 2026-11-23. */
const utcDay = (isoTime: string): string => new Date(isoTime).toISOString().slice(0, 10);
/**
 * The gsi1 partition key of a payment: the UTC day it was requested and its shard,
 * "DAY#2026-11-23#5" (PAYMENT_SHARDS.requestedDay shards per day).
 */
export const paymentDayPk = (isoTime: string, paymentId: string): string =>
  `DAY#${utcDay(isoTime)}#${shardOf(paymentId, PAYMENT_SHARDS.requestedDay)}`;
/** Every gsi1 partition key of one day (yyyy-mm-dd), for readers: each shard, and the unsharded key of older items. */
export const paymentDayPks = (day: string): string[] => [
  ...Array.from({ length: PAYMENT_SHARDS.requestedDay }, (_, n) => `DAY#${day}#${n}`),
  `DAY#${day}`,
];
export const paymentDaySk = (requestedAt: string, paymentId: string): string => `${requestedAt}#${paymentId}`;
