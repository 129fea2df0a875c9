import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../local/edge/aws-json-service';
import { QueryParameterError, queryToJson } from '../../local/sqs/query/query-request';
import { SQS_QUERY_OPERATIONS } from '../../local/sqs/query/sqs-query-operations';
import { type SqsOperations, SqsQueryService } from '../../local/sqs/query/sqs-query-service';
import { errorXml, escapeXml, successXml } from '../../local/sqs/query/xml-response';
import { sqsError } from '../../local/sqs/sqs-error';

const NS = 'http://queue.amazonaws.com/doc/2012-11-05/';

function operation(action: string) {
  const found = SQS_QUERY_OPERATIONS[action];
  if (!found) throw new Error(`no ${action}`);
  return found;
}

/** An SqsOperations that records each call and answers (or throws) what the test says. */
function recordingSqs(answer: (operation: string, input: Record<string, unknown>) => unknown) {
  const calls: Array<{ operation: string; input: Record<string, unknown> }> = [];
  const sqs: SqsOperations = {
    async call<T>(name: string, input: Record<string, unknown>): Promise<T> {
      calls.push({ operation: name, input });
      return answer(name, input) as T;
    },
  };
  return { sqs, calls };
}

describe('Function: queryToJson', () => {
  it('reads a SendMessage with typed message attributes into the JSON input of the same operation', () => {
    // Prepare
    const params = new URLSearchParams({
      Action: 'SendMessage',
      Version: '2012-11-05',
      QueueUrl: 'http://127.0.0.1:4566/000000000000/q',
      MessageBody: 'a & b',
      DelaySeconds: '5',
      'MessageAttribute.1.Name': 'kind',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'payment',
      'MessageAttribute.2.Name': 'blob',
      'MessageAttribute.2.Value.DataType': 'Binary',
      'MessageAttribute.2.Value.BinaryValue': 'AAEC',
    });
    // Act
    const input = queryToJson(operation('SendMessage').input, params);
    // Assess
    expect(input).toEqual({
      QueueUrl: 'http://127.0.0.1:4566/000000000000/q',
      MessageBody: 'a & b',
      DelaySeconds: 5,
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'payment' },
        blob: { DataType: 'Binary', BinaryValue: 'AAEC' },
      },
    });
  });

  it('reads flattened lists in numeric order (AttributeName.2 before AttributeName.10)', () => {
    // Prepare
    const params = new URLSearchParams();
    for (let i = 10; i >= 1; i -= 1) params.set(`AttributeName.${i}`, `A${i}`);
    params.set('QueueUrl', 'u');
    params.set('MessageAttributeName.1', 'All');
    params.set('MaxNumberOfMessages', '10');
    // Act
    const input = queryToJson(operation('ReceiveMessage').input, params);
    // Assess
    expect(input).toEqual({
      QueueUrl: 'u',
      AttributeNames: ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9', 'A10'],
      MessageAttributeNames: ['All'],
      MaxNumberOfMessages: 10,
    });
  });

  it('reads batch entries with their own nested attribute maps, and queue attributes and tags as maps', () => {
    // Prepare
    const batch = new URLSearchParams({
      QueueUrl: 'u',
      'SendMessageBatchRequestEntry.1.Id': 'a',
      'SendMessageBatchRequestEntry.1.MessageBody': 'one',
      'SendMessageBatchRequestEntry.2.Id': 'b',
      'SendMessageBatchRequestEntry.2.MessageBody': 'two',
      'SendMessageBatchRequestEntry.2.MessageAttribute.1.Name': 'k',
      'SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType': 'Number',
      'SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue': '7',
    });
    const create = new URLSearchParams({
      QueueName: 'q',
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '30',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'payments',
    });
    // Act
    const batchInput = queryToJson(operation('SendMessageBatch').input, batch);
    const createInput = queryToJson(operation('CreateQueue').input, create);
    // Assess
    expect(batchInput).toEqual({
      QueueUrl: 'u',
      Entries: [
        { Id: 'a', MessageBody: 'one' },
        { Id: 'b', MessageBody: 'two', MessageAttributes: { k: { DataType: 'Number', StringValue: '7' } } },
      ],
    });
    expect(createInput).toEqual({
      QueueName: 'q',
      Attributes: { VisibilityTimeout: '30' },
      tags: { team: 'payments' },
    });
  });

  it('refuses a count that is not a number', () => {
    // Prepare
    const params = new URLSearchParams({ QueueUrl: 'u', MaxNumberOfMessages: 'ten' });
    // Act
    const act = () => queryToJson(operation('ReceiveMessage').input, params);
    // Assess
    expect(act).toThrow(QueryParameterError);
    expect(act).toThrow('Value ten for parameter MaxNumberOfMessages is invalid.');
  });
});

