import { API_REQUEST_SK } from '../frontdoor/api-request-store';
import type { TableKey } from './names';

/**
 * The front door's outbox: every recorded request (PAYMENT#<id> / API#REQUEST)
 * is published by publish-outbox from the change stream of the table that
 * holds it, whether or not api-submit's own publish got through. stacks/
 * (DynamoDB Streams + event source mapping) and local/ (the local table
 * stream) both read these settings.
 */
export const OUTBOX = {
  /** The table whose stream feeds the outbox. */
  table: 'payments' satisfies TableKey,
  /**
   * Lambda event filtering (same syntax as EventBridge patterns): request
   * records whose new image has no publishedAt. api-submit's create is one;
   * its markPublished, and every other item of the table, are not.
   */
  filterPattern: {
    dynamodb: {
      Keys: { sk: { S: [API_REQUEST_SK] } },
      NewImage: { publishedAt: { S: [{ exists: false }] } },
    },
  },
  batchSize: 25,
  /**
   * Records wait up to this long to form a batch: the fast path has usually
   * published and marked the record by then, and the consumer (which re-reads
   * the record) skips it instead of publishing it a second time.
   */
  maxBatchingWindowSeconds: 1,
  /** A failing batch is split in two and retried this many times, then goes to the outbox DLQ. */
  retryAttempts: 10,
  /** A record older than this is not retried any more (it goes to the outbox DLQ): 6 hours. */
  maxRecordAgeSeconds: 6 * 3600,
  /** Local runtime: how often the table stream is polled. */
  localPollIntervalMs: 200,
} as const;
