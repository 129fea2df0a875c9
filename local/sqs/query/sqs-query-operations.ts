import { boolean, integer, list, map, type StructureShape, string, structure } from './query-shapes';

/**
 * The route table of SQS's query protocol: each `Action` the local SQS serves
 * (the operations its JSON protocol serves: fauxqs's and the message move
 * tasks), with its request and result shapes. The action name is the JSON
 * operation name, so both protocols reach the same implementation.
 */
export interface QueryOperation {
  readonly input: StructureShape;
  /** Absent for actions whose answer carries only the ResponseMetadata (DeleteMessage...). */
  readonly output?: StructureShape;
}

const messageAttributeValue = structure({
  StringValue: string,
  BinaryValue: string,
  StringListValues: ['StringListValue', list(string)],
  BinaryListValues: ['BinaryListValue', list(string)],
  DataType: string,
});
const messageAttributes = ['MessageAttribute', map(messageAttributeValue)] as const;
const messageSystemAttributes = ['MessageSystemAttribute', map(messageAttributeValue)] as const;
const queueAttributes = ['Attribute', map(string)] as const;
const tags = ['Tag', map(string, 'Key')] as const;
const queueUrlOnly = structure({ QueueUrl: string });
const batchError = structure({ Id: string, SenderFault: boolean, Code: string, Message: string });
const idOnly = structure({ Id: string });

const sendMessageFields = {
  MessageBody: string,
  DelaySeconds: integer,
  MessageAttributes: messageAttributes,
  MessageSystemAttributes: messageSystemAttributes,
  MessageDeduplicationId: string,
  MessageGroupId: string,
} as const;
const sendMessageResultFields = {
  MD5OfMessageBody: string,
  MD5OfMessageAttributes: string,
  MD5OfMessageSystemAttributes: string,
  MessageId: string,
  SequenceNumber: string,
} as const;

function batchResult(successEntry: string, success: StructureShape): StructureShape {
  return structure({
    Successful: [successEntry, list(success)],
    Failed: ['BatchResultErrorEntry', list(batchError)],
  });
}

const message = structure({
  MessageId: string,
  ReceiptHandle: string,
  MD5OfBody: string,
  Body: string,
  Attributes: ['Attribute', map(string)],
  MD5OfMessageAttributes: string,
  MessageAttributes: messageAttributes,
});

const moveTask = structure({
  TaskHandle: string,
  Status: string,
  SourceArn: string,
  DestinationArn: string,
  MaxNumberOfMessagesPerSecond: integer,
  ApproximateNumberOfMessagesMoved: integer,
  ApproximateNumberOfMessagesToMove: integer,
  FailureReason: string,
  StartedTimestamp: integer,
});

export const SQS_QUERY_OPERATIONS: Readonly<Record<string, QueryOperation>> = {
  CreateQueue: {
    input: structure({ QueueName: string, Attributes: queueAttributes, tags }),
    output: queueUrlOnly,
  },
  DeleteQueue: { input: queueUrlOnly },
  GetQueueUrl: {
    input: structure({ QueueName: string, QueueOwnerAWSAccountId: string }),
    output: queueUrlOnly,
  },
  ListQueues: {
    input: structure({ QueueNamePrefix: string, NextToken: string, MaxResults: integer }),
    output: structure({ QueueUrls: ['QueueUrl', list(string)], NextToken: string }),
  },
  GetQueueAttributes: {
    input: structure({ QueueUrl: string, AttributeNames: ['AttributeName', list(string)] }),
    output: structure({ Attributes: queueAttributes }),
  },
  SetQueueAttributes: { input: structure({ QueueUrl: string, Attributes: queueAttributes }) },
  PurgeQueue: { input: queueUrlOnly },
  SendMessage: {
    input: structure({ QueueUrl: string, ...sendMessageFields }),
    output: structure(sendMessageResultFields),
  },
  SendMessageBatch: {
    input: structure({
      QueueUrl: string,
      Entries: ['SendMessageBatchRequestEntry', list(structure({ Id: string, ...sendMessageFields }))],
    }),
    output: batchResult('SendMessageBatchResultEntry', structure({ Id: string, ...sendMessageResultFields })),
  },
  ReceiveMessage: {
    input: structure({
      QueueUrl: string,
      AttributeNames: ['AttributeName', list(string)],
      MessageSystemAttributeNames: ['MessageSystemAttributeName', list(string)],
      MessageAttributeNames: ['MessageAttributeName', list(string)],
      MaxNumberOfMessages: integer,
      VisibilityTimeout: integer,
      WaitTimeSeconds: integer,
      ReceiveRequestAttemptId: string,
    }),
    output: structure({ Messages: ['Message', list(message)] }),
  },
  DeleteMessage: { input: structure({ QueueUrl: string, ReceiptHandle: string }) },
  DeleteMessageBatch: {
    input: structure({
      QueueUrl: string,
      Entries: ['DeleteMessageBatchRequestEntry', list(structure({ Id: string, ReceiptHandle: string }))],
    }),
    output: batchResult('DeleteMessageBatchResultEntry', idOnly),
  },
  ChangeMessageVisibility: {
    input: structure({ QueueUrl: string, ReceiptHandle: string, VisibilityTimeout: integer }),
  },
  ChangeMessageVisibilityBatch: {
    input: structure({
      QueueUrl: string,
      Entries: [
        'ChangeMessageVisibilityBatchRequestEntry',
        list(structure({ Id: string, ReceiptHandle: string, VisibilityTimeout: integer })),
      ],
    }),
    output: batchResult('ChangeMessageVisibilityBatchResultEntry', idOnly),
  },
  TagQueue: { input: structure({ QueueUrl: string, Tags: tags }) },
  UntagQueue: { input: structure({ QueueUrl: string, TagKeys: ['TagKey', list(string)] }) },
  ListQueueTags: { input: queueUrlOnly, output: structure({ Tags: tags }) },
  StartMessageMoveTask: {
    input: structure({ SourceArn: string, DestinationArn: string, MaxNumberOfMessagesPerSecond: integer }),
    output: structure({ TaskHandle: string }),
  },
  ListMessageMoveTasks: {
    input: structure({ SourceArn: string, MaxResults: integer }),
    output: structure({ Results: ['ListMessageMoveTasksResultEntry', list(moveTask)] }),
  },
  CancelMessageMoveTask: {
    input: structure({ TaskHandle: string }),
    output: structure({ ApproximateNumberOfMessagesMoved: integer }),
  },
};
