import { createHash, randomUUID } from 'node:crypto';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import { type DocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '../aws/dynamodb';
import { canonicalJson } from '../canonical-json';
import { isConditionFailure, refusedItem } from '../dynamo/condition';
import { InvalidPaymentError } from '../errors';
import { illegalStatusMoveMetric } from '../observability/metrics';
import { type Observer, SILENT_OBSERVER } from '../observability/observer';
import type { PaymentFacts, PaymentLog, PaymentStatus, PaymentView, StepRecord } from '../saga/ports';
import { paymentDayPk, paymentDaySk, paymentKey, STEP_PREFIX, stepSk, TIMELINE_SK } from './keys';

/** Statuses a payment may come from to reach each status; anything else would move it backwards. */
const ALLOWED_FROM: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  REQUESTED: [],
  RESERVED: ['REQUESTED'],
  CHARGED: ['REQUESTED', 'RESERVED'],
  SUCCEEDED: ['RESERVED', 'CHARGED'],
  FAILED: ['REQUESTED', 'RESERVED', 'CHARGED'],
  NEEDS_ATTENTION: ['REQUESTED', 'RESERVED', 'CHARGED', 'FAILED'],
};

/**
 * Statuses from which a refused move to each status is a harmless late retry of
 * a forward step (the payment already went further on the success path); any
 * other refused move, other than a replay, is illegal.
 */
const STALE_RETRY_FROM: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  REQUESTED: [],
  RESERVED: ['CHARGED', 'SUCCEEDED'],
  CHARGED: ['SUCCEEDED'],
  SUCCEEDED: [],
  FAILED: [],
  NEEDS_ATTENTION: [],
};

export const TERMINAL_STATUSES: readonly PaymentStatus[] = ['SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'];

/** A stable hash of the validated request: same paymentId + same hash is a duplicate, a different hash a conflict. */
export function requestHash(payment: PaymentRequested): string {
  return createHash('sha256').update(canonicalJson(payment)).digest('hex');
}

export interface PaymentItem extends PaymentView {
  readonly walletId: string;
  readonly merchantId: string;
  readonly amount: number;
  readonly currency: string;
  readonly exponent: number;
  readonly description?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly requestedAt: string;
  readonly requestHash: string;
  readonly executionArn: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly terminalAt?: string;
}

export interface TimelineItem extends StepRecord {
  readonly paymentId: string;
}

