import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { PutEventsCommand } from '../core/aws/eventbridge';
import { DescribeExecutionCommand, ExecutionAlreadyExists, StartExecutionCommand } from '../core/aws/sfn';
import { SendMessageCommand } from '../core/aws/sqs';
import { required } from '../core/config/env';
import { executionArnFor, refundExecutionName } from '../core/config/executions';
import { aliasArnFor } from '../core/config/release';
import { attributeBytes, dlqCopy } from '../core/intake/dlq-copy';
import { eventEntry } from '../core/outcomes/event-entry';
import { PaymentsRepository } from '../core/payments/repository';
import { decideRefundIntake, type RefundRejection } from '../core/refunds/intake';
import { DETAIL_TYPES } from '../events/envelope';
import type { RefundRejected } from '../events/refunds.v1';
import { documentClient } from './commons/clients/dynamodb';
import { eventBridge } from './commons/clients/eventbridge';
import { stepFunctions } from './commons/clients/sfn';
import { sqs } from './commons/clients/sqs';
import { env } from './commons/env';
import { logger } from './commons/logger';
import { refundStore } from './commons/refund-deps';

const processor = new BatchProcessor(EventType.SQS);
const stateMachineArn = (): string => required(env, 'refundStateMachineArn');
const deps = {
  refunds: refundStore(),
  payments: new PaymentsRepository(documentClient, required(env, 'paymentsTable')),
  executionArnOf: (paymentId: string, refundId: string) =>
    executionArnFor(stateMachineArn(), refundExecutionName(paymentId, refundId)),
};

/**
 * Parks a refused RefundRequested in the refund intake DLQ with its reason
 * (the body with any card number masked), then tells upstream with
 * RefundRejected. Throwing leaves the message on the queue to be retried, so a
 * rejection is never lost.
 */
async function reject(record: SQSRecord, rejection: RefundRejection): Promise<void> {
  const rejectedAt = new Date().toISOString();
  const attributes = {
    detailType: { DataType: 'String', StringValue: DETAIL_TYPES.refundRequested },
    reasonCode: { DataType: 'String', StringValue: rejection.reasonCode },
    reason: { DataType: 'String', StringValue: rejection.reason.slice(0, 1000) },
    rejectedAt: { DataType: 'String', StringValue: rejectedAt },
    ...(rejection.paymentId && { paymentId: { DataType: 'String', StringValue: rejection.paymentId } }),
    ...(rejection.refundId && { refundId: { DataType: 'String', StringValue: rejection.refundId } }),
  };
  const copy = dlqCopy(record.body, attributeBytes(attributes) + 64);
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: required(env, 'refundIntakeDlqUrl'),
      MessageBody: copy.body,
      MessageAttributes: {
        ...attributes,
        ...(copy.originalBytes !== undefined && {
          truncatedFromBytes: { DataType: 'Number', StringValue: String(copy.originalBytes) },
        }),
      },
    }),
  );
  const detail: RefundRejected = { schemaVersion: '1', ...rejection, occurredAt: rejectedAt };
  const result = await eventBridge.send(
    new PutEventsCommand({
      Entries: [eventEntry(required(env, 'eventBusName'), DETAIL_TYPES.refundRejected, detail)],
    }),
  );
  if (result.FailedEntryCount) {
    throw new Error(`RefundRejected not published: ${result.Entries?.[0]?.ErrorMessage}`);
  }
  logger.warn('refund request rejected', { ...rejection, messageId: record.messageId });
}

async function startRefund(record: SQSRecord): Promise<void> {
  const decision = await decideRefundIntake(
    deps,
    record.body,
    record.messageAttributes.reasonCode?.stringValue,
  );
  if (decision.kind === 'reject') return reject(record, decision);
  const { refundId, paymentId } = decision.refund;
  try {
    const started = await stepFunctions.send(
      new StartExecutionCommand({
        // On the alias (the version the release chose); the execution ARN stays stateMachine-based.
        stateMachineArn: aliasArnFor(stateMachineArn()),
        name: decision.executionName,
        input: decision.input,
      }),
    );
    logger.info('refund saga started', { refundId, paymentId, executionArn: started.executionArn });
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    const existing = await stepFunctions.send(
      new DescribeExecutionCommand({
        executionArn: executionArnFor(stateMachineArn(), decision.executionName),
      }),
    );
    if (existing.input === decision.input) {
      logger.info('duplicate refund request suppressed', { refundId, paymentId });
      return;
    }
    return reject(record, {
      reasonCode: 'conflicting_duplicate',
      reason: `refund ${refundId} of payment ${paymentId} already runs with another input; a new refund needs a new refundId`,
      refundId,
      paymentId,
    });
  }
}

/** Refund intake: checks each queued RefundRequested, records it and starts its refund saga. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) =>
    processPartialResponse(event, startRefund, processor, { context, throwOnFullBatchFailure: false }),
  );
