/**
 * Sends fuzz cases the way producers do: PutEvents in batches of up to 10
 * entries (an entry too big for a shared request goes alone), and raw bodies
 * with SendMessageBatch (a big body goes alone with SendMessage). Each case's
 * outcome is what the API answered for it.
 */
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { BodyCase, EntryCase } from '../arbitraries/payment-requested';

export type FuzzCase = { via: 'putEvents'; case: EntryCase } | { via: 'queue'; case: BodyCase };

export type Outcome = { via: FuzzCase['via']; case: EntryCase | BodyCase } & (
  | { accepted: true; eventId?: string }
  | { accepted: false; code: string; message: string }
);

const BATCH_BYTES = 192 * 1024;
const CONCURRENCY = 4;

/** Splits into batches of at most 10 whose summed size stays under `maxBytes` (a bigger item goes alone). */
function batches<T>(items: readonly T[], size: (item: T) => number, maxBytes: number): T[][] {
  const result: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const itemBytes = size(item);
    if (current.length > 0 && (current.length === 10 || bytes + itemBytes > maxBytes)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += itemBytes;
  }
  if (current.length > 0) result.push(current);
  return result;
}

async function inParallel<T>(work: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < work.length) {
        const item = work[next++] as T;
        await run(item);
      }
    }),
  );
}

const errorOf = (error: unknown) => ({
  code: error instanceof Error ? error.name : 'Unknown',
  message: error instanceof Error ? error.message : String(error),
});

export async function putEntries(
  events: EventBridgeClient,
  eventBusName: string,
  cases: readonly EntryCase[],
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const size = (c: EntryCase) => Buffer.byteLength(JSON.stringify(c.entry));
  await inParallel(batches(cases, size, BATCH_BYTES), async (batch) => {
    const entries: PutEventsRequestEntry[] = batch.map((c) => ({ ...c.entry, EventBusName: eventBusName }));
    try {
      const result = await events.send(new PutEventsCommand({ Entries: entries }));
      batch.forEach((c, i) => {
        const entry = result.Entries?.[i];
        outcomes.push(
          entry?.EventId
            ? { via: 'putEvents', case: c, accepted: true, eventId: entry.EventId }
            : {
                via: 'putEvents',
                case: c,
                accepted: false,
                code: entry?.ErrorCode ?? 'NoResult',
                message: entry?.ErrorMessage ?? '',
              },
        );
      });
    } catch (error) {
      for (const c of batch) outcomes.push({ via: 'putEvents', case: c, accepted: false, ...errorOf(error) });
    }
  });
  return outcomes;
}

export async function sendBodies(
  sqs: SQSClient,
  queueUrl: string,
  cases: readonly BodyCase[],
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const size = (c: BodyCase) => Buffer.byteLength(c.body);
  await inParallel(batches(cases, size, BATCH_BYTES), async (batch) => {
    if (batch.length === 1) {
      const [c] = batch as [BodyCase];
      try {
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: c.body }));
        outcomes.push({ via: 'queue', case: c, accepted: true });
      } catch (error) {
        outcomes.push({ via: 'queue', case: c, accepted: false, ...errorOf(error) });
      }
      return;
    }
    try {
      const result = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((c, i) => ({ Id: String(i), MessageBody: c.body })),
        }),
      );
      batch.forEach((c, i) => {
        const failed = result.Failed?.find((f) => f.Id === String(i));
        outcomes.push(
          failed
            ? {
                via: 'queue',
                case: c,
                accepted: false,
                code: failed.Code ?? 'Unknown',
                message: failed.Message ?? '',
              }
            : { via: 'queue', case: c, accepted: true },
        );
      });
    } catch (error) {
      for (const c of batch) outcomes.push({ via: 'queue', case: c, accepted: false, ...errorOf(error) });
    }
  });
  return outcomes;
}
