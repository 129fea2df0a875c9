import { UpdateCommand } from '../aws/dynamodb';
import { isConditionFailure } from '../dynamo/condition';
import { refundKey } from '../payments/refund-store';
import type { DocumentClient } from '../payments/repository';
import type { RefundRecord } from './record';

export type RefundResolution = NonNullable<RefundRecord['resolution']>;
export type RefundResolving = NonNullable<RefundRecord['resolving']>;

/** What a person may resolve: a parked refund, or a FAILED one whose reservation was left held. */
const RESOLVABLE = [':parked', ':failed'] as const;
const RESOLVABLE_VALUES = { ':parked': 'NEEDS_ATTENTION', ':failed': 'FAILED' };

/**
 * A person's resolution of a refund, in two conditional writes: `claim` fixes
 * the action (finish or release) before any step runs, so two people can
 * never finish and release the same refund; `resolve` then records the final
 * status once, only under that claim. A claim of the same action may be taken
 * again (a run that stopped midway is run again: its steps are idempotent).
 * A saga step never moves a resolved refund (PaymentRefundStore.advance).
 */
export class RefundResolutionStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
  ) {}

  /** False when another action was claimed, or the refund was resolved or is not resolvable. */
  async claim(paymentId: string, refundId: string, resolving: RefundResolving): Promise<boolean> {
    return this.conditional(paymentId, refundId, {
      UpdateExpression: 'SET #resolving = if_not_exists(#resolving, :resolving)',
      ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(#resolution) AND #status IN (${RESOLVABLE.join(', ')}) AND (attribute_not_exists(#resolving) OR #resolving.#action = :action)`,
      ExpressionAttributeNames: {
        '#resolving': 'resolving',
        '#resolution': 'resolution',
        '#status': 'status',
        '#action': 'action',
      },
      ExpressionAttributeValues: {
        ':resolving': resolving,
        ':action': resolving.action,
        ...RESOLVABLE_VALUES,
      },
    });
  }

  /** The refund's final status and resolution, once, under a claim of the same action. */
  async resolve(
    paymentId: string,
    refundId: string,
    status: 'SUCCEEDED' | 'FAILED',
    resolution: RefundResolution,
  ): Promise<boolean> {
    return this.conditional(paymentId, refundId, {
      UpdateExpression:
        'SET #status = :status, #resolution = :resolution, #updatedAt = :at, #terminalAt = :at',
      ConditionExpression: `attribute_not_exists(#resolution) AND #status IN (${RESOLVABLE.join(', ')}) AND #resolving.#action = :action`,
      ExpressionAttributeNames: {
        '#status': 'status',
        '#resolution': 'resolution',
        '#resolving': 'resolving',
        '#action': 'action',
        '#updatedAt': 'updatedAt',
        '#terminalAt': 'terminalAt',
      },
      ExpressionAttributeValues: {
        ':status': status,
        ':resolution': resolution,
        ':action': resolution.action,
        ':at': resolution.at,
        ...RESOLVABLE_VALUES,
      },
    });
  }

  private async conditional(
    paymentId: string,
    refundId: string,
    update: Pick<
      ConstructorParameters<typeof UpdateCommand>[0],
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({ TableName: this.tableName, Key: refundKey(paymentId, refundId), ...update }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }
}
