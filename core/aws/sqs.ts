import { createHash } from 'node:crypto';
import type {
  CancelMessageMoveTaskRequest,
  CancelMessageMoveTaskResult,
  ChangeMessageVisibilityBatchRequest,
  ChangeMessageVisibilityBatchResult,
  ChangeMessageVisibilityRequest,
  DeleteMessageBatchRequest,
  DeleteMessageBatchResult,
  DeleteMessageRequest,
  GetQueueAttributesRequest,
  GetQueueAttributesResult,
  GetQueueUrlRequest,
  GetQueueUrlResult,
  ListMessageMoveTasksRequest,
  ListMessageMoveTasksResult,
  Message,
  PurgeQueueRequest,
  ReceiveMessageRequest,
  ReceiveMessageResult,
  SendMessageBatchRequest,
  SendMessageBatchResult,
  SendMessageRequest,
  SendMessageResult,
  StartMessageMoveTaskRequest,
  StartMessageMoveTaskResult,
} from '@aws-sdk/client-sqs';
import type { JsonService } from './json-client';
import {
  JsonServiceClient,
  jsonCommand,
  type ServiceClientConfig,
  serviceErrorClass,
} from './service-client';

/**
 * Amazon SQS over the lean transport (JSON protocol 1.0), shaped as
 * @aws-sdk/client-sqs: `sqs.send(new SendMessageCommand(input))`. As the SDK,
 * the MD5 SQS answers for each sent or received body is checked.
 * Types only come from the SDK package (erased from bundles).
 */

export type {
  ListMessageMoveTasksResultEntry,
  Message,
  MessageAttributeValue,
  SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
export type SendMessageCommandInput = SendMessageRequest;
export type SendMessageCommandOutput = SendMessageResult;
export type SendMessageBatchCommandInput = SendMessageBatchRequest;
export type SendMessageBatchCommandOutput = SendMessageBatchResult;

const SQS: JsonService = {
  signingName: 'sqs',
  host: (region) => `sqs.${region}.amazonaws.com`,
  targetPrefix: 'AmazonSQS',
  jsonVersion: '1.0',
  envKey: 'SQS',
};

/** An answer whose MD5 does not match the body sent or received (the SDK's message, as a class). */
export class InvalidChecksumError extends Error {
  override readonly name = 'InvalidChecksumError';
}

const md5 = (body: string | undefined): string =>
  createHash('md5')
    .update(body ?? '')
    .digest('hex');

export class SendMessageCommand extends jsonCommand<SendMessageRequest, SendMessageResult>(
  'SendMessage',
  (answer, input) => {
    const output = answer as SendMessageResult;
    if (output.MD5OfMessageBody !== md5(input.MessageBody)) {
      throw new InvalidChecksumError(`InvalidChecksumError: SendMessage to ${input.QueueUrl}`);
    }
    return output;
  },
) {}

export class SendMessageBatchCommand extends jsonCommand<SendMessageBatchRequest, SendMessageBatchResult>(
  'SendMessageBatch',
  (answer, input) => {
    const output = answer as unknown as SendMessageBatchResult;
    const bodies = new Map((input.Entries ?? []).map((entry) => [entry.Id, entry.MessageBody]));
    const wrong = (output.Successful ?? [])
      .filter((entry) => entry.MD5OfMessageBody !== md5(bodies.get(entry.Id)))
      .map((entry) => entry.MessageId);
    if (wrong.length > 0)
      throw new InvalidChecksumError(`Invalid MD5 checksum on messages: ${wrong.join(', ')}`);
    return output;
  },
) {}

export class ReceiveMessageCommand extends jsonCommand<ReceiveMessageRequest, ReceiveMessageResult>(
  'ReceiveMessage',
  (answer) => {
    const output = answer as ReceiveMessageResult;
    const wrong = (output.Messages ?? [])
      .filter((message: Message) => message.Body !== undefined && message.MD5OfBody !== md5(message.Body))
      .map((message) => message.MessageId);
    if (wrong.length > 0)
      throw new InvalidChecksumError(`Invalid MD5 checksum on messages: ${wrong.join(', ')}`);
    return output;
  },
) {}

export class DeleteMessageCommand extends jsonCommand<DeleteMessageRequest, Record<string, never>>(
  'DeleteMessage',
) {}
export class DeleteMessageBatchCommand extends jsonCommand<
  DeleteMessageBatchRequest,
  DeleteMessageBatchResult
>('DeleteMessageBatch') {}
export class ChangeMessageVisibilityCommand extends jsonCommand<
  ChangeMessageVisibilityRequest,
  Record<string, never>
>('ChangeMessageVisibility') {}
export class ChangeMessageVisibilityBatchCommand extends jsonCommand<
  ChangeMessageVisibilityBatchRequest,
  ChangeMessageVisibilityBatchResult
>('ChangeMessageVisibilityBatch') {}
export class PurgeQueueCommand extends jsonCommand<PurgeQueueRequest, Record<string, never>>('PurgeQueue') {}
export class StartMessageMoveTaskCommand extends jsonCommand<
  StartMessageMoveTaskRequest,
  StartMessageMoveTaskResult
>('StartMessageMoveTask') {}
export class ListMessageMoveTasksCommand extends jsonCommand<
  ListMessageMoveTasksRequest,
  ListMessageMoveTasksResult
>('ListMessageMoveTasks') {}
export class CancelMessageMoveTaskCommand extends jsonCommand<
  CancelMessageMoveTaskRequest,
  CancelMessageMoveTaskResult
>('CancelMessageMoveTask') {}
export class GetQueueUrlCommand extends jsonCommand<GetQueueUrlRequest, GetQueueUrlResult>('GetQueueUrl') {}
export class GetQueueAttributesCommand extends jsonCommand<
  GetQueueAttributesRequest,
  GetQueueAttributesResult
>('GetQueueAttributes') {}

/** The SQS error classes callers test with `instanceof` (the SDK's names). */
export const QueueDoesNotExist = serviceErrorClass('QueueDoesNotExist');
export const ReceiptHandleIsInvalid = serviceErrorClass('ReceiptHandleIsInvalid');
export const InvalidMessageContents = serviceErrorClass('InvalidMessageContents');
export const BatchEntryIdsNotDistinct = serviceErrorClass('BatchEntryIdsNotDistinct');
export const TooManyEntriesInBatchRequest = serviceErrorClass('TooManyEntriesInBatchRequest');

export class SQSClient extends JsonServiceClient {
  constructor(config: ServiceClientConfig = {}) {
    super(SQS, config, {
      QueueDoesNotExist,
      ReceiptHandleIsInvalid,
      InvalidMessageContents,
      BatchEntryIdsNotDistinct,
      TooManyEntriesInBatchRequest,
    });
  }
}
