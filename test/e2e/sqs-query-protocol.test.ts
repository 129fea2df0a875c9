import { createHash, randomUUID } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClients, startTestRuntime, type TestRuntime } from '../helpers/runtime';

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  runtime = await startTestRuntime({ intake: false });
  clients = sdkClients(runtime);
});
afterAll(async () => {
  await runtime?.dispose();
});

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** A query-protocol request as botocore sends it: form-encoded, SigV4 scope naming sqs. */
async function query(
  params: Record<string, string>,
  service = 'sqs',
): Promise<{ status: number; type: string; xml: string }> {
  const response = await fetch(runtime.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `AWS4-HMAC-SHA256 Credential=local/20261204/${runtime.region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    xml: await response.text(),
  };
}

/** The text of every `<name>` element, in order (the answers here nest no element in a same-named one). */
function texts(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((match) =>
    (match[1] ?? '')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replaceAll('&apos;', "'")
      .replaceAll('&#xD;', '\r')
      .replaceAll('&amp;', '&'),
  );
}

describe('SQS query protocol through the edge', () => {
  it('lists the queues in an XML ListQueuesResponse', async () => {
    // Act
    const { status, type, xml } = await query({ Action: 'ListQueues' });
    // Assess
    expect(status).toBe(200);
    expect(type).toBe('text/xml');
    expect(xml).toMatch(
      /^<\?xml version="1.0"\?><ListQueuesResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><ListQueuesResult>/,
    );
    expect(texts(xml, 'QueueUrl')).toContain(runtime.internals.sqs.queueUrl(runtime.names.queues.intake));
    expect(texts(xml, 'RequestId')).toHaveLength(1);
  });

  it('sends, receives and deletes a message with attributes; the JSON protocol sees the same queue', async () => {
    // Prepare
    const name = `query-${randomUUID().slice(0, 8)}`;
    const body = `pay ${randomUUID()} <&> "é"\r\n🎉`;
    const created = await query({
      Action: 'CreateQueue',
      QueueName: name,
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '45',
    });
    const [queueUrl = ''] = texts(created.xml, 'QueueUrl');
    // Act
    const sent = await query({
      Action: 'SendMessage',
      QueueUrl: queueUrl,
      MessageBody: body,
      'MessageAttribute.1.Name': 'kind',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'query',
    });
    const received = await query({
      Action: 'ReceiveMessage',
      QueueUrl: queueUrl,
      'AttributeName.1': 'All',
      'MessageAttributeName.1': 'All',
      WaitTimeSeconds: '1',
    });
    const [receiptHandle = ''] = texts(received.xml, 'ReceiptHandle');
    const deleted = await query({
      Action: 'DeleteMessage',
      QueueUrl: queueUrl,
      ReceiptHandle: receiptHandle,
    });
    const attributes = await query({
      Action: 'GetQueueAttributes',
      QueueUrl: queueUrl,
      'AttributeName.1': 'All',
    });
    const viaJson = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
    const leftViaJson = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    // Assess
    expect(sent.status).toBe(200);
    expect(texts(sent.xml, 'MD5OfMessageBody')).toEqual([md5(body)]);
    expect(texts(received.xml, 'Body')).toEqual([body]);
    expect(texts(received.xml, 'MD5OfBody')).toEqual([md5(body)]);
    expect(texts(received.xml, 'MessageId')).toEqual(texts(sent.xml, 'MessageId'));
    expect(received.xml).toContain(
      '<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>',
    );
    expect(received.xml).toContain(
      '<MessageAttribute><Name>kind</Name><Value><StringValue>query</StringValue><DataType>String</DataType></Value></MessageAttribute>',
    );
    expect(deleted.xml).toMatch(/^<\?xml version="1.0"\?><DeleteMessageResponse [^>]*><ResponseMetadata>/);
    expect(attributes.xml).toContain(
      '<Attribute><Name>VisibilityTimeout</Name><Value>45</Value></Attribute>',
    );
    expect(attributes.xml).toContain(
      '<Attribute><Name>ApproximateNumberOfMessages</Name><Value>0</Value></Attribute>',
    );
    expect(viaJson.QueueUrl).toBe(queueUrl);
    expect(leftViaJson.Messages ?? []).toEqual([]);
  });

  it('answers a batch with one entry per outcome and a missing queue with the ErrorResponse AWS sends', async () => {
    // Prepare
    const created = await query({ Action: 'CreateQueue', QueueName: `query-${randomUUID().slice(0, 8)}` });
    const [queueUrl = ''] = texts(created.xml, 'QueueUrl');
    // Act
    const batch = await query({
      Action: 'SendMessageBatch',
      QueueUrl: queueUrl,
      'SendMessageBatchRequestEntry.1.Id': 'first',
      'SendMessageBatchRequestEntry.1.MessageBody': 'one',
      'SendMessageBatchRequestEntry.2.Id': 'second',
      'SendMessageBatchRequestEntry.2.MessageBody': 'two',
    });
    const missing = await query({ Action: 'GetQueueUrl', QueueName: `absent-${randomUUID()}` });
    const unknown = await query({ Action: 'AddPermission', QueueUrl: queueUrl });
    // Assess
    expect(batch.status).toBe(200);
    expect(texts(batch.xml, 'Id')).toEqual(['first', 'second']);
    expect(batch.xml.match(/<SendMessageBatchResultEntry>/g)).toHaveLength(2);
    expect(texts(batch.xml, 'MD5OfMessageBody')).toEqual([md5('one'), md5('two')]);
    expect(missing.status).toBe(400);
    expect(missing.xml).toMatch(
      /^<\?xml version="1.0"\?><ErrorResponse [^>]*><Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code><Message>[^<]+<\/Message><Detail\/><\/Error><RequestId>[^<]+<\/RequestId><\/ErrorResponse>$/,
    );
    expect(unknown.status).toBe(400);
    expect(texts(unknown.xml, 'Code')).toEqual(['InvalidAction']);
  });

  it('answers a query action of a service it does not serve (STS) in the query error shape, not JSON', async () => {
    // Act
    const { status, type, xml } = await query({ Action: 'GetCallerIdentity', Version: '2011-06-15' }, 'sts');
    // Assess
    expect(status).toBe(400);
    expect(type).toBe('text/xml');
    expect(xml).toMatch(
      /^<\?xml version="1.0"\?><ErrorResponse><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/,
    );
    expect(texts(xml, 'Message')[0]).toContain('serves no sts query-protocol action GetCallerIdentity');
  });
});
