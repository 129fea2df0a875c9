import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutRuleCommand } from '@aws-sdk/client-eventbridge';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_KEYS, QUEUES, redrivePolicy } from '../../core/config/names';
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

async function createQueue(attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: `t-${randomUUID().slice(0, 8)}`, Attributes: attributes }),
  );
  if (!QueueUrl) throw new Error('no queue url');
  return QueueUrl;
}

describe('edge endpoint', () => {
  it('answers an unknown operation with an AWS-shaped error the SDK turns into an exception', async () => {
    // Prepare
    const command = new PutRuleCommand({ Name: 'x', EventPattern: '{}' });
    // Act
    const error = (await clients.events.send(command).catch((e: unknown) => e)) as Error & {
      $metadata: { httpStatusCode: number };
    };
    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('UnknownOperationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('answers a body that is not JSON with SerializationException and a target it does not serve with UnknownOperationException', async () => {
    // Prepare
    const post = (target: string, body: string) =>
      fetch(runtime.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        body,
      });
    // Act
    const malformed = await post('AWSEvents.PutEvents', '{not json');
    const unknown = await post('AmazonKinesis.PutRecord', '{}');
    // Assess
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});

describe('DynamoDB through the edge (dynalite)', () => {
  it('creates the tables from core/dynamo/tables.ts and honours conditional writes', async () => {
    // Prepare
    const item = { pk: `WALLET#${randomUUID()}`, sk: 'STATE', balance: 100 };
    const TableName = runtime.names.tables.ledger;
    // Act
    await clients.sdkDocuments.send(
      new PutCommand({ TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    const again = await clients.sdkDocuments
      .send(new PutCommand({ TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }))
      .catch((error: unknown) => error);
    const read = await clients.sdkDocuments.send(
      new GetCommand({ TableName, Key: { pk: item.pk, sk: 'STATE' } }),
    );
    // Assess
    expect(again).toBeInstanceOf(ConditionalCheckFailedException);
    expect(read.Item).toEqual(item);
  });
});

describe('Secrets Manager through the edge', () => {
  it('holds the sandbox gateway secret put at start', async () => {
    // Act
    const secret = await clients.secrets.send(
      new GetSecretValueCommand({ SecretId: runtime.names.gatewaySecret }),
    );
    // Assess
    const value = JSON.parse(secret.SecretString ?? '{}') as { apiKey?: string; apiBase?: string };
    expect(value.apiKey).toMatch(/^sk_test_/);
    expect(value.apiBase).toBe(runtime.sandbox?.url);
    expect(secret.VersionStages).toEqual(['AWSCURRENT']);
  });

  it('serves a new version after PutSecretValue, by name and by ARN, and refuses unknown secrets', async () => {
    // Prepare
    const SecretId = runtime.names.gatewaySecret;
    const before = await clients.secrets.send(new GetSecretValueCommand({ SecretId }));
    const value = JSON.stringify({
      apiKey: `sk_test_${randomUUID().slice(0, 8)}`,
      apiBase: before.SecretString,
    });
    // Act
    const put = await clients.secrets.send(new PutSecretValueCommand({ SecretId, SecretString: value }));
    const byArn = await clients.secrets.send(new GetSecretValueCommand({ SecretId: before.ARN }));
    const previous = await clients.secrets.send(
      new GetSecretValueCommand({ SecretId, VersionStage: 'AWSPREVIOUS' }),
    );
    const missing = await clients.secrets
      .send(new GetSecretValueCommand({ SecretId: `nope/${randomUUID()}` }))
      .catch((error: unknown) => error);
    // Assess
    expect(byArn.SecretString).toBe(value);
    expect(byArn.VersionId).toBe(put.VersionId);
    expect(previous.VersionId).toBe(before.VersionId);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    // Restore the gateway secret for other tests in this file.
    await clients.secrets.send(new PutSecretValueCommand({ SecretId, SecretString: before.SecretString }));
  });
});

describe('SQS through the edge (fauxqs)', () => {
  it('creates every queue of names.ts with its redrive policy', async () => {
    // Act
    const { QueueUrls = [] } = await clients.sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: 'paysaga-local-' }),
    );
    const intakeUrl = runtime.internals.sqs.queueUrl(runtime.names.queues.intake);
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: intakeUrl, AttributeNames: ['All'] }),
    );
    // Assess
    expect(QueueUrls.map((url) => url.split('/').pop()).sort()).toEqual(
      QUEUE_KEYS.map((key) => runtime.names.queues[key]).sort(),
    );
    expect(QueueUrls.every((url) => url.startsWith(runtime.endpoint))).toBe(true);
    expect(Attributes?.RedrivePolicy).toBe(
      redrivePolicy('intake', runtime.internals.sqs.queueArn(runtime.names.queues.intakeDlq)),
    );
    expect(Attributes?.VisibilityTimeout).toBe(String(QUEUES.intake.visibilityTimeoutSeconds));
  });

  it('sends and receives batches with attributes, and deletes in batches', async () => {
    // Prepare
    const QueueUrl = await createQueue();
    // Act
    const sent = await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          {
            Id: 'a',
            MessageBody: 'one',
            MessageAttributes: { kind: { DataType: 'String', StringValue: 'k1' } },
          },
          { Id: 'b', MessageBody: 'two' },
        ],
      }),
    );
    const received = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    const messages = received.Messages ?? [];
    await clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    // Assess
    expect(sent.Successful).toHaveLength(2);
    expect(messages.map((m) => m.Body).sort()).toEqual(['one', 'two']);
    expect(messages.find((m) => m.Body === 'one')?.MessageAttributes?.kind?.StringValue).toBe('k1');
    expect(messages[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('long-polls until a message arrives', async () => {
    // Prepare
    const QueueUrl = await createQueue();
    const started = Date.now();
    // Act
    const receive = clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    setTimeout(() => void clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'late' })), 300);
    const { Messages = [] } = await receive;
    // Assess
    expect(Messages[0]?.Body).toBe('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('redelivers after the visibility timeout with a growing receive count, then moves to the DLQ after maxReceiveCount', async () => {
    // Prepare
    const dlqUrl = await createQueue();
    const dlqArn = `arn:aws:sqs:${runtime.region}:000000000000:${dlqUrl.split('/').pop()}`;
    const QueueUrl = await createQueue({
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    await clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
    const receive = () =>
      clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
      );
    // Act
    const first = (await receive()).Messages?.[0];
    await clients.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: first?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const second = (await receive()).Messages?.[0];
    await clients.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: second?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const third = (await receive()).Messages;
    const inDlq = (await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl }))).Messages ?? [];
    // Assess
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(third).toBeUndefined();
    expect(inDlq.map((m) => m.Body)).toEqual(['poison']);
  });

  it('purges a queue and names a missing queue QueueDoesNotExist', async () => {
    // Prepare
    const QueueUrl = await createQueue();
    await clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    // Act
    await clients.sqs.send(new PurgeQueueCommand({ QueueUrl }));
    const after = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const missing = await clients.sqs
      .send(new GetQueueUrlCommand({ QueueName: `missing-${randomUUID().slice(0, 8)}` }))
      .catch((error: unknown) => error);
    // Assess
    expect(after.Messages).toBeUndefined();
    expect(missing).toBeInstanceOf(QueueDoesNotExist);
  });
});
