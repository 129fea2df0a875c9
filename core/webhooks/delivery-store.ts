import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '../aws/dynamodb';
import { isConditionFailure } from '../dynamo/condition';
import type { DocumentClient } from '../payments/repository';
import { AttemptRecord, type DELIVERY_STATUSES, DeliveryRecord, WebhookEventRecord } from './model';

/**
 * Webhook events, their deliveries and the delivery log, one partition per
 * event in the payments table:
 *
 *   WEBHOOK#EVENT#<eventId> / EVENT                          type, client, subject, the exact body
 *   WEBHOOK#EVENT#<eventId> / DELIVERY#<endpointId>          where each endpoint's delivery stands
 *   WEBHOOK#EVENT#<eventId> / ATTEMPT#<endpointId>#<at>#<r>  every attempt: time, status, latency, error
 *
 * An event id is the notification id, derived from the subject id and kind,
 * so a payment's deliveries are found from its paymentId with no index.
 */
const eventPk = (eventId: string) => `WEBHOOK#EVENT#${eventId}`;

export interface EventLog {
  readonly event: WebhookEventRecord | undefined;
  readonly deliveries: DeliveryRecord[];
  readonly attempts: AttemptRecord[];
}

export class WebhookDeliveryStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
  ) {}

  /** Records the event once; the stored one wins (a redelivered notification sends the same body). */
  async putEvent(record: WebhookEventRecord): Promise<WebhookEventRecord> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: eventPk(record.eventId), sk: 'EVENT', kind: 'webhook-event', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return record;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const stored = await this.getEvent(record.eventId);
      if (!stored) throw error;
      return stored;
    }
  }

  async getEvent(eventId: string): Promise<WebhookEventRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: eventPk(eventId), sk: 'EVENT' },
        ConsistentRead: true,
      }),
    );
    return Item ? WebhookEventRecord.parse(Item) : undefined;
  }

  async getDelivery(eventId: string, endpointId: string): Promise<DeliveryRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: eventPk(eventId), sk: `DELIVERY#${endpointId}` },
        ConsistentRead: true,
      }),
    );
    return Item ? DeliveryRecord.parse(Item) : undefined;
  }

  /** Opens the (event, endpoint) delivery as pending once; false when it already exists. */
  async openDelivery(eventId: string, endpointId: string, url: string, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: eventPk(eventId),
            sk: `DELIVERY#${endpointId}`,
            kind: 'webhook-delivery',
            eventId,
            endpointId,
            url,
            status: 'pending',
            attempts: 0,
            updatedAt: at,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Logs one attempt and moves the delivery to `status`. */
  async recordAttempt(
    attempt: AttemptRecord,
    url: string,
    status: (typeof DELIVERY_STATUSES)[number],
  ): Promise<void> {
    const sk = `ATTEMPT#${attempt.endpointId}#${attempt.at}#${randomBytes(3).toString('hex')}`;
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: eventPk(attempt.eventId), sk, kind: 'webhook-attempt', ...attempt },
      }),
    );
    await this.setStatus(attempt.eventId, attempt.endpointId, url, status, attempt.at, {
      lastAttempt: attempt,
    });
  }

  /** Moves the delivery to `status` without an attempt (dead-lettered, cancelled). */
  async setStatus(
    eventId: string,
    endpointId: string,
    url: string,
    status: (typeof DELIVERY_STATUSES)[number],
    at: string,
    options: { readonly lastAttempt?: AttemptRecord; readonly reason?: string } = {},
  ): Promise<void> {
    const last = options.lastAttempt;
    const values: Record<string, unknown> = {
      ':eventId': eventId,
      ':endpointId': endpointId,
      ':url': url,
      ':status': status,
      ':at': at,
      ':kind': 'webhook-delivery',
    };
    const sets = [
      'kind = :kind',
      'eventId = :eventId',
      'endpointId = :endpointId',
      '#url = :url',
      '#status = :status',
      'updatedAt = :at',
    ];
    const removes: string[] = [];
    if (last) {
      values[':zero'] = 0;
      values[':one'] = 1;
      sets.push('attempts = if_not_exists(attempts, :zero) + :one');
      if (last.statusCode !== undefined) {
        values[':code'] = last.statusCode;
        sets.push('lastStatusCode = :code');
      } else removes.push('lastStatusCode');
      if (last.error !== undefined) {
        values[':error'] = last.error;
        sets.push('lastError = :error');
      } else removes.push('lastError');
    } else {
      values[':zero'] = 0;
      sets.push('attempts = if_not_exists(attempts, :zero)');
      if (options.reason !== undefined) {
        values[':error'] = options.reason;
        sets.push('lastError = :error');
      }
    }
    if (status === 'delivered') sets.push('deliveredAt = :at');
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: eventPk(eventId), sk: `DELIVERY#${endpointId}` },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeNames: { '#url': 'url', '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** The event, its deliveries and every attempt (oldest first). */
  async log(eventId: string): Promise<EventLog> {
    let event: WebhookEventRecord | undefined;
    const deliveries: DeliveryRecord[] = [];
    const attempts: AttemptRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': eventPk(eventId) },
          ConsistentRead: true,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = String(item.sk);
        if (sk === 'EVENT') event = WebhookEventRecord.parse(item);
        else if (sk.startsWith('DELIVERY#')) deliveries.push(DeliveryRecord.parse(item));
        else if (sk.startsWith('ATTEMPT#')) attempts.push(AttemptRecord.parse(item));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    attempts.sort((a, b) => a.at.localeCompare(b.at));
    return { event, deliveries, attempts };
  }
}
