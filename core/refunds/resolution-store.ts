import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../dynamo/condition';
import { refundKey } from '../payments/refund-store';
import type { DocumentClient } from '../payments/repository';
import type { RefundRecord } from './record';

export type RefundResolution = NonNullable<RefundRecord['resolution']>;

/**
 * The one write of a person's resolution of a refund: NEEDS_ATTENTION becomes
 * SUCCEEDED (finished) or FAILED (released) with who, when and why, once. A
 * saga step can never move a refund out of NEEDS_ATTENTION (core/payments/refund-store.ts
 * advance), so this is the only way out, and it is taken at most once.
 */
export class RefundResolutionStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
  ) {}

  /** False when the refund is not NEEDS_ATTENTION (resolved before, or never parked). */
  async resolve(
    paymentId: string,
    refundId: string,
    status: 'SUCCEEDED' | 'FAILED',
    resolution: RefundResolution,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: refundKey(paymentId, refundId),
          UpdateExpression:
            'SET #status = :status, #resolution = :resolution, #updatedAt = :at, #terminalAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND #status = :parked',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#resolution': 'resolution',
            '#updatedAt': 'updatedAt',
            '#terminalAt': 'terminalAt',
          },
          ExpressionAttributeValues: {
            ':status': status,
            ':resolution': resolution,
            ':at': resolution.at,
            ':parked': 'NEEDS_ATTENTION',
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }
}
