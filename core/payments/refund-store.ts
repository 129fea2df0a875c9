import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '../aws/dynamodb';
import { isConditionFailure } from '../dynamo/condition';
import { LedgerInvariantError } from '../errors';
import {
  type PaymentRefundFields,
  PaymentRefundFieldsSchema,
  type RefundRecord,
  RefundRecordSchema,
  type RefundReservation,
  RefundReservationSchema,
  type RefundStatus,
  TERMINAL_REFUND_STATUSES,
} from '../refunds/record';
import type { RefundParts } from '../refunds/split';
import { paymentKey } from './keys';
import type { DocumentClient } from './repository';

/**
 * The refunds' side of the payments table, as named writes (every DynamoDB
 * expression of a refund lives here):
 *   PAYMENT#<paymentId> / PAYMENT            the payment item: `refunds.<refundId>` reservations and
 *                                            the refundCommitted* / refunded* counters
 *   PAYMENT#<paymentId> / REFUND#<refundId>  the refund's own record (request, status, outcome)
 * A refundId is unique per payment.
 */
export const REFUND_PREFIX = 'REFUND#';
export const refundKey = (paymentId: string, refundId: string) => ({
  pk: paymentKey(paymentId).pk,
  sk: `${REFUND_PREFIX}${refundId}`,
});

export type RefundRequestOutcome = 'created' | 'duplicate' | 'conflict';

/** The bounds one reservation must keep: what is committed after it never exceeds these. */
export interface ReservationLimits {
  readonly captured: number;
  readonly walletAmount: number;
  readonly gatewayAmount: number;
}

/** Statuses a refund may come from to reach each status. */
const REFUND_ALLOWED_FROM: Readonly<Record<RefundStatus, readonly RefundStatus[]>> = {
  REQUESTED: [],
  RESERVED: ['REQUESTED'],
  SUCCEEDED: ['RESERVED'],
  FAILED: ['REQUESTED', 'RESERVED'],
  NEEDS_ATTENTION: ['REQUESTED', 'RESERVED', 'FAILED'],
};

