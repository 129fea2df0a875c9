import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '../aws/dynamodb';
import { isConditionFailure } from '../dynamo/condition';
import type { DocumentClient } from '../payments/repository';
import { EndpointHealth, type StoredSecret, WebhookEndpointRecord } from './model';
import { type HeldSlot, leasesOf, slotAttribute } from './slots';

/**
 * Webhook endpoints, in the payments table next to the other front-door
 * records:
 *
 *   WEBHOOK#ENDPOINTS / <clientId>#<endpointId>   the endpoint (url, events, encrypted secrets)
 *   WEBHOOK#ENDPOINT#<endpointId> / HEALTH        its recent failures (back-off) and attempt slots (slot<n>: lease)
 *
 * Endpoints are few (at most WEBHOOKS.maxEndpointsPerClient per client), so
 * one partition holds them all: a client's endpoints are one Query, operations'
 * list another. Every storage expression of them is here.
 */
const ENDPOINTS_PK = 'WEBHOOK#ENDPOINTS';
const endpointKey = (clientId: string, endpointId: string) => ({
  pk: ENDPOINTS_PK,
  sk: `${clientId}#${endpointId}`,
});
const healthKey = (endpointId: string) => ({ pk: `WEBHOOK#ENDPOINT#${endpointId}`, sk: 'HEALTH' });

export class WebhookEndpointStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
  ) {}

  async get(clientId: string, endpointId: string): Promise<WebhookEndpointRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: endpointKey(clientId, endpointId),
        ConsistentRead: true,
      }),
    );
    return Item ? WebhookEndpointRecord.parse(Item) : undefined;
  }

  /** A client's endpoints; every client's when `clientId` is undefined (operations). */
  async list(clientId?: string): Promise<WebhookEndpointRecord[]> {
    const records: WebhookEndpointRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: clientId ? 'pk = :pk AND begins_with(sk, :client)' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': ENDPOINTS_PK, ...(clientId && { ':client': `${clientId}#` }) },
          ConsistentRead: true,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) records.push(WebhookEndpointRecord.parse(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return records;
  }

  /** Any client's endpoint by its id (operations). */
  async find(endpointId: string): Promise<WebhookEndpointRecord | undefined> {
    return (await this.list()).find((record) => record.endpointId === endpointId);
  }

  /** Records a new endpoint; false when the id is taken. */
  async create(record: WebhookEndpointRecord): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...endpointKey(record.clientId, record.endpointId), kind: 'webhook-endpoint', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Deletes the client's endpoint; false when it has none by that id. */
  async delete(clientId: string, endpointId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: endpointKey(clientId, endpointId),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Replaces the secrets, if they are still those the caller read (a
   * concurrent rotation loses and is told so): false when they changed or
   * the endpoint is gone.
   */
  async replaceSecrets(
    record: WebhookEndpointRecord,
    secrets: readonly StoredSecret[],
    rotatedAt: string,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: endpointKey(record.clientId, record.endpointId),
          UpdateExpression: 'SET secrets = :secrets, rotatedAt = :at',
          // The last rotation's time stands for the secrets read (none before the first rotation).
          ConditionExpression: record.rotatedAt
            ? 'attribute_exists(pk) AND rotatedAt = :read'
            : 'attribute_exists(pk) AND attribute_not_exists(rotatedAt)',
          ExpressionAttributeValues: {
            ':secrets': secrets,
            ':at': rotatedAt,
            ...(record.rotatedAt && { ':read': record.rotatedAt }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async health(endpointId: string): Promise<EndpointHealth | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: healthKey(endpointId), ConsistentRead: true }),
    );
    return Item ? EndpointHealth.parse({ ...Item, leases: leasesOf(Item) }) : undefined;
  }

  /** Takes slot `slot` with `lease` if it is free at `now` (never held, released, or its lease ran out); false when held. */
  async claimSlot(endpointId: string, slot: number, lease: string, now: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: healthKey(endpointId),
          UpdateExpression: 'SET #slot = :lease, endpointId = :id',
          ConditionExpression: 'attribute_not_exists(#slot) OR #slot < :now',
          ExpressionAttributeNames: { '#slot': slotAttribute(slot) },
          ExpressionAttributeValues: { ':lease': lease, ':now': now, ':id': endpointId },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Frees the slot if `held` still holds it (a lease that ran out and was taken again is left to its new holder). */
  async releaseSlot(endpointId: string, held: HeldSlot): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: healthKey(endpointId),
          UpdateExpression: 'REMOVE #slot',
          ConditionExpression: '#slot = :lease',
          ExpressionAttributeNames: { '#slot': slotAttribute(held.slot) },
          ExpressionAttributeValues: { ':lease': held.lease },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * A failed attempt: one more consecutive failure, no attempt before
   * `nextAttemptAt`, and `held`'s slot freed in the same write (if its lease
   * ran out and the slot was taken again, the failure is recorded alone).
   * Answers the consecutive failures.
   */
  async recordFailure(endpointId: string, nextAttemptAt: string, held: HeldSlot): Promise<number> {
    const update = (release: boolean) =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: healthKey(endpointId),
          UpdateExpression: `SET endpointId = :id, nextAttemptAt = :next, consecutiveFailures = if_not_exists(consecutiveFailures, :zero) + :one${release ? ' REMOVE #slot' : ''}`,
          ...(release && {
            ConditionExpression: '#slot = :lease',
            ExpressionAttributeNames: { '#slot': slotAttribute(held.slot) },
          }),
          ExpressionAttributeValues: {
            ':id': endpointId,
            ':next': nextAttemptAt,
            ':zero': 0,
            ':one': 1,
            ...(release && { ':lease': held.lease }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
    let answer: Awaited<ReturnType<typeof update>>;
    try {
      answer = await update(true);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      answer = await update(false);
    }
    return EndpointHealth.parse({ ...answer.Attributes, leases: {} }).consecutiveFailures;
  }

  /**
   * A delivered attempt: the endpoint is healthy again (no failures, no
   * back-off), and `held`'s slot freed in the same write (if its lease ran
   * out and the slot was taken again, the endpoint is made healthy alone).
   */
  async recordSuccess(endpointId: string, held: HeldSlot): Promise<void> {
    const update = (release: boolean) =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: healthKey(endpointId),
          UpdateExpression: `REMOVE consecutiveFailures, nextAttemptAt${release ? ', #slot' : ''}`,
          ConditionExpression: release ? '#slot = :lease' : 'attribute_exists(pk)',
          ...(release && {
            ExpressionAttributeNames: { '#slot': slotAttribute(held.slot) },
            ExpressionAttributeValues: { ':lease': held.lease },
          }),
        }),
      );
    try {
      await update(true);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      try {
        await update(false);
      } catch (again) {
        if (!isConditionFailure(again)) throw again;
      }
    }
  }
}
