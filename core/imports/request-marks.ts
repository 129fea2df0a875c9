import '../config/zod-locale';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import { BatchWriteCommand, GetCommand } from '../aws/dynamodb';
import { PAYMENT_RECORD_TTL_ATTRIBUTE } from '../config/history';
import type { DocumentClient } from '../payments/repository';

/**
 * What an import published, per paymentId, in the payments table: IMPORTED#<paymentId> / REQUEST
 * with the importId, written once the PaymentRequested is on the bus. A row's saga records its
 * payment only when intake has started it (a backlog of a big file can take a while), so without
 * this a file uploaded again before then would be reported accepted (and published again, which
 * intake suppresses) instead of duplicate. Expires after MARK_TTL_DAYS, long after the payment
 * record (or its archive pointer) has taken over.
 */
const MARK_TTL_DAYS = 30;
const BATCH_WRITE_ATTEMPTS = 5;

const MarkItem = z.object({ importId: z.string().check(z.minLength(1)) });

const markKey = (paymentId: string) => ({ pk: `IMPORTED#${paymentId}`, sk: 'REQUEST' });

export class ImportRequestMarks {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The import that published this paymentId, if any did (within MARK_TTL_DAYS). */
  async importOf(paymentId: string): Promise<string | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: markKey(paymentId), ConsistentRead: true }),
    );
    return Item ? MarkItem.parse(Item).importId : undefined;
  }

  /** Marks these paymentIds as published by `importId` (at most 25; a later import's mark replaces it). */
  async mark(importId: string, paymentIds: readonly string[]): Promise<void> {
    const expiresAt = Math.floor(this.now().getTime() / 1000) + MARK_TTL_DAYS * 24 * 3600;
    let requests = paymentIds.map((paymentId) => ({
      PutRequest: {
        Item: {
          ...markKey(paymentId),
          kind: 'import-request',
          importId,
          [PAYMENT_RECORD_TTL_ATTRIBUTE]: expiresAt,
        },
      },
    }));
    for (let attempt = 1; requests.length > 0; attempt += 1) {
      const result = await this.doc.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
      );
      requests = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      if (requests.length === 0) return;
      if (attempt >= BATCH_WRITE_ATTEMPTS) {
        throw new Error(
          `${requests.length} import marks unprocessed after ${attempt} attempts; retry the import`,
        );
      }
      await sleep(50 * 2 ** attempt);
    }
  }
}