/** The payments store on DynamoDB: single-item conditional writes only. */
export class DynamoPaymentLog implements PaymentLog {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
    /** Told about refused status moves that contradict the recorded status (they need a person). */
    private readonly observer: Observer = SILENT_OBSERVER,
  ) {}

  async open(payment: PaymentRequested, executionArn: string): Promise<void> {
    const at = this.now().toISOString();
    const item = {
      ...paymentKey(payment.paymentId),
      gsi1pk: paymentDayPk(payment.requestedAt, payment.paymentId),
      gsi1sk: paymentDaySk(payment.requestedAt, payment.paymentId),
      paymentId: payment.paymentId,
      status: 'REQUESTED',
      walletId: payment.walletId,
      merchantId: payment.merchantId,
      amount: payment.amount.value,
      currency: payment.amount.currency,
      exponent: payment.amount.exponent,
      description: payment.description,
      metadata: payment.metadata,
      requestedAt: payment.requestedAt,
      requestHash: requestHash(payment),
      executionArn,
      createdAt: at,
      updatedAt: at,
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(payment.paymentId);
      if (existing && existing.requestHash !== item.requestHash) {
        throw new InvalidPaymentError(
          `payment ${payment.paymentId} is already recorded with a different payload; a new payment needs a new paymentId`,
        );
      }
    }
  }

  /**
   * Moves the payment to `status` with `facts` in one conditional write. Answers undefined when this write
   * moved it; when the move is refused as a replay (already `status`) or a stale retry (already past it),
   * answers the record as stored (the refused item, ReturnValuesOnConditionCheckFailure ALL_OLD; read
   * back where the store does not return it), whose facts stand, not this attempt's.
   */
  async advance(
    paymentId: string,
    status: PaymentStatus,
    facts: PaymentFacts = {},
  ): Promise<PaymentView | undefined> {
    const from = ALLOWED_FROM[status];
    const at = this.now().toISOString();
    const fields: Record<string, unknown> = { ...facts, status, updatedAt: at };
    if (TERMINAL_STATUSES.includes(status)) fields.terminalAt = at;
    const { expression, names, values } = setExpression(fields);
    const allowed = from;
    if (allowed.length === 0) return undefined;
    const placeholders = allowed.map((_, i) => `:from${i}`);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: paymentKey(paymentId),
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${placeholders.join(', ')})`,
          ExpressionAttributeNames: { ...names, '#status': 'status' },
          ExpressionAttributeValues: {
            ...values,
            ...Object.fromEntries(allowed.map((s, i) => [`:from${i}`, s])),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = (refusedItem(error) as PaymentItem | undefined) ?? (await this.get(paymentId));
      if (!current) throw new PaymentNotFoundError(`payment ${paymentId} has no record; it was never opened`);
      // Already there (a replay) or already past it (a stale retry): the recorded facts and status stand.
      if (current.status === status || STALE_RETRY_FROM[status].includes(current.status)) return current;
      // Anything else contradicts what was recorded (FAILED after SUCCEEDED, a charge after FAILED): refused,
      // and said loudly, because the saga and the record now disagree about money.
      this.observer.error('illegal payment status move refused', {
        paymentId,
        from: current.status,
        to: status,
        facts: Object.keys(facts),
      });
      this.observer.metrics.publish(illegalStatusMoveMetric(current.status, status));
      return undefined;
    }
  }

  async note(paymentId: string, facts: PaymentFacts): Promise<void> {
    const { expression, names, values } = setExpression({ ...facts, updatedAt: this.now().toISOString() });
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: paymentKey(paymentId),
        UpdateExpression: expression,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * One write per entry, into the payment's timeline item (one attribute per entry, named by its time,
   * step and `attemptId`, the invocation's request id: a re-delivered write of the same attempt is a
   * no-op). The archiver then expires one item, not one per entry. An item grown past DynamoDB's limit
   * (hundreds of attempts) takes the entry as an item of its own, as every entry was before issue 18.
   */
  async appendStep(paymentId: string, record: StepRecord, attemptId: string = randomUUID()): Promise<void> {
    await this.appendSteps(paymentId, [{ ...record, attemptId }]);
  }

  /**
   * Several entries in one write (the saga's carried entries, an attempt's own, the Outcome: core/saga/
   * timeline.ts), each `if_not_exists` under its name, so writing an entry again adds nothing.
   */
  async appendSteps(
    paymentId: string,
    entries: readonly (StepRecord & { readonly attemptId: string })[],
  ): Promise<void> {
    const named = new Map<string, StepRecord>();
    for (const { attemptId, ...record } of entries)
      named.set(stepSk(record.at, record.step, attemptId), record);
    if (named.size === 0) return;
    const names: Record<string, string> = { '#paymentId': 'paymentId' };
    const values: Record<string, unknown> = { ':paymentId': paymentId };
    const sets = ['#paymentId = :paymentId'];
    [...named].forEach(([name, record], i) => {
      names[`#e${i}`] = name;
      values[`:e${i}`] = definedFields(record);
      sets.push(`#e${i} = if_not_exists(#e${i}, :e${i})`);
    });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: paymentKey(paymentId).pk, sk: TIMELINE_SK },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isItemTooLarge(error)) throw error;
      for (const [name, record] of named) await this.putStepItem(paymentId, name, record);
    }
  }

  private async putStepItem(paymentId: string, sk: string, record: StepRecord): Promise<void> {
    await this.doc
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: paymentKey(paymentId).pk, sk, paymentId, ...record },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  async get(paymentId: string): Promise<PaymentItem | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: paymentKey(paymentId), ConsistentRead: true }),
    );
    return Item as PaymentItem | undefined;
  }

  /** The payment's timeline entries in time order (the timeline item's and any entry items). */
  async timeline(paymentId: string): Promise<TimelineItem[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :step)',
          ExpressionAttributeValues: { ':pk': paymentKey(paymentId).pk, ':step': STEP_PREFIX },
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return timelineEntries(paymentId, items) as TimelineItem[];
  }
}

/**
 * Timeline entries from the items under STEP# of one payment: the timeline item's entry attributes and
 * entry items, in time order (an entry's name is STEP#<at>#<step>#<attemptId>). Unvalidated: readers parse.
 */
export function timelineEntries(paymentId: string, items: readonly Record<string, unknown>[]): unknown[] {
  const named: [string, Record<string, unknown>][] = [];
  for (const item of items) {
    if (item.sk !== TIMELINE_SK) {
      const { pk: _pk, sk, expiresAt: _ttl, ...entry } = item;
      named.push([String(sk), entry]);
      continue;
    }
    for (const [name, entry] of Object.entries(item)) {
      if (name.startsWith(STEP_PREFIX) && entry && typeof entry === 'object')
        named.push([name, { paymentId, ...(entry as Record<string, unknown>) }]);
    }
  }
  return named.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

const definedFields = (record: StepRecord): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));

/** DynamoDB refuses an update that would take the item past 400 KB with a ValidationException. */
function isItemTooLarge(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'ValidationException' &&
    /item size|maximum allowed size/i.test(error.message)
  );
}

export class PaymentNotFoundError extends Error {
  override readonly name = 'PaymentNotFoundError';
}

function setExpression(fields: Record<string, unknown>) {
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  return {
    expression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
    names: Object.fromEntries(entries.map(([key], i) => [`#f${i}`, key])),
    values: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
  };
}
