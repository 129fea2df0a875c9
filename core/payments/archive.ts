import '../config/zod-locale';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { PutCommand, QueryCommand, UpdateCommand } from '../aws/dynamodb';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '../aws/s3';
import { canonicalJson } from '../canonical-json';
import {
  archiveDayPrefix,
  archiveObjectKey,
  HISTORY_ARCHIVE,
  PAYMENT_RECORD_TTL_ATTRIBUTE,
} from '../config/history';
import { isConditionFailure } from '../dynamo/condition';
import { SagaTimeline } from '../history/timeline';
import { findPanPaths } from '../pan';
import { paymentKey } from './keys';
import { ArchiveRecordSchema, type PaymentRecord, PaymentRecordSchema } from './records';
import {
  ArchiveRecordExistsError,
  type DocumentClient,
  PaymentRecordRefusedError,
  type PaymentsRepository,
} from './repository';

export { ArchiveRecordExistsError };

/**
 * The immutable saga history archive: one S3 object per payment and execution
 * run (a redriven execution that ends again gets its own), keyed by the
 * payment's request day and id (core/config/history.ts), written once with
 * `If-None-Match: *` in the Intelligent-Tiering storage class; the bucket's
 * Object Lock keeps it from being rewritten or deleted. A small pointer item
 * stays in the payments table so a payment's archives are found by its id:
 *
 *   PAYMENT#<paymentId> / ARCHIVE#<executionName>#<redriveCount, 4 digits>   -> bucket, objectKey, contentHash
 *
 * Writing the same timeline again is a no-op; another timeline under the same
 * id is refused (ArchiveRecordExistsError). Archives written before the move
 * to S3 (the timeline inline in the item, 350 KB cap) are still read.
 */
export interface ArchivedTimeline {
  readonly archiveId: string;
  readonly archivedAt: string;
  readonly contentHash: string;
  readonly timeline: SagaTimeline;
  /** Where the object is; absent for archives written inline in the payments table. */
  readonly objectKey?: string;
  /** The payment record as it was when archived (reports of days the table no longer keeps). */
  readonly payment?: PaymentRecord;
}

export interface ArchiveBucket {
  readonly s3: Pick<S3Client, 'send'>;
  readonly bucket: string;
}

const ARCHIVE_PREFIX = 'ARCHIVE#';

const PointerSchema = z.object({
  paymentId: z.string(),
  archiveId: z.string(),
  archivedAt: z.string(),
  contentHash: z.string(),
  bucket: z.string(),
  objectKey: z.string(),
});

/** The S3 object's body. */
const ArchiveObjectSchema = z.object({
  archiveId: z.string(),
  archivedAt: z.string(),
  contentHash: z.string(),
  timeline: SagaTimeline,
  payment: z.optional(PaymentRecordSchema),
});
type ArchiveObject = z.infer<typeof ArchiveObjectSchema>;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/** The UTC day of the first of these times that is one (a timeline of a lost payment has no request time). */
function dayOf(...times: Array<string | undefined>): string {
  for (const time of times) {
    const at = time ? Date.parse(time) : Number.NaN;
    if (!Number.isNaN(at)) return new Date(at).toISOString().slice(0, 10);
  }
  throw new ArchiveRefusedError(`no valid time among ${JSON.stringify(times)} to key the archive by day`);
}

export function archiveIdOf(timeline: Pick<SagaTimeline, 'executionName' | 'redriveCount'>): string {
  return `${timeline.executionName}#${String(timeline.redriveCount).padStart(4, '0')}`;
}

function isPreconditionFailed(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (error as Error).name === 'PreconditionFailed' || status === 412;
}