describe('Function: successXml', () => {
  it('writes a received message with its attribute maps flattened, as SQS does', () => {
    // Prepare
    const result = {
      Messages: [
        {
          MessageId: 'm-1',
          ReceiptHandle: 'r-1',
          MD5OfBody: 'md5',
          Body: '<b>&\r',
          Attributes: { ApproximateReceiveCount: '1' },
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'x' } },
        },
      ],
    };
    // Act
    const xml = successXml({
      action: 'ReceiveMessage',
      namespace: NS,
      requestId: 'req-1',
      shape: operation('ReceiveMessage').output,
      result,
    });
    // Assess
    expect(xml).toBe(
      `<?xml version="1.0"?><ReceiveMessageResponse xmlns="${NS}"><ReceiveMessageResult><Message>` +
        '<MessageId>m-1</MessageId><ReceiptHandle>r-1</ReceiptHandle><MD5OfBody>md5</MD5OfBody>' +
        '<Body>&lt;b&gt;&amp;&#xD;</Body>' +
        '<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>' +
        '<MessageAttribute><Name>kind</Name><Value><StringValue>x</StringValue><DataType>String</DataType></Value></MessageAttribute>' +
        '</Message></ReceiveMessageResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>' +
        '</ReceiveMessageResponse>',
    );
  });

  it('writes list members as repeated elements and batch failures with their SenderFault', () => {
    // Prepare
    const queues = { QueueUrls: ['http://h/0/a', 'http://h/0/b'] };
    const batch = {
      Successful: [{ Id: 'a', MessageId: 'm', MD5OfMessageBody: 'd' }],
      Failed: [{ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue', Message: 'bad' }],
    };
    // Act
    const list = successXml({
      action: 'ListQueues',
      namespace: NS,
      requestId: 'r',
      shape: operation('ListQueues').output,
      result: queues,
    });
    const sent = successXml({
      action: 'SendMessageBatch',
      namespace: NS,
      requestId: 'r',
      shape: operation('SendMessageBatch').output,
      result: batch,
    });
    // Assess
    expect(list).toContain(
      '<ListQueuesResult><QueueUrl>http://h/0/a</QueueUrl><QueueUrl>http://h/0/b</QueueUrl></ListQueuesResult>',
    );
    expect(sent).toContain(
      '<SendMessageBatchResult><SendMessageBatchResultEntry><Id>a</Id><MD5OfMessageBody>d</MD5OfMessageBody>' +
        '<MessageId>m</MessageId></SendMessageBatchResultEntry><BatchResultErrorEntry><Id>b</Id>' +
        '<SenderFault>true</SenderFault><Code>InvalidParameterValue</Code><Message>bad</Message>' +
        '</BatchResultErrorEntry></SendMessageBatchResult>',
    );
  });

  it('writes only the ResponseMetadata for an action without a result', () => {
    // Act
    const xml = successXml({ action: 'DeleteMessage', namespace: NS, requestId: 'r-9' });
    // Assess
    expect(xml).toBe(
      `<?xml version="1.0"?><DeleteMessageResponse xmlns="${NS}"><ResponseMetadata><RequestId>r-9</RequestId>` +
        '</ResponseMetadata></DeleteMessageResponse>',
    );
  });
});

