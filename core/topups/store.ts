import '../config/zod-locale';
import * as z from 'zod/mini';
import { Amount } from '../../events/common';
import { GetCommand, PutCommand, UpdateCommand } from '../aws/dynamodb';
import { deferred } from '../config/deferred-schema';
import { isConditionFailure } from '../dynamo/condition';
import type { DocumentClient } from '../payments/repository';

/**
 * One item per top-up in the payments table (TOPUP#<topUpId> / TOPUP): the
 * front door's request (owner, hash, the detail it published) and the saga's
 * progress. Every write is named here; a status never moves backwards, so a
 * stale retry is a no-op.
 */
export const TOP_UP_STATUSES = ['ACCEPTED', 'CHARGED', 'SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'] as const;
export type TopUpStatus = (typeof TOP_UP_STATUSES)[number];

const RANK: Readonly<Record<TopUpStatus, number>> = {
  ACCEPTED: 0,
  CHARGED: 1,
  SUCCEEDED: 2,
  FAILED: 2,
  NEEDS_ATTENTION: 2,
};

export const TopUpRecord = deferred(() =>
  z.object({
    topUpId: z.string(),
    walletId: z.string(),
    amount: Amount,
    status: z.enum(TOP_UP_STATUSES),
    acceptedAt: z.string(),
    updatedAt: z.string(),
    /** The front door client that asked; absent for a TopUpRequested put on the bus directly. */
    clientId: z.optional(z.string()),
    source: z.optional(z.string()),
    /** sha256 of what the client sent; a retry must send the same. */
    clientHash: z.optional(z.string()),
    /** The TopUpRequested detail as published (canonical JSON), so a re-publish is byte-identical. */
    detail: z.optional(z.string()),
    publishedAt: z.optional(z.string()),
    eventId: z.optional(z.string()),
    executionArn: z.optional(z.string()),
    chargeId: z.optional(z.string()),
    chargeAttemptedAt: z.optional(z.string()),
    lastChargeAttemptedAt: z.optional(z.string()),
    refundId: z.optional(z.string()),
    reasonCode: z.optional(z.string()),
    reason: z.optional(z.string()),
    failedState: z.optional(z.string()),
    completedAt: z.optional(z.string()),
  }),
);
export type TopUpRecord = z.infer<typeof TopUpRecord>;

/** What a saga step may record besides the status (never card data: ids and reasons only). */
export interface TopUpFacts {
  readonly chargeId?: string;
  readonly refundId?: string;
  readonly reasonCode?: string;
  readonly reason?: string;
  readonly failedState?: string;
}

export type NewTopUpRequest = Pick<
  TopUpRecord,
  'topUpId' | 'walletId' | 'amount' | 'acceptedAt' | 'clientId' | 'source' | 'clientHash' | 'detail'
>;

const key = (topUpId: string) => ({ pk: `TOPUP#${topUpId}`, sk: 'TOPUP' });
const FACT_NAMES = ['chargeId', 'refundId', 'reasonCode', 'reason', 'failedState'] as const;
const TERMINAL: readonly TopUpStatus[] = ['SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'];

export class TopUpStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
  ) {}

  async get(topUpId: string): Promise<TopUpRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key(topUpId), ConsistentRead: true }),
    );
    return Item ? TopUpRecord.parse(Item) : undefined;
  }

  /** Records a front door request once (ACCEPTED); false when the topUpId already has a record. */
  async accept(request: NewTopUpRequest): Promise<boolean> {
    const record: TopUpRecord = { ...request, status: 'ACCEPTED', updatedAt: request.acceptedAt };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(request.topUpId), kind: 'top-up', statusRank: RANK.ACCEPTED, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markPublished(topUpId: string, eventId: string, at: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(topUpId),
        UpdateExpression:
          'SET publishedAt = if_not_exists(publishedAt, :at), eventId = if_not_exists(eventId, :id)',
        ExpressionAttributeValues: { ':at': at.toISOString(), ':id': eventId },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }

  /**
   * The saga's first step: creates the record of a top-up requested on the bus
   * directly (ACCEPTED), records the execution, and the first and the latest charge attempt's times.
   */
  async open(
    topUp: { topUpId: string; walletId: string; amount: TopUpRecord['amount']; requestedAt: string },
    executionArn: string,
    at: Date,
  ): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(topUp.topUpId),
        UpdateExpression: [
          'SET kind = :kind, topUpId = :id, walletId = if_not_exists(walletId, :wallet)',
          'amount = if_not_exists(amount, :amount), acceptedAt = if_not_exists(acceptedAt, :requestedAt)',
          '#status = if_not_exists(#status, :accepted), statusRank = if_not_exists(statusRank, :rank)',
          'updatedAt = if_not_exists(updatedAt, :at), executionArn = :arn',
          'chargeAttemptedAt = if_not_exists(chargeAttemptedAt, :at), lastChargeAttemptedAt = :at',
        ].join(', '),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':kind': 'top-up',
          ':id': topUp.topUpId,
          ':wallet': topUp.walletId,
          ':amount': topUp.amount,
          ':requestedAt': topUp.requestedAt,
          ':accepted': 'ACCEPTED',
          ':rank': RANK.ACCEPTED,
          ':at': at.toISOString(),
          ':arn': executionArn,
        },
      }),
    );
  }

  /** Moves the top-up forward with its facts; a move backwards (a stale retry) changes nothing. */
  async advance(topUpId: string, status: TopUpStatus, facts: TopUpFacts, at: Date): Promise<void> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':status': status,
      ':rank': RANK[status],
      ':at': at.toISOString(),
    };
    const sets = ['#status = :status', 'statusRank = :rank', 'updatedAt = :at'];
    if (TERMINAL.includes(status)) sets.push('completedAt = :at');
    for (const name of FACT_NAMES) {
      const value = facts[name];
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(topUpId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND statusRank < :rank',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