export class HistoryArchive {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
    private readonly objects: ArchiveBucket,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Archives a finished saga's timeline (with the payment record as it is now) to S3, then its
   * pointer; `written` is false when the same timeline was already there. Safe to repeat after a
   * crash between the two writes: the object is found, the pointer written.
   */
  async put(
    timeline: SagaTimeline,
    payment?: PaymentRecord,
  ): Promise<{ archiveId: string; objectKey: string; written: boolean }> {
    if (timeline.outcome.executionStatus === 'RUNNING') {
      throw new ArchiveRefusedError(
        `execution ${timeline.executionArn} is still running; only finished sagas are archived`,
      );
    }
    const body = SagaTimeline.parse(timeline);
    const archiveId = archiveIdOf(body);
    const contentHash = sha256(canonicalJson(body));
    const day = dayOf(payment?.requestedAt, body.payment?.requestedAt, body.startedAt);
    const objectKey = archiveObjectKey(day, body.paymentId, body.redriveCount);
    const object: ArchiveObject = {
      archiveId,
      archivedAt: this.now().toISOString(),
      contentHash,
      timeline: body,
      ...(payment && { payment: PaymentRecordSchema.parse(payment) }),
    };
    const paths = findPanPaths(object);
    if (paths.length > 0) {
      throw new PaymentRecordRefusedError(
        `archive ${archiveId} contains what looks like a card number at ${paths.join(', ')}`,
      );
    }
    const written = await this.putObjectOnce(objectKey, object);
    await this.putPointer({
      paymentId: body.paymentId,
      archiveId,
      archivedAt: object.archivedAt,
      contentHash,
      bucket: this.objects.bucket,
      objectKey,
    });
    return { archiveId, objectKey, written };
  }

  /**
   * Lets the payment's items (record, steps) expire `ttlDays` after now, through the table's TTL;
   * the archive pointers stay. Never shortens an expiry already set.
   */
  async expirePaymentItems(paymentId: string, ttlDays: number): Promise<number> {
    const expiresAt = Math.floor(this.now().getTime() / 1000) + ttlDays * 24 * 3600;
    let updated = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': paymentKey(paymentId).pk },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (String(item.sk).startsWith(ARCHIVE_PREFIX)) continue;
        await this.doc
          .send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { pk: item.pk, sk: item.sk },
              UpdateExpression: 'SET #ttl = if_not_exists(#ttl, :at)',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#ttl': PAYMENT_RECORD_TTL_ATTRIBUTE },
              ExpressionAttributeValues: { ':at': expiresAt },
            }),
          )
          .catch((error: unknown) => {
            if (!isConditionFailure(error)) throw error;
          });
        updated += 1;
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return updated;
  }

  /** Every archived run of a payment's saga, oldest first. */
  async list(paymentId: string): Promise<ArchivedTimeline[]> {
    return this.query(paymentId, true);
  }

  /** The most recent archived run, or undefined when the payment has none. */
  async latest(paymentId: string): Promise<ArchivedTimeline | undefined> {
    return (await this.query(paymentId, false, 1))[0];
  }

  /**
   * The latest archived run of each payment requested on `day` (yyyy-mm-dd), by paymentId, read
   * from S3 alone: what a report on a day the payments table no longer keeps reads.
   */
  async *latestOfDay(day: string): AsyncGenerator<ArchivedTimeline> {
    let pending: string | undefined;
    for await (const key of this.keysUnder(archiveDayPrefix(day))) {
      // Keys sort by paymentId, then run: the last key of a payment is its latest run.
      if (pending !== undefined && paymentOfKey(pending) !== paymentOfKey(key))
        yield await this.read(pending);
      pending = key;
    }
    if (pending !== undefined) yield await this.read(pending);
  }

  /** The payment records of a day's archived payments (their latest runs), in paymentId order. */
  async *paymentsOfDay(day: string): AsyncGenerator<PaymentRecord> {
    for await (const archived of this.latestOfDay(day)) if (archived.payment) yield archived.payment;
  }

  /** Reads one archived object by its key. */
  async read(objectKey: string): Promise<ArchivedTimeline> {
    const response = await this.objects.s3.send(
      new GetObjectCommand({ Bucket: this.objects.bucket, Key: objectKey }),
    );
    const text = await response.Body?.transformToString('utf8');
    const object = ArchiveObjectSchema.parse(JSON.parse(text ?? 'null'));
    return { ...object, objectKey };
  }

  private async *keysUnder(prefix: string): AsyncGenerator<string> {
    let ContinuationToken: string | undefined;
    do {
      const page = await this.objects.s3.send(
        new ListObjectsV2Command({ Bucket: this.objects.bucket, Prefix: prefix, ContinuationToken }),
      );
      for (const entry of page.Contents ?? []) if (entry.Key) yield entry.Key;
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  private async putObjectOnce(objectKey: string, object: ArchiveObject): Promise<boolean> {
    try {
      await this.objects.s3.send(
        new PutObjectCommand({
          Bucket: this.objects.bucket,
          Key: objectKey,
          Body: JSON.stringify(object),
          ContentType: HISTORY_ARCHIVE.contentType,
          StorageClass: HISTORY_ARCHIVE.storageClass,
          IfNoneMatch: '*',
          Metadata: { [HISTORY_ARCHIVE.hashMetadata]: object.contentHash },
        }),
      );
      return true;
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
    }
    const existing = await this.objects.s3.send(
      new HeadObjectCommand({ Bucket: this.objects.bucket, Key: objectKey }),
    );
    if (existing.Metadata?.[HISTORY_ARCHIVE.hashMetadata] === object.contentHash) return false;
    throw new ArchiveRecordExistsError(
      `archive ${object.archiveId} (s3://${this.objects.bucket}/${objectKey}) already exists with other content; archives are never rewritten`,
    );
  }

  private async putPointer(pointer: z.infer<typeof PointerSchema>): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: paymentKey(pointer.paymentId).pk,
            sk: `${ARCHIVE_PREFIX}${pointer.archiveId}`,
            kind: 'archive-pointer',
            ...pointer,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // Written by an earlier delivery of the same event (the object is the same: checked above).
      if (!isConditionFailure(error)) throw error;
    }
  }

  private async query(paymentId: string, forward: boolean, limit?: number): Promise<ArchivedTimeline[]> {
    const found: ArchivedTimeline[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': paymentKey(paymentId).pk, ':prefix': ARCHIVE_PREFIX },
          ScanIndexForward: forward,
          ConsistentRead: true,
          ...(limit !== undefined && { Limit: limit }),
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) found.push(await this.fromItem(item));
      ExclusiveStartKey = limit !== undefined && found.length >= limit ? undefined : page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return found;
  }

  /** A pointer's object from S3, or an archive written inline before the move. */
  private async fromItem(item: Record<string, unknown>): Promise<ArchivedTimeline> {
    if (item.kind === 'archive-pointer') {
      const pointer = PointerSchema.parse(item);
      const object = await this.read(pointer.objectKey);
      return object;
    }
    const record = ArchiveRecordSchema.parse(item);
    return {
      archiveId: record.archiveId,
      archivedAt: record.archivedAt,
      contentHash: record.contentHash,
      timeline: SagaTimeline.parse(record.body),
    };
  }
}

