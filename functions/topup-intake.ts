import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DescribeExecutionCommand, ExecutionAlreadyExists, StartExecutionCommand } from '../core/aws/sfn';
import { SendMessageCommand } from '../core/aws/sqs';
import { required } from '../core/config/env';
import { executionArnFor } from '../core/config/executions';
import { aliasArnFor } from '../core/config/release';
import { attributeBytes, dlqCopy } from '../core/intake/dlq-copy';
import { decideTopUpIntake, type TopUpIntakeDecision } from '../core/topups/intake';
import { DETAIL_TYPES } from '../events/envelope';
import { stepFunctions } from './commons/clients/sfn';
import { sqs } from './commons/clients/sqs';
import { env } from './commons/env';
import { logger } from './commons/logger';

const processor = new BatchProcessor(EventType.SQS);

type Rejection =
  | Extract<TopUpIntakeDecision, { kind: 'reject' }>
  | {
      readonly reasonCode: 'conflicting_duplicate';
      readonly reason: string;
      readonly topUpId: string;
    };

/**
 * Parks a refused TopUpRequested in the top-up intake DLQ with its reason (the
 * body with any card number masked). Throwing leaves the message on the queue
 * to be retried, so a rejection is never lost.
 */
async function reject(record: SQSRecord, rejection: Rejection): Promise<void> {
  const attributes = {
    detailType: { DataType: 'String', StringValue: DETAIL_TYPES.topUpRequested },
    reasonCode: { DataType: 'String', StringValue: rejection.reasonCode },
    reason: { DataType: 'String', StringValue: rejection.reason.slice(0, 1000) },
    rejectedAt: { DataType: 'String', StringValue: new Date().toISOString() },
    ...(rejection.topUpId && { topUpId: { DataType: 'String', StringValue: rejection.topUpId } }),
  };
  const copy = dlqCopy(record.body, attributeBytes(attributes) + 64);
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: required(env, 'topUpIntakeDlqUrl'),
      MessageBody: copy.body,
      MessageAttributes: {
        ...attributes,
        ...(copy.originalBytes !== undefined && {
          truncatedFromBytes: { DataType: 'Number', StringValue: String(copy.originalBytes) },
        }),
      },
    }),
  );
  logger.warn('top-up request rejected', {
    reasonCode: rejection.reasonCode,
    reason: rejection.reason,
    topUpId: rejection.topUpId,
    messageId: record.messageId,
  });
}

const executionArnOf = (name: string): string => executionArnFor(required(env, 'topUpStateMachineArn'), name);

async function startTopUp(record: SQSRecord): Promise<void> {
  const decision = decideTopUpIntake(record.body, record.messageAttributes.reasonCode?.stringValue);
  if (decision.kind === 'reject') return reject(record, decision);
  const { topUpId } = decision.topUp;
  try {
    const started = await stepFunctions.send(
      new StartExecutionCommand({
        // On the alias (the version the release chose); the execution ARN stays stateMachine-based.
        stateMachineArn: aliasArnFor(required(env, 'topUpStateMachineArn')),
        name: decision.executionName,
        input: decision.input,
      }),
    );
    logger.info('top-up saga started', { topUpId, executionArn: started.executionArn });
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    const existing = await stepFunctions.send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(decision.executionName) }),
    );
    if (existing.input === decision.input) {
      logger.info('duplicate top-up request suppressed', { topUpId });
      return;
    }
    return reject(record, {
      reasonCode: 'conflicting_duplicate',
      reason: `topUpId ${topUpId} was already requested with a different payload; a new top-up needs a new topUpId`,
      topUpId,
    });
  }
}

/** Top-up intake: validates each queued TopUpRequested and starts its saga (execution name = topUpId). */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) =>
    processPartialResponse(event, startTopUp, processor, { context, throwOnFullBatchFailure: false }),
  );