export class PaymentRefundStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records a refund request once: a repeat with the same hash is a duplicate, another hash a conflict. */
  async putRequest(
    record: Omit<RefundRecord, 'status' | 'createdAt' | 'updatedAt'>,
  ): Promise<{ outcome: RefundRequestOutcome; record: RefundRecord }> {
    const at = this.now().toISOString();
    const item: RefundRecord = RefundRecordSchema.parse({
      ...record,
      status: 'REQUESTED',
      createdAt: at,
      updatedAt: at,
    });
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...refundKey(record.paymentId, record.refundId), kind: 'refund', ...item },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { outcome: 'created', record: item };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.get(record.paymentId, record.refundId);
    if (!existing) throw new Error(`refund ${record.refundId} exists but cannot be read back; retry`);
    return {
      outcome: existing.requestHash === item.requestHash ? 'duplicate' : 'conflict',
      record: existing,
    };
  }

  async get(paymentId: string, refundId: string): Promise<RefundRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: refundKey(paymentId, refundId),
        ConsistentRead: true,
      }),
    );
    return Item ? RefundRecordSchema.parse(Item) : undefined;
  }

  /** Every refund of a payment, in refundId order. */
  async list(paymentId: string): Promise<RefundRecord[]> {
    const refunds: RefundRecord[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': paymentKey(paymentId).pk, ':prefix': REFUND_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      refunds.push(...(page.Items ?? []).map((item) => RefundRecordSchema.parse(item)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return refunds;
  }

  /**
   * Moves the refund to `status` with `facts`, only from the statuses allowed before it;
   * false when it already was there or beyond (a replay), so a stale retry never moves it back.
   */
  async advance(
    paymentId: string,
    refundId: string,
    status: RefundStatus,
    facts: Partial<Omit<RefundRecord, 'refundId' | 'paymentId' | 'status'>> = {},
  ): Promise<boolean> {
    const at = this.now().toISOString();
    const fields: Record<string, unknown> = { ...facts, status, updatedAt: at };
    if (TERMINAL_REFUND_STATUSES.includes(status)) fields.terminalAt = at;
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    const from = REFUND_ALLOWED_FROM[status];
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: refundKey(paymentId, refundId),
          UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          // A person's resolution (core/refunds/resolution-store.ts) is final: no late saga step moves it.
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(#resolution) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: {
            ...Object.fromEntries(entries.map(([key], i) => [`#f${i}`, key])),
            '#status': 'status',
            '#resolution': 'resolution',
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
            ...Object.fromEntries(from.map((s, i) => [`:from${i}`, s])),
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /** Records facts (e.g. the gateway's refund id) without a status change. */
  async note(
    paymentId: string,
    refundId: string,
    facts: Partial<Pick<RefundRecord, 'gatewayRefundId'>>,
  ): Promise<void> {
    const entries = Object.entries({ ...facts, updatedAt: this.now().toISOString() }).filter(
      ([, value]) => value !== undefined,
    );
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: refundKey(paymentId, refundId),
        UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(entries.map(([key], i) => [`#f${i}`, key])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
      }),
    );
  }

  /** Dates the first gateway attempt of a refund (kept by later attempts: it dates the idempotency key). */
  async noteRefundAttempt(paymentId: string, refundId: string, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: refundKey(paymentId, refundId),
        UpdateExpression: 'SET #attempted = if_not_exists(#attempted, :at), #updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#attempted': 'refundAttemptedAt', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':at': at, ':now': this.now().toISOString() },
      }),
    );
  }

  /** The payment item's refund fields (reservations and counters). */
  async refundFieldsOf(paymentId: string): Promise<PaymentRefundFields | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: paymentKey(paymentId), ConsistentRead: true }),
    );
    return Item ? PaymentRefundFieldsSchema.parse(Item) : undefined;
  }

  /**
   * THE reservation: one conditional write of the payment item that records the refund's parts
   * (once per refundId) and adds them to what is committed, only while the payment is SUCCEEDED
   * and what is committed after it stays within what was captured, in total and per source.
   * False when the condition failed (re-read: a replay, a concurrent refund, or too much asked).
   */
  async reserveRefund(
    paymentId: string,
    refundId: string,
    parts: RefundParts,
    limits: ReservationLimits,
    hasReservations: boolean,
  ): Promise<boolean> {
    const total = parts.walletAmount + parts.gatewayAmount;
    const reservation: RefundReservation = { ...parts, state: 'RESERVED' };
    const within = (name: string, value: string) => `(attribute_not_exists(${name}) OR ${name} <= ${value})`;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: paymentKey(paymentId),
          UpdateExpression: `SET ${hasReservations ? '#refunds.#rid' : '#refunds'} = :reservation, #updatedAt = :now ADD #ct :total, #cw :wallet, #cg :gateway`,
          ConditionExpression: [
            '#status = :succeeded',
            hasReservations ? 'attribute_not_exists(#refunds.#rid)' : 'attribute_not_exists(#refunds)',
            within('#ct', ':maxTotal'),
            within('#cw', ':maxWallet'),
            within('#cg', ':maxGateway'),
          ].join(' AND '),
          ExpressionAttributeNames: {
            '#refunds': 'refunds',
            ...(hasReservations && { '#rid': refundId }),
            '#updatedAt': 'updatedAt',
            '#status': 'status',
            '#ct': 'refundCommitted',
            '#cw': 'refundCommittedWallet',
            '#cg': 'refundCommittedGateway',
          },
          ExpressionAttributeValues: {
            ':reservation': hasReservations ? reservation : { [refundId]: reservation },
            ':now': this.now().toISOString(),
            ':succeeded': 'SUCCEEDED',
            ':total': total,
            ':wallet': parts.walletAmount,
            ':gateway': parts.gatewayAmount,
            ':maxTotal': limits.captured - total,
            ':maxWallet': limits.walletAmount - parts.walletAmount,
            ':maxGateway': limits.gatewayAmount - parts.gatewayAmount,
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /**
   * Marks refundId as spent (RELEASED, no parts) when it has no reservation, so a late ReserveRefund of it
   * can never reserve after the saga gave up on it (its reservation condition needs no entry). True when
   * written; false when a reservation is there (or the payment is not): release that one instead.
   */
  async tombstoneRefund(paymentId: string, refundId: string): Promise<boolean> {
    const tombstone: RefundReservation = { walletAmount: 0, gatewayAmount: 0, state: 'RELEASED' };
    for (const hasReservations of [true, false]) {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: paymentKey(paymentId),
            UpdateExpression: `SET ${hasReservations ? '#refunds.#rid' : '#refunds'} = :tombstone, #updatedAt = :now`,
            ConditionExpression: hasReservations
              ? 'attribute_exists(pk) AND attribute_exists(#refunds) AND attribute_not_exists(#refunds.#rid)'
              : 'attribute_exists(pk) AND attribute_not_exists(#refunds)',
            ExpressionAttributeNames: {
              '#refunds': 'refunds',
              ...(hasReservations && { '#rid': refundId }),
              '#updatedAt': 'updatedAt',
            },
            ExpressionAttributeValues: {
              ':tombstone': hasReservations ? tombstone : { [refundId]: tombstone },
              ':now': this.now().toISOString(),
            },
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    return false;
  }

  /** RESERVED -> REFUNDED once the reversal is posted: the parts count as refunded for good. */
  confirmRefund(paymentId: string, refundId: string): Promise<RefundReservation> {
    return this.closeReservation(paymentId, refundId, 'REFUNDED');
  }

  /** RESERVED -> RELEASED when nothing was refunded: the parts are refundable again. */
  releaseRefund(paymentId: string, refundId: string): Promise<RefundReservation> {
    return this.closeReservation(paymentId, refundId, 'RELEASED');
  }

  private async closeReservation(
    paymentId: string,
    refundId: string,
    state: 'REFUNDED' | 'RELEASED',
  ): Promise<RefundReservation> {
    const reservation = (await this.refundFieldsOf(paymentId))?.refunds?.[refundId];
    if (!reservation) {
      throw new LedgerInvariantError(`payment ${paymentId} has no reservation of refund ${refundId}`);
    }
    if (reservation.state === state) return reservation;
    if (reservation.state !== 'RESERVED') {
      throw new LedgerInvariantError(
        `refund ${refundId} of payment ${paymentId} is ${reservation.state}; it cannot become ${state}`,
      );
    }
    const total = reservation.walletAmount + reservation.gatewayAmount;
    const refunded = state === 'REFUNDED';
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: paymentKey(paymentId),
          UpdateExpression: `SET #refunds.#rid.#state = :state, #updatedAt = :now ADD ${
            refunded
              ? '#rt :total, #rw :wallet, #rg :gateway'
              : '#ct :minusTotal, #cw :minusWallet, #cg :minusGateway'
          }`,
          ConditionExpression: '#refunds.#rid.#state = :reserved',
          ExpressionAttributeNames: {
            '#refunds': 'refunds',
            '#rid': refundId,
            '#state': 'state',
            '#updatedAt': 'updatedAt',
            ...(refunded
              ? { '#rt': 'refunded', '#rw': 'refundedWallet', '#rg': 'refundedGateway' }
              : {
                  '#ct': 'refundCommitted',
                  '#cw': 'refundCommittedWallet',
                  '#cg': 'refundCommittedGateway',
                }),
          },
          ExpressionAttributeValues: {
            ':state': state,
            ':reserved': 'RESERVED',
            ':now': this.now().toISOString(),
            ...(refunded
              ? {
                  ':total': total,
                  ':wallet': reservation.walletAmount,
                  ':gateway': reservation.gatewayAmount,
                }
              : {
                  ':minusTotal': -total,
                  ':minusWallet': -reservation.walletAmount,
                  ':minusGateway': -reservation.gatewayAmount,
                }),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // A concurrent replay closed it first: the same state is done, another one contradicts.
      return this.closeReservation(paymentId, refundId, state);
    }
    return RefundReservationSchema.parse({ ...reservation, state });
  }
}
