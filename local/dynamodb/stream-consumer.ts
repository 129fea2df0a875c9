import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from '../edge/request-context';
import { eventMatches } from '../events/pattern-match';
import type { LocalTableStream, StreamChange } from './table-stream';

/**
 * A Lambda event source mapping on a local table stream, as AWS runs one on
 * DynamoDB Streams: reads the stream in order, builds the records
 * (NEW_IMAGE: the item as it is now), keeps those the filter criteria match,
 * invokes the function with a DynamoDBStreamEvent in batches, and honours its
 * partial batch response (ReportBatchItemFailures): it retries from the
 * first failed record with back-off, and after `retryAttempts` sends the
 * batch's position to the on-failure destination and goes on. Nothing moves
 * past a record until it is done, and the checkpoint survives restarts.
 */
export interface StreamConsumerOptions {
  readonly stream: LocalTableStream;
  readonly dynamodb: DynamoDBClient;
  readonly region: string;
  /** Lambda event filtering (EventBridge pattern syntax) on each record. */
  readonly filterPattern: object;
  readonly batchSize: number;
  /** MaximumBatchingWindowInSeconds: a batch short of batchSize waits until its oldest change is this old. */
  readonly batchingWindowMs: number;
  readonly retryAttempts: number;
  readonly pollIntervalMs: number;
  readonly invoke: (event: DynamoDBStreamEvent) => Promise<unknown>;
  /** The on-failure destination: what AWS writes there (the batch's position and the reason). */
  readonly onFailure: (failure: Record<string, unknown>) => Promise<void>;
  readonly onError: (error: unknown) => void;
}

const MAX_BACKOFF_MS = 30_000;

export class StreamConsumer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private attempts = 0;
  private notBefore = 0;

  private readonly keysPattern: object;

  constructor(private readonly options: StreamConsumerOptions) {
    const keys = (options.filterPattern as { dynamodb?: { Keys?: object } }).dynamodb?.Keys;
    this.keysPattern = keys ? { dynamodb: { Keys: keys } } : {};
  }

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Reads and delivers until the stream has nothing readable (tests; the timer does the same). */
  async drain(): Promise<void> {
    while (!this.stopped && (await this.pollOnce())) {
      // a full read: there may be more
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .catch((error: unknown) => this.options.onError(error))
        .finally(() => this.schedule());
    }, this.options.pollIntervalMs);
    this.timer.unref();
  }

  /** One read of the stream; true when it delivered or skipped something (there may be more). */
  private async pollOnce(): Promise<boolean> {
    if (Date.now() < this.notBefore) return false;
    const { stream, batchSize } = this.options;
    const limit = batchSize * 4;
    const { changes, through, scanned } = stream.read(limit);
    if (scanned === 0) return false;
    const oldest = changes[0]?.at ?? 0;
    if (scanned < limit && Date.now() - oldest < this.options.batchingWindowMs) return false;
    // The filter's key conditions first, from the change alone: no read for items it can never match.
    const candidates = changes.filter((change) =>
      eventMatches(this.keysPattern, { dynamodb: { Keys: change.keys } }),
    );
    const records = (await this.recordsOf(candidates)).filter((entry) =>
      eventMatches(this.options.filterPattern, entry.record),
    );
    for (let start = 0; start < records.length; start += batchSize) {
      const batch = records.slice(start, start + batchSize);
      const failedSeq = await this.deliver(batch.map((entry) => entry.record));
      if (failedSeq === undefined) continue;
      // Everything before the failed record is done; retry from it, or give it up after its attempts.
      this.attempts++;
      if (this.attempts <= this.options.retryAttempts) {
        await stream.advance(failedSeq - 1);
        this.notBefore = Date.now() + Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.attempts);
        return false;
      }
      await this.options.onFailure({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: this.attempts },
        DDBStreamBatchInfo: {
          streamArn: streamArnOf(this.options.region, stream.tableName),
          startSequenceNumber: sequenceNumber(failedSeq),
          endSequenceNumber: sequenceNumber(batch.at(-1)?.seq ?? failedSeq),
          batchSize: batch.length,
        },
      });
      this.attempts = 0;
      await stream.advance(batch.at(-1)?.seq ?? failedSeq);
    }
    this.attempts = 0;
    await stream.advance(through);
    return true;
  }

  /** Invokes with one batch; the sequence number of the first failed record, if any. */
  private async deliver(records: DynamoDBRecord[]): Promise<number | undefined> {
    let response: DynamoDBBatchResponse | null | undefined;
    try {
      response = (await this.options.invoke({ Records: records })) as DynamoDBBatchResponse | null;
    } catch (error) {
      this.options.onError(error);
      return Number(records[0]?.dynamodb?.SequenceNumber);
    }
    const failed = (response?.batchItemFailures ?? []).map((failure) => Number(failure.itemIdentifier));
    return failed.length > 0 ? Math.min(...failed) : undefined;
  }

  private async recordsOf(
    changes: readonly StreamChange[],
  ): Promise<{ readonly seq: number; readonly record: DynamoDBRecord }[]> {
    const { stream, dynamodb, region } = this.options;
    const entries: { seq: number; record: DynamoDBRecord }[] = [];
    for (const change of changes) {
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: stream.tableName, Key: change.keys, ConsistentRead: true }),
      );
      const image = Item as Record<string, AttributeValue> | undefined;
      entries.push({
        seq: change.seq,
        record: {
          eventID: `local-${change.seq}`,
          eventName: !image ? 'REMOVE' : change.operation === 'PutItem' ? 'INSERT' : 'MODIFY',
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: region,
          eventSourceARN: streamArnOf(region, stream.tableName),
          dynamodb: {
            ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
            Keys: change.keys as DynamoDBRecord['dynamodb'] extends { Keys?: infer K } ? K : never,
            ...(image && {
              NewImage: image as DynamoDBRecord['dynamodb'] extends { NewImage?: infer I } ? I : never,
            }),
            SequenceNumber: sequenceNumber(change.seq),
            SizeBytes: Buffer.byteLength(JSON.stringify(image ?? change.keys)),
            StreamViewType: 'NEW_IMAGE',
          },
        },
      });
    }
    return entries;
  }
}

/** Stream sequence numbers are decimal strings; padded so they sort as text too. */
const sequenceNumber = (seq: number): string => String(seq).padStart(21, '0');

const streamArnOf = (region: string, tableName: string): string =>
  `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT_ID}:table/${tableName}/stream/local`;
