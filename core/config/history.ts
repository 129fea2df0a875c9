import { APP_NAME, type Stage } from './names';

/**
 * The saga history archive on S3 (stacks/History.ts, core/payments/archive.ts,
 * the local runtime and payctl read these): one object per payment and run,
 *
 *   history/<yyyy-mm-dd, the payment's request day>/<paymentId>/run-<redriveCount, 4 digits>.json
 *
 * written once (If-None-Match: *) in the Intelligent-Tiering storage class,
 * under Object Lock (governance) on AWS; a small pointer item stays in the
 * payments table (PAYMENT#<id> / ARCHIVE#<archiveId>).
 */
export const HISTORY_ARCHIVE = {
  keyPrefix: 'history/',
  storageClass: 'INTELLIGENT_TIERING',
  contentType: 'application/json',
  /** S3 object metadata holding the sha-256 of the canonical timeline (the write-once comparison). */
  hashMetadata: 'content-sha256',
  /** Intelligent-Tiering's opt-in archive tiers: objects not read for this many days move down. */
  archiveAccessTierDays: 90,
  deepArchiveAccessTierDays: 180,
} as const;

/** The payments table's TTL attribute (epoch seconds), set on a payment's items once its history is archived. */
export const PAYMENT_RECORD_TTL_ATTRIBUTE = 'expiresAt';

/** How long each stage keeps what: the payment records in DynamoDB, and the archive under Object Lock. */
export interface HistoryRetention {
  /**
   * A payment's items leave the payments table this many days after its history is archived; reports on
   * days older than this read the archive. At least Step Functions' 90-day retention: payctl history
   * reads the live execution first.
   */
  readonly paymentRecordTtlDays: number;
  /** Object Lock default retention (governance mode) of each archived timeline. */
  readonly objectLockDays: number;
}

const RETENTION: Readonly<Record<'dev' | 'prod', HistoryRetention>> = {
  dev: { paymentRecordTtlDays: 120, objectLockDays: 30 },
  // Finance records: keep ten years locked; the table keeps little more than a year of payments.
  prod: { paymentRecordTtlDays: 400, objectLockDays: 3_653 },
};

/** Step Functions keeps a closed execution this long; payment records must outlive it. */
export const MIN_PAYMENT_RECORD_TTL_DAYS = 90;

export function historyRetention(stage: Stage): HistoryRetention {
  return stage === 'prod' ? RETENTION.prod : RETENTION.dev;
}

/** The stage's buckets: the history archive, and the CSV batch import's uploads and results (core/config/imports.ts). */
export function bucketNames(stage: Stage): { readonly history: string; readonly imports: string } {
  return { history: `${APP_NAME}-${stage}-history`, imports: `${APP_NAME}-${stage}-imports` };
}

export function archiveObjectKey(day: string, paymentId: string, redriveCount: number): string {
  return `${HISTORY_ARCHIVE.keyPrefix}${day}/${paymentId}/run-${String(redriveCount).padStart(4, '0')}.json`;
}

/** The prefix under which one request day's archived timelines are listed. */
export function archiveDayPrefix(day: string): string {
  return `${HISTORY_ARCHIVE.keyPrefix}${day}/`;
}

/**
 * The first request day whose payments the payments table still holds in full: a settled payment's
 * items expire paymentRecordTtlDays after it is archived, which is on or after its request day.
 */
export function firstDayInTable(stage: Stage, now: Date): string {
  const ttlMs = historyRetention(stage).paymentRecordTtlDays * 24 * 3600 * 1000;
  return new Date(now.getTime() - ttlMs).toISOString().slice(0, 10);
}
