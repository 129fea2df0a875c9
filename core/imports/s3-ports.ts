import { setTimeout as sleep } from 'node:timers/promises';
import { type BatchImported, BatchImportedV1 } from '../../events/batch-imported.v1';
import { DETAIL_TYPES } from '../../events/envelope';
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '../aws/eventbridge';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '../aws/s3';
import { IMPORT_BUCKET_LAYOUT } from '../config/imports';
import { eventEntry } from '../outcomes/event-entry';
import type { ImportPorts } from './importer';

/**
 * The S3 and EventBridge adapters of importCsv's ports (core/imports/importer.ts). The
 * DynamoDB ones are PaymentRunLookup.everRan (core/payments/archive.ts) and
 * ImportCheckpointStore (./checkpoint-store.ts).
 */

export type S3Port = Pick<S3Client, 'send'>;
export type EventBridgePort = Pick<EventBridgeClient, 'send'>;

/** The object changed between the S3 event and this read (a newer upload): its own event imports it. */
export class ImportSupersededError extends Error {
  override readonly name = 'ImportSupersededError';
}

/** PutEvents kept refusing some entries after its retries: the import stops here and is retried from its checkpoint. */
export class ImportPublishError extends Error {
  override readonly name = 'ImportPublishError';
}

export interface UploadedObject {
  readonly bucket: string;
  readonly key: string;
  /** The upload's ETag (quoted or not): both passes read exactly these bytes, or fail. */
  readonly eTag?: string;
  readonly versionId?: string;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<Uint8Array> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * Opens the uploaded object as a stream, each time from its start: the version or ETag of the
 * upload is pinned, so an overwrite in between fails the read (ImportSupersededError) instead of
 * mixing two files.
 */
export function objectOpener(s3: S3Port, object: UploadedObject): ImportPorts['open'] {
  const eTag = object.eTag && `"${object.eTag.replaceAll('"', '')}"`;
  return () => ({
    async *[Symbol.asyncIterator]() {
      let body: unknown;
      try {
        const response = await s3.send(
          new GetObjectCommand({
            Bucket: object.bucket,
            Key: object.key,
            ...(object.versionId && { VersionId: object.versionId }),
            ...(eTag && { IfMatch: eTag }),
          }),
        );
        body = response.Body;
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'PreconditionFailed' || name === 'NoSuchKey' || name === 'NoSuchVersion') {
          throw new ImportSupersededError(`${object.key} changed or went away since its upload (${name})`);
        }
        throw error;
      }
      if (!isAsyncIterable(body)) throw new Error(`GetObject ${object.key} returned no stream`);
      yield* body;
    },
  });
}

const PUBLISH_ATTEMPTS = 4;

/**
 * Puts PaymentRequested entries under the producer's source, as if the producer had put them
 * itself. Entries PutEvents refuses are retried alone (never the whole batch), with back-off;
 * throws ImportPublishError when some are still refused, so the checkpoint is not advanced.
 */
export function busPublisher(
  events: EventBridgePort,
  eventBusName: string,
  source: string,
  backoffMs = 200,
): ImportPorts['publish'] {
  return async (payments) => {
    let entries: PutEventsRequestEntry[] = payments.map((payment) =>
      eventEntry(eventBusName, DETAIL_TYPES.paymentRequested, payment, source),
    );
    for (let attempt = 1; entries.length > 0; attempt += 1) {
      const result = await events.send(new PutEventsCommand({ Entries: entries }));
      if (!result.FailedEntryCount) return;
      const failed = entries.filter((_, i) => {
        const answer = result.Entries?.[i];
        return answer === undefined || answer.ErrorCode !== undefined || answer.EventId === undefined;
      });
      if (attempt >= PUBLISH_ATTEMPTS) {
        const first = result.Entries?.find((entry) => entry.ErrorCode);
        throw new ImportPublishError(
          `PutEvents refused ${failed.length} PaymentRequested after ${attempt} attempts (${first?.ErrorCode ?? 'no answer'}: ${first?.ErrorMessage ?? ''})`,
        );
      }
      entries = failed;
      await sleep(backoffMs * 2 ** (attempt - 1));
    }
  };
}

/** The result file: lines kept in order, written as one object when the run is done. */
export class ResultFile {
  private readonly lines: string[] = [];

  constructor(
    private readonly s3: S3Port,
    private readonly bucket: string,
    readonly key: string,
  ) {}

  readonly append: ImportPorts['result'] = async (line) => {
    this.lines.push(line);
  };

  async write(): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key,
        Body: `${this.lines.join('\n')}\n`,
        ContentType: IMPORT_BUCKET_LAYOUT.resultContentType,
      }),
    );
  }
}

/** Puts the BatchImported summary on the bus under paysaga's source (validated against its contract first). */
export async function publishBatchImported(
  events: EventBridgePort,
  eventBusName: string,
  detail: BatchImported,
): Promise<void> {
  const checked = BatchImportedV1.parse(detail);
  const result = await events.send(
    new PutEventsCommand({ Entries: [eventEntry(eventBusName, DETAIL_TYPES.batchImported, checked)] }),
  );
  if (result.FailedEntryCount) {
    throw new ImportPublishError(`BatchImported not published: ${result.Entries?.[0]?.ErrorMessage ?? ''}`);
  }
}
