import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { PutEventsCommand } from '../core/aws/eventbridge';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  StartExecutionCommand,
} from '../core/aws/sfn';
import { SendMessageCommand } from '../core/aws/sqs';
import { required } from '../core/config/env';
import { executionArnFor } from '../core/config/executions';
import { aliasArnFor } from '../core/config/release';
import { decideIntake } from '../core/intake/decide';
import { attributeBytes, dlqCopy } from '../core/intake/dlq-copy';
import { eventEntry } from '../core/outcomes/event-entry';
import { PaymentRunLookup } from '../core/payments/archive';
import { DETAIL_TYPES } from '../events/envelope';
import type { PaymentRejected } from '../events/outcomes.v1';
import { documentClient } from './commons/clients/dynamodb';
import { eventBridge } from './commons/clients/eventbridge';
import { stepFunctions } from './commons/clients/sfn';
import { sqs } from './commons/clients/sqs';
import { env } from './commons/env';
import { logger } from './commons/logger';

const processor = new BatchProcessor(EventType.SQS);
const runs = new PaymentRunLookup(documentClient, required(env, 'paymentsTable'));

type Rejection = Pick<PaymentRejected, 'reasonCode' | 'reason' | 'paymentId' | 'eventId'>;

/**
 * Parks a refused request in the intake DLQ with its reason (the body with any
 * card number masked) and tells upstream with a PaymentRejected event. Throwing
 * here leaves the message on the queue to be retried, so a rejection is never lost.
 * The copy is cut (and says so) only if it would not fit one SQS message with its attributes.
 */
async function reject(record: SQSRecord, rejection: Rejection): Promise<void> {
  const rejectedAt = new Date().toISOString();
  const attributes = {
    reasonCode: { DataType: 'String', StringValue: rejection.reasonCode },
    reason: { DataType: 'String', StringValue: rejection.reason.slice(0, 1000) },
    rejectedAt: { DataType: 'String', StringValue: rejectedAt },
    ...(rejection.paymentId && { paymentId: { DataType: 'String', StringValue: rejection.paymentId } }),
  };
  // Room for the attribute a cut copy adds (name, type and a byte count).
  const copy = dlqCopy(record.body, attributeBytes(attributes) + 64);
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: required(env, 'intakeDlqUrl'),
      MessageBody: copy.body,
      MessageAttributes: {
        ...attributes,
        ...(copy.originalBytes !== undefined && {
          truncatedFromBytes: { DataType: 'Number', StringValue: String(copy.originalBytes) },
        }),
      },
    }),
  );
  const detail: PaymentRejected = { schemaVersion: '1', ...rejection, occurredAt: rejectedAt };
  const result = await eventBridge.send(
    new PutEventsCommand({
      Entries: [eventEntry(required(env, 'eventBusName'), DETAIL_TYPES.paymentRejected, detail)],
    }),
  );
  if (result.FailedEntryCount)
    throw new Error(`PaymentRejected not published: ${result.Entries?.[0]?.ErrorMessage}`);
  logger.warn('payment request rejected', { ...rejection, messageId: record.messageId });
}

function executionArnOf(name: string): string {
  return executionArnFor(required(env, 'stateMachineArn'), name);
}

/** The existing execution's input, or undefined once Step Functions has forgotten it (90 days after it closed). */
async function existingExecutionInput(name: string): Promise<string | undefined> {
  try {
    const existing = await stepFunctions.send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(name) }),
    );
    return existing.input;
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return undefined;
    throw error;
  }
}

function conflictingDuplicate(record: SQSRecord, paymentId: string): Promise<void> {
  return reject(record, {
    reasonCode: 'conflicting_duplicate',
    reason: `paymentId ${paymentId} was already requested with a different payload; a new payment needs a new paymentId`,
    paymentId,
  });
}

/**
 * A paymentId that ran before (its record, or the archive pointer that outlives it) never starts again:
 * Step Functions forgets executions, so its name alone would not stop a replay from charging twice.
 */
async function settleEarlierRun(record: SQSRecord, paymentId: string, name: string, input: string) {
  const existing = await existingExecutionInput(name);
  if (existing !== undefined && existing !== input) return conflictingDuplicate(record, paymentId);
  logger.info('duplicate request suppressed', { paymentId, executionKnown: existing !== undefined });
}

async function startSaga(record: SQSRecord): Promise<void> {
  const decision = decideIntake(record.body, record.messageAttributes.reasonCode?.stringValue);
  if (decision.kind === 'reject') return reject(record, decision);
  const { paymentId } = decision.payment;
  if (await runs.everRan(paymentId)) {
    return settleEarlierRun(record, paymentId, decision.executionName, decision.input);
  }
  try {
    const started = await stepFunctions.send(
      new StartExecutionCommand({
        // On the alias (the version the release chose); the execution ARN stays stateMachine-based.
        stateMachineArn: aliasArnFor(required(env, 'stateMachineArn')),
        name: decision.executionName,
        input: decision.input,
      }),
    );
    // Step Functions returns the existing execution for the same name and input: a duplicate request is done.
    logger.info('saga started', { paymentId, executionArn: started.executionArn });
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    // AWS answers ExecutionAlreadyExists for a finished execution even when the input is the same.
    if ((await existingExecutionInput(decision.executionName)) === decision.input) {
      logger.info('duplicate request suppressed', { paymentId });
      return;
    }
    return conflictingDuplicate(record, paymentId);
  }
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) =>
    processPartialResponse(event, startSaga, processor, { context, throwOnFullBatchFailure: false }),
  );