describe('Function: errorXml', () => {
  it('writes the ErrorResponse shape with Type, Code, Message and Detail', () => {
    // Act
    const xml = errorXml({ namespace: NS, requestId: 'r', type: 'Sender', code: 'X', message: 'a<b' });
    // Assess
    expect(xml).toBe(
      `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>X</Code>` +
        '<Message>a&lt;b</Message><Detail/></Error><RequestId>r</RequestId></ErrorResponse>',
    );
    expect(escapeXml(`"'`)).toBe('&quot;&apos;');
  });
});

describe('Class: SqsQueryService', () => {
  describe('Method: handleQuery', () => {
    it('runs the JSON operation of the action and answers its result in XML', async () => {
      // Prepare
      const { sqs, calls } = recordingSqs(() => ({ QueueUrl: 'http://h/000000000000/q-1' }));
      const service = new SqsQueryService({ sqs });
      // Act
      const answer = await service.handleQuery(
        new URLSearchParams({ Action: 'GetQueueUrl', Version: '2012-11-05', QueueName: 'q-1' }),
      );
      // Assess
      expect(calls).toEqual([{ operation: 'GetQueueUrl', input: { QueueName: 'q-1' } }]);
      expect(answer.statusCode).toBe(200);
      expect(answer.contentType).toBe('text/xml');
      expect(answer.body).toContain('<GetQueueUrlResult><QueueUrl>http://h/000000000000/q-1</QueueUrl>');
    });

    it('answers an SQS error with its query-protocol code and status (NonExistentQueue, 404 receipt handles)', async () => {
      // Prepare
      const { sqs } = recordingSqs((name) => {
        throw name === 'GetQueueUrl'
          ? sqsError('QueueDoesNotExist', 'The specified queue does not exist.')
          : sqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
      });
      const service = new SqsQueryService({ sqs });
      // Act
      const missing = await service.handleQuery(
        new URLSearchParams({ Action: 'GetQueueUrl', QueueName: 'x' }),
      );
      const handle = await service.handleQuery(
        new URLSearchParams({ Action: 'DeleteMessage', QueueUrl: 'u', ReceiptHandle: 'bad' }),
      );
      // Assess
      expect(missing.statusCode).toBe(400);
      expect(missing.body).toContain(
        '<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>' +
          '<Message>The specified queue does not exist.</Message>',
      );
      expect(handle.statusCode).toBe(404);
      expect(handle.body).toContain('<Code>ReceiptHandleIsInvalid</Code>');
    });

    it('answers an unknown action with InvalidAction and a crash with a logged InternalError', async () => {
      // Prepare
      const crashes: string[] = [];
      const { sqs, calls } = recordingSqs(() => {
        throw new TypeError('boom');
      });
      const service = new SqsQueryService({ sqs, onInternalError: (_error, action) => crashes.push(action) });
      // Act
      const unknown = await service.handleQuery(new URLSearchParams({ Action: 'AddPermission' }));
      const crashed = await service.handleQuery(new URLSearchParams({ Action: 'ListQueues' }));
      // Assess
      expect(unknown.statusCode).toBe(400);
      expect(unknown.body).toContain('<Code>InvalidAction</Code>');
      expect(calls.map((call) => call.operation)).toEqual(['ListQueues']);
      expect(crashed.statusCode).toBe(500);
      expect(crashed.body).toContain('<Type>Receiver</Type><Code>InternalError</Code>');
      expect(crashes).toEqual(['ListQueues']);
    });

    it('keeps the code of a service error that has no query-specific name', async () => {
      // Prepare
      const { sqs } = recordingSqs(() => {
        throw new AwsServiceError('com.amazonaws.sqs#InvalidParameterValue', 'bad value');
      });
      const service = new SqsQueryService({ sqs });
      // Act
      const answer = await service.handleQuery(new URLSearchParams({ Action: 'ListQueues' }));
      // Assess
      expect(answer.statusCode).toBe(400);
      expect(answer.body).toContain('<Code>InvalidParameterValue</Code><Message>bad value</Message>');
    });
  });
});
