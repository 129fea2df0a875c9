import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type DocumentClient, GetCommand, UpdateCommand } from '../../core/aws/dynamodb';
import { AwsServiceError } from '../../core/aws/errors';
import { METRIC_NAMES } from '../../core/config/observability';
import type { MetricPoint } from '../../core/observability/metrics';
import type { Observer } from '../../core/observability/observer';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import type { PaymentStatus } from '../../core/saga/ports';

/** A payments table holding one payment in `status`: every conditional update is refused, as DynamoDB would. */
function tableWith(status: PaymentStatus) {
  const send = async (command: unknown) => {
    if (command instanceof UpdateCommand)
      throw new AwsServiceError(
        'ConditionalCheckFailedException',
        'The conditional request failed',
        400,
        undefined,
      );
    if (command instanceof GetCommand) return { Item: { paymentId: command.input.Key?.pk, status } };
    throw new Error(`unexpected command ${String(command)}`);
  };
  return { send } as unknown as DocumentClient;
}

function recordingObserver() {
  const errors: { message: string; fields: Readonly<Record<string, unknown>> }[] = [];
  const points: MetricPoint[] = [];
  const observer: Observer = {
    metrics: { publish: (point) => points.push(point) },
    error: (message, fields) => errors.push({ message, fields }),
  };
  return { observer, errors, points };
}

describe('Class: DynamoPaymentLog', () => {
  describe('Method: advance', () => {
    it.each([
      ['SUCCEEDED', 'FAILED'],
      ['FAILED', 'SUCCEEDED'],
      ['SUCCEEDED', 'NEEDS_ATTENTION'],
      ['FAILED', 'CHARGED'],
      ['NEEDS_ATTENTION', 'RESERVED'],
    ] as [PaymentStatus, PaymentStatus][])(
      'logs an error and counts an illegal move from %s to %s, and leaves the status',
      async (current, target) => {
        // Prepare
        const paymentId = `pay-${randomUUID()}`;
        const { observer, errors, points } = recordingObserver();
        const log = new DynamoPaymentLog(tableWith(current), 'payments', undefined, observer);
        // Act
        await log.advance(paymentId, target);
        // Assess
        expect(errors).toEqual([
          {
            message: 'illegal payment status move refused',
            fields: expect.objectContaining({ paymentId, from: current, to: target }),
          },
        ]);
        expect(points).toEqual([
          {
            name: METRIC_NAMES.illegalStatusMove,
            dimensions: {},
            value: 1,
            metadata: { from: current, to: target },
          },
        ]);
      },
    );

    it.each([
      ['SUCCEEDED', 'SUCCEEDED'],
      ['CHARGED', 'CHARGED'],
      ['CHARGED', 'RESERVED'],
      ['SUCCEEDED', 'CHARGED'],
      ['NEEDS_ATTENTION', 'NEEDS_ATTENTION'],
    ] as [PaymentStatus, PaymentStatus][])(
      'stays quiet about a replay or a stale forward retry (%s, then %s)',
      async (current, target) => {
        // Prepare
        const { observer, errors, points } = recordingObserver();
        const log = new DynamoPaymentLog(tableWith(current), 'payments', undefined, observer);
        // Act
        await log.advance(`pay-${randomUUID()}`, target);
        // Assess
        expect(errors).toEqual([]);
        expect(points).toEqual([]);
      },
    );

    it('answers a refused replay with the stored record DynamoDB returned (ALL_OLD), without a read', async () => {
      // Prepare: the record already RESERVED by another copy; the table answers no read
      const paymentId = `pay-${randomUUID()}`;
      const stored = {
        paymentId,
        status: 'RESERVED',
        walletAmount: 500,
        gatewayAmount: 750,
        holdId: 'hold-1',
      };
      const asked: unknown[] = [];
      const send = async (command: unknown) => {
        if (!(command instanceof UpdateCommand)) throw new Error(`unexpected command ${String(command)}`);
        asked.push(command.input.ReturnValuesOnConditionCheckFailure);
        throw Object.assign(
          new AwsServiceError(
            'ConditionalCheckFailedException',
            'The conditional request failed',
            400,
            undefined,
          ),
          { Item: stored },
        );
      };
      const log = new DynamoPaymentLog({ send } as unknown as DocumentClient, 'payments');
      // Act
      const answer = await log.advance(paymentId, 'RESERVED', { walletAmount: 0, gatewayAmount: 1250 });
      // Assess
      expect({ answer, asked }).toEqual({ answer: stored, asked: ['ALL_OLD'] });
    });

    it('answers undefined when its own write moved the payment', async () => {
      // Prepare
      const send = async (command: unknown) => {
        if (command instanceof UpdateCommand) return {};
        throw new Error(`unexpected command ${String(command)}`);
      };
      const log = new DynamoPaymentLog({ send } as unknown as DocumentClient, 'payments');
      // Act
      const answer = await log.advance(`pay-${randomUUID()}`, 'RESERVED', { walletAmount: 0 });
      // Assess
      expect(answer).toBeUndefined();
    });
  });
});
