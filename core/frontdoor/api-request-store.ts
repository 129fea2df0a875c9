import '../config/zod-locale';
import * as z from 'zod/mini';
import { GetCommand, PutCommand, UpdateCommand } from '../aws/dynamodb';
import { deferred } from '../config/deferred-schema';
import { isConditionFailure } from '../dynamo/condition';
import { paymentKey } from '../payments/keys';
import type { DocumentClient } from '../payments/repository';

/**
 * What the front door remembers of each request it accepted, next to the
 * payment in the payments table (PAYMENT#<id> / API#REQUEST): who sent it,
 * the hash of what they sent, the exact detail it published, and whether the
 * event is on the bus yet. It makes a repeat of the same key idempotent, a
 * reuse with another body a conflict, and a payment readable by its owner only.
 */
export const API_REQUEST_SK = 'API#REQUEST';

export const ApiRequestRecord = deferred(() =>
  z.object({
    paymentId: z.string(),
    clientId: z.string(),
    source: z.string(),
    /** sha256 of what the client sent; a retry must send the same. */
    clientHash: z.string(),
    /** The PaymentRequested detail as published (canonical JSON), so a re-publish is byte-identical. */
    detail: z.string(),
    acceptedAt: z.string(),
    publishedAt: z.optional(z.string()),
    eventId: z.optional(z.string()),
  }),
);
export type ApiRequestRecord = z.infer<typeof ApiRequestRecord>;

const key = (paymentId: string) => ({ pk: paymentKey(paymentId).pk, sk: API_REQUEST_SK });

export class ApiRequestStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
  ) {}

  async get(paymentId: string): Promise<ApiRequestRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key(paymentId), ConsistentRead: true }),
    );
    return Item ? ApiRequestRecord.parse(Item) : undefined;
  }

  /** Records the request once; false when this paymentId already has one (a retry or a race). */
  async create(record: ApiRequestRecord): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(record.paymentId), kind: 'api-request', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markPublished(paymentId: string, eventId: string, at: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(paymentId),
        UpdateExpression:
          'SET publishedAt = if_not_exists(publishedAt, :at), eventId = if_not_exists(eventId, :id)',
        ExpressionAttributeValues: { ':at': at.toISOString(), ':id': eventId },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }
}
