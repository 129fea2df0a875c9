import '../config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../config/deferred-schema';
import type { ApiRequestStore } from './api-request-store';
import { API_REQUEST_SK } from './api-request-store';
import type { PublishPaymentRequested } from './outbox-publish';

/**
 * The outbox's consumer: for each change to a request record (from DynamoDB
 * Streams on AWS, the local table stream locally), publish the recorded
 * request unless it is on the bus already, then mark it published. Delivery
 * is at-least-once: a crash after PutEvents and before the mark publishes
 * again, and the fast path (api-submit) may publish the same request too; the
 * saga's execution name is the paymentId, so a second PaymentRequested with
 * the same detail never starts a second saga.
 */

/** What the consumer needs of a stream record: its position and the request it names. */
export const OutboxChange = deferred(() =>
  z.object({
    sequenceNumber: z.string().check(z.minLength(1)),
    paymentId: z.string().check(z.minLength(1)),
  }),
);
export type OutboxChange = z.infer<typeof OutboxChange>;

const StreamRecord = deferred(() =>
  z.object({
    dynamodb: z.object({
      SequenceNumber: z.string().check(z.minLength(1)),
      Keys: z.object({ pk: z.object({ S: z.string() }), sk: z.object({ S: z.string() }) }),
      NewImage: z.optional(z.object({ paymentId: z.object({ S: z.string().check(z.minLength(1)) }) })),
    }),
  }),
);

/** The request records among a stream batch's records, in order; other items of the table are dropped. */
export function outboxChangesOf(records: readonly unknown[]): OutboxChange[] {
  const changes: OutboxChange[] = [];
  for (const raw of records) {
    const record = StreamRecord.parse(raw).dynamodb;
    if (record.Keys.sk.S !== API_REQUEST_SK || !record.NewImage) continue;
    changes.push({ sequenceNumber: record.SequenceNumber, paymentId: record.NewImage.paymentId.S });
  }
  return changes;
}

export interface OutboxDeps {
  readonly requests: Pick<ApiRequestStore, 'get' | 'markPublished'>;
  readonly publish: PublishPaymentRequested;
  readonly now: () => Date;
}

export interface OutboxResult {
  readonly published: readonly string[];
  /** Already on the bus (the fast path won) or no longer recorded. */
  readonly skipped: readonly string[];
  /** The first change that could not be published; it and everything after it are retried. */
  readonly failed?: { readonly change: OutboxChange; readonly error: Error };
}

/** Publishes, in order, every changed request not yet on the bus; stops at the first failure. */
export async function publishOutbox(
  deps: OutboxDeps,
  changes: readonly OutboxChange[],
): Promise<OutboxResult> {
  const published: string[] = [];
  const skipped: string[] = [];
  for (const change of changes) {
    try {
      // The image may be stale: read the record as it is now.
      const record = await deps.requests.get(change.paymentId);
      if (!record || record.publishedAt) {
        skipped.push(change.paymentId);
        continue;
      }
      const eventId = await deps.publish(record.source, record.detail);
      await deps.requests.markPublished(record.paymentId, eventId, deps.now());
      published.push(change.paymentId);
    } catch (error) {
      return { published, skipped, failed: { change, error: error as Error } };
    }
  }
  return { published, skipped };
}