/**
 * The payments requested on a day the payments table no longer keeps in full: each archived payment,
 * unless the table still holds its record (a payment that was not settled when archived keeps its items,
 * and may have changed since, e.g. resolved by operations), then the table's records the archive lacks.
 */
export async function* paymentsOfArchivedDay(
  table: Pick<PaymentsRepository, 'paymentsRequestedBetween'>,
  archive: Pick<HistoryArchive, 'paymentsOfDay'>,
  day: string,
): AsyncGenerator<PaymentRecord> {
  const kept = new Map<string, PaymentRecord>();
  for await (const record of table.paymentsRequestedBetween(day, day)) kept.set(record.paymentId, record);
  for await (const archived of archive.paymentsOfDay(day)) {
    const current = kept.get(archived.paymentId);
    kept.delete(archived.paymentId);
    yield current ?? archived;
  }
  yield* kept.values();
}

/**
 * Whether a paymentId ever ran a saga: its payment record is there, or (once the record expired after
 * history.paymentRecordTtlDays and Step Functions forgot the execution) one of its archive pointers,
 * which never expire. Intake and the front door read it so that a paymentId is a duplicate for life.
 */
export class PaymentRunLookup {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
  ) {}

  async everRan(paymentId: string): Promise<boolean> {
    // One query over the sort keys from ARCHIVE# to PAYMENT: the pointers and the record are both in
    // that range (a GetItem and a Query before); anything else in it does not count.
    const key = paymentKey(paymentId);
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :archive AND :payment',
          ExpressionAttributeValues: { ':pk': key.pk, ':archive': ARCHIVE_PREFIX, ':payment': key.sk },
          ProjectionExpression: 'sk',
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      const ran = (page.Items ?? []).some(({ sk }) => sk === key.sk || String(sk).startsWith(ARCHIVE_PREFIX));
      if (ran) return true;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return false;
  }
}

/** history/<day>/<paymentId>/run-<n>.json -> paymentId. */
function paymentOfKey(objectKey: string): string {
  return objectKey.split('/').at(-2) ?? objectKey;
}

/** A timeline that may not be archived (the saga has not ended). */
export class ArchiveRefusedError extends Error {
  override readonly name = 'ArchiveRefusedError';
}
