import { createHash, randomUUID } from 'node:crypto';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import {
  type DynamoDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '../aws/dynamodb';
import { canonicalJson } from '../canonical-json';
import { daysBetween } from '../days';
import { isConditionFailure } from '../dynamo/condition';
import { PAYMENTS_BY_DAY_INDEX } from '../dynamo/indexes';
import { mergeByKey } from '../dynamo/shards';
import { findPanPaths } from '../pan';
import { paymentDayPks, paymentKey, STEP_PREFIX } from './keys';
import { DynamoPaymentLog, requestHash, timelineEntries } from './payment-log';
import {
  type ArchiveRecord,
  ArchiveRecordSchema,
  type AuditRecord,
  AuditRecordSchema,
  type PaymentRecord,
  PaymentRecordSchema,
  type PaymentResolution,
  PaymentResolutionSchema,
  type StepItem,
  StepItemSchema,
} from './records';

/**
 * The payments table beyond the saga's PaymentLog port: intake's
 * duplicate/conflict check, finance's period pages and timelines, the
 * immutable saga history archive and the operations audit trail.
 *
 * Key shapes (see ./keys):
 *   PAYMENT#<id> / ARCHIVE#<archiveId>     archive record, written once (attribute_not_exists)
 *   AUDIT#<yyyy-mm-dd> / <iso-at>#<auditId> audit record, one partition per UTC day
 */

export type DocumentClient = Pick<DynamoDocumentClient, 'send'>;

export type RequestOutcome = 'created' | 'duplicate' | 'conflict';

export interface RequestResult {
  /** created: first sight; duplicate: same paymentId and same payload; conflict: same paymentId, other payload. */
  readonly outcome: RequestOutcome;
  readonly record: PaymentRecord;
}

/** An archive record is immutable: a second write with another body is refused. */
export class ArchiveRecordExistsError extends Error {
  override readonly name = 'ArchiveRecordExistsError';
}

/** Card data or an oversized body never reaches the payments table. */
export class PaymentRecordRefusedError extends Error {
  override readonly name = 'PaymentRecordRefusedError';
}

// DynamoDB's item limit is 400 KB; leave room for keys and attribute names.
const MAX_ARCHIVE_BYTES = 350_000;

const archiveSk = (archiveId: string): string => `ARCHIVE#${archiveId}`;
const auditPk = (day: string): string => `AUDIT#${day}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function refusePans(what: string, value: unknown): void {
  const paths = findPanPaths(value);
  if (paths.length > 0) {
    throw new PaymentRecordRefusedError(
      `${what} contains what looks like a card number at ${paths.join(', ')}`,
    );
  }
}

export class PaymentsRepository {
  private readonly log: DynamoPaymentLog;

  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.log = new DynamoPaymentLog(doc, tableName, now);
  }

  /** Records a validated request once and says whether a repeat is the same request or a conflicting one. */
  async recordRequest(payment: PaymentRequested, executionArn: string): Promise<RequestResult> {
    refusePans('payment request', payment);
    const existing = await this.get(payment.paymentId);
    if (!existing) await this.log.open(payment, executionArn);
    const record = existing ?? (await this.get(payment.paymentId));
    if (!record) throw new Error(`payment ${payment.paymentId} was written but cannot be read back; retry`);
    // A concurrent first write of another payload makes open() a no-op: the hash comparison still tells.
    const same = record.requestHash === requestHash(payment);
    const outcome: RequestOutcome = !same ? 'conflict' : existing ? 'duplicate' : 'created';
    return { outcome, record };
  }

  async get(paymentId: string): Promise<PaymentRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: paymentKey(paymentId), ConsistentRead: true }),
    );
    return Item ? PaymentRecordSchema.parse(Item) : undefined;
  }

  /** The payment's step timeline in time order (the timeline item's entries and any entry items). */
  async listSteps(paymentId: string): Promise<StepItem[]> {
    const items: Record<string, unknown>[] = [];
    for await (const item of this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': paymentKey(paymentId).pk, ':prefix': STEP_PREFIX },
      ConsistentRead: true,
    })) {
      items.push(item);
    }
    return timelineEntries(paymentId, items).map((entry) => StepItemSchema.parse(entry));
  }

  /**
   * Payments requested on each UTC day from..to (yyyy-mm-dd, inclusive), paged through gsi1, in
   * request order: each day's shards are queried and merged by their sort key.
   */
  async *paymentsRequestedBetween(
    fromDay: string,
    toDay: string,
    pageSize = 100,
  ): AsyncGenerator<PaymentRecord> {
    for (const day of daysBetween(fromDay, toDay)) {
      const shards = paymentDayPks(day).map((pk) =>
        this.query(
          {
            IndexName: PAYMENTS_BY_DAY_INDEX,
            KeyConditionExpression: 'gsi1pk = :day',
            ExpressionAttributeValues: { ':day': pk },
          },
          pageSize,
        ),
      );
      for await (const item of mergeByKey(shards, (i) => String(i.gsi1sk ?? ''))) {
        yield PaymentRecordSchema.parse(item);
      }
    }
  }

  /** Writes an archive record once; the same body again is a no-op (false), another body is refused. */
  async putArchiveRecord(paymentId: string, archiveId: string, body: unknown): Promise<boolean> {
    refusePans('archive record', body);
    const json = canonicalJson(body);
    if (Buffer.byteLength(json) > MAX_ARCHIVE_BYTES) {
      throw new PaymentRecordRefusedError(
        `archive ${archiveId} of payment ${paymentId} is ${Buffer.byteLength(json)} bytes; the limit is ${MAX_ARCHIVE_BYTES}`,
      );
    }
    const record: ArchiveRecord = {
      paymentId,
      archiveId,
      contentHash: sha256(json),
      archivedAt: this.now().toISOString(),
      body,
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: paymentKey(paymentId).pk, sk: archiveSk(archiveId), kind: 'archive', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.getArchiveRecord(paymentId, archiveId);
    if (existing?.contentHash === record.contentHash) return false;
    throw new ArchiveRecordExistsError(
      `archive ${archiveId} of payment ${paymentId} already exists with other content; archives are never rewritten`,
    );
  }

  async getArchiveRecord(paymentId: string, archiveId: string): Promise<ArchiveRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: paymentKey(paymentId).pk, sk: archiveSk(archiveId) },
        ConsistentRead: true,
      }),
    );
    return Item ? ArchiveRecordSchema.parse(Item) : undefined;
  }

  /**
   * Records, once, how a person resolved a payment left in the compensation DLQ. Only a payment that
   * ended NEEDS_ATTENTION takes one; a second resolution is refused: answers the one that stands.
   */
  async recordResolution(
    paymentId: string,
    resolution: PaymentResolution,
  ): Promise<{ readonly recorded: boolean; readonly resolution: PaymentResolution | undefined }> {
    const parsed = PaymentResolutionSchema.parse(resolution);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: paymentKey(paymentId),
          UpdateExpression: 'SET #resolution = :resolution, #updatedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND #status = :attention AND attribute_not_exists(#resolution)',
          ExpressionAttributeNames: {
            '#resolution': 'resolution',
            '#updatedAt': 'updatedAt',
            '#status': 'status',
          },
          ExpressionAttributeValues: {
            ':resolution': parsed,
            ':at': parsed.at,
            ':attention': 'NEEDS_ATTENTION',
          },
        }),
      );
      return { recorded: true, resolution: parsed };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { recorded: false, resolution: (await this.get(paymentId))?.resolution };
    }
  }

  /** Appends an operations audit record (who did what to which payment or queue); returns it. */
  async putAuditRecord(input: Omit<AuditRecord, 'auditId' | 'at'>): Promise<AuditRecord> {
    refusePans('audit record', input);
    const record = AuditRecordSchema.parse({ ...input, auditId: randomUUID(), at: this.now().toISOString() });
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: auditPk(record.at.slice(0, 10)),
          sk: `${record.at}#${record.auditId}`,
          kind: 'audit',
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return record;
  }

  /** Audit records at or after `since`, up to now, oldest first, one page at a time. */
  async *listAuditRecords(since: Date, pageSize = 100): AsyncGenerator<AuditRecord> {
    const from = since.toISOString();
    for (const day of daysBetween(from.slice(0, 10), this.now().toISOString().slice(0, 10))) {
      for await (const item of this.query(
        {
          KeyConditionExpression: 'pk = :pk AND sk >= :from',
          ExpressionAttributeValues: { ':pk': auditPk(day), ':from': from },
          ConsistentRead: true,
        },
        pageSize,
      )) {
        yield AuditRecordSchema.parse(item);
      }
    }
  }

  private async *query(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>,
    pageSize = 100,
  ): AsyncGenerator<Record<string, unknown>> {
    let ExclusiveStartKey: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.doc.send(
        new QueryCommand({ ...input, TableName: this.tableName, Limit: pageSize, ExclusiveStartKey }),
      );
      for (const item of page.Items ?? []) yield item;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}
