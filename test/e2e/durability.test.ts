import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  ChangeMessageVisibilityCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '../../core/aws/dynamodb';
import { sdkClients, startTestRuntime, type TestRuntime, tempDataDir, waitFor } from '../helpers/runtime';
import { removeDir } from '../helpers/temp-dirs';

const dataDir = tempDataDir('paysaga-durability');
const running: TestRuntime[] = [];

afterAll(async () => {
  try {
    for (const runtime of running) await runtime.stop();
  } finally {
    removeDir(dataDir); // even when a stop failed: a data dir here can reach gigabytes
  }
});

async function start(): Promise<TestRuntime> {
  const runtime = await startTestRuntime({ dataDir, keepDataDir: true, intake: false, sandbox: false });
  running.push(runtime);
  return runtime;
}

describe('SQS with persistence', () => {
  it('makes a message visible again at once on ChangeMessageVisibility 0, keeping its receive count', async () => {
    // Prepare
    const runtime = await start();
    const clients = sdkClients(runtime);
    const QueueUrl = runtime.internals.sqs.queueUrl(runtime.names.queues.compensationDlq);
    const body = `cmv-${randomUUID()}`;
    await clients.sqs.send(
      new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: '1', MessageBody: body }] }),
    );
    const receive = async () =>
      (
        await clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: 10,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
        )
      ).Messages?.find((m) => m.Body === body);
    const first = await receive();
    // Act
    await clients.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: first?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await receive();
    await runtime.stop();
    running.pop();
    // Assess
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2');
  });
});

describe('runtime durability across a restart', () => {
  it('keeps queues, in-flight messages, move tasks, tables and secrets under the data dir', async () => {
    // Prepare
    const first = await start();
    const c1 = sdkClients(first);
    const marker = randomUUID();
    const { names } = first;
    const dlqUrl = first.internals.sqs.queueUrl(names.queues.intakeDlq);
    const notificationDlqUrl = first.internals.sqs.queueUrl(names.queues.notificationDlq);
    await c1.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: ['a', 'b', 'c'].map((id) => ({ Id: id, MessageBody: `${marker}-${id}` })),
      }),
    );
    const inFlight = (await c1.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl }))).Messages?.[0];
    await c1.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: dlqUrl,
        ReceiptHandle: inFlight?.ReceiptHandle,
        VisibilityTimeout: 1,
      }),
    );
    await c1.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: notificationDlqUrl,
        Entries: Array.from({ length: 4 }, (_, i) => ({ Id: String(i), MessageBody: `${marker}-n${i}` })),
      }),
    );
    const notificationDlqArn = first.internals.sqs.queueArn(names.queues.notificationDlq);
    await c1.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: notificationDlqArn, MaxNumberOfMessagesPerSecond: 1 }),
    );
    await c1.documents.send(
      new PutCommand({ TableName: names.tables.payments, Item: { pk: `PAY#${marker}`, sk: 'STATE', v: 1 } }),
    );
    await c1.secrets.send(new CreateSecretCommand({ Name: `e2e/${marker}`, SecretString: marker }));
    // Act
    await first.stop();
    running.pop();
    const second = await start();
    const c2 = sdkClients(second);
    // Assess
    const { QueueUrl } = await c2.sqs.send(new GetQueueUrlCommand({ QueueName: names.queues.intakeDlq }));
    expect(QueueUrl?.startsWith(second.endpoint)).toBe(true);
    const bodies = await waitFor('the in-flight message to be visible again', async () => {
      const { Messages = [] } = await c2.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      const found = Messages.filter((m) => m.Body?.startsWith(marker));
      return found.length === 3 ? found : undefined;
    });
    expect(bodies.map((m) => m.Body).sort()).toEqual(['a', 'b', 'c'].map((id) => `${marker}-${id}`));
    expect(bodies.find((m) => m.Body === inFlight?.Body)?.Attributes?.ApproximateReceiveCount).toBe('2');
    const task = await waitFor('the resumed move task to complete', async () => {
      const { Results = [] } = await c2.sqs.send(
        new ListMessageMoveTasksCommand({ SourceArn: notificationDlqArn }),
      );
      return Results[0]?.Status === 'COMPLETED' ? Results[0] : undefined;
    });
    expect(task.ApproximateNumberOfMessagesMoved).toBe(4);
    const item = await c2.documents.send(
      new GetCommand({ TableName: names.tables.payments, Key: { pk: `PAY#${marker}`, sk: 'STATE' } }),
    );
    expect(item.Item?.v).toBe(1);
    const secret = await c2.secrets.send(new GetSecretValueCommand({ SecretId: `e2e/${marker}` }));
    expect(secret.SecretString).toBe(marker);
  });
});
