import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../core/config/env';
import { DETAIL_TYPES } from '../../events/envelope';
import {
  type AwsCliSession,
  awsClientEnv,
  awsCliProcess,
  DEBIAN_PYTHON,
  requireDebianAwsClients,
  startAwsCliSession,
} from '../helpers/aws-cli';
import { createPkSkTable } from '../helpers/dynamo-tables';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

/**
 * AWS clients nobody here wrote, against the local runtime as `npm start` serves it:
 * Debian's AWS CLI (2.9) and boto3 (1.26), which speak SQS's query protocol.
 * The CLI's commands run in one session of Debian's CLI driver (see test/helpers/aws-cli.ts),
 * and once as the `/usr/bin/aws` process itself; boto3 runs alongside in a process of its own.
 */

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let aws: AwsCliSession;
let stateMachineArn: string;
let intakeQueueUrl: string;

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

async function createSmallTable(name: string): Promise<void> {
  await createPkSkTable(clients.dynamodb, name);
  for (const sk of ['a', 'b'])
    await clients.sdkDocuments.send(
      new PutCommand({ TableName: name, Item: { pk: 'p', sk, note: `row ${sk}` } }),
    );
}

async function startProbeExecution(): Promise<string> {
  const { executionArn } = await clients.sfn.send(
    new StartExecutionCommand({ stateMachineArn, name: `cli-${randomUUID()}`, input: '{}' }),
  );
  if (!executionArn) throw new Error('no execution arn');
  return executionArn;
}

beforeAll(async () => {
  await requireDebianAwsClients();
  // No intake poller: an event the CLI puts stays in the intake queue for the test to find.
  runtime = await startTestRuntime({ intake: false });
  clients = sdkClients(runtime);
  aws = startAwsCliSession(runtime);
  stateMachineArn = runtime.env[ENV_KEYS.stateMachineArn] ?? '';
  intakeQueueUrl = runtime.internals.sqs.queueUrl(runtime.names.queues.intake);
});
afterAll(async () => {
  await aws?.close();
  await runtime?.dispose();
});

describe.concurrent('Debian AWS CLI against the local runtime', () => {
  it('SQS: lists the queues, round-trips a message with its MD5 and attributes, deletes it', async () => {
    // Prepare
    const body = `payment ${randomUUID()} — <&> "ünïcode" 🎉`;
    const { QueueUrl } = await aws.run<{ QueueUrl: string }>(
      'sqs',
      'create-queue',
      '--queue-name',
      `cli-${randomUUID().slice(0, 8)}`,
    );
    // Act
    const listed = await awsCliProcess<{ QueueUrls: string[] }>(runtime, 'sqs', 'list-queues');
    const sent = await aws.run<{ MD5OfMessageBody: string; MessageId: string }>(
      'sqs',
      'send-message',
      '--queue-url',
      QueueUrl,
      '--message-body',
      body,
      '--message-attributes',
      JSON.stringify({ kind: { DataType: 'String', StringValue: 'cli' } }),
    );
    const { Messages } = await aws.run<{
      Messages: Array<{
        Body: string;
        MD5OfBody: string;
        MessageId: string;
        ReceiptHandle: string;
        Attributes: Record<string, string>;
        MessageAttributes: Record<string, { StringValue: string }>;
      }>;
    }>(
      'sqs',
      'receive-message',
      '--queue-url',
      QueueUrl,
      '--attribute-names',
      'All',
      '--message-attribute-names',
      'All',
      '--wait-time-seconds',
      '1',
    );
    const received = Messages[0];
    await aws.run(
      'sqs',
      'delete-message',
      '--queue-url',
      QueueUrl,
      '--receipt-handle',
      received?.ReceiptHandle ?? '',
    );
    const { Attributes } = await aws.run<{ Attributes: Record<string, string> }>(
      'sqs',
      'get-queue-attributes',
      '--queue-url',
      QueueUrl,
      '--attribute-names',
      'All',
    );
    // Assess
    expect(listed.QueueUrls).toContain(intakeQueueUrl);
    expect(listed.QueueUrls).toContain(QueueUrl);
    expect(sent.MD5OfMessageBody).toBe(md5(body));
    expect(Messages).toHaveLength(1);
    expect(received).toMatchObject({ Body: body, MD5OfBody: md5(body), MessageId: sent.MessageId });
    expect(received?.Attributes.ApproximateReceiveCount).toBe('1');
    expect(received?.MessageAttributes.kind?.StringValue).toBe('cli');
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('Step Functions: lists the saga state machine and its executions', async () => {
    // Prepare
    const executionArn = await startProbeExecution();
    // Act
    const machines = await aws.run<{ stateMachines: Array<{ stateMachineArn: string; name: string }> }>(
      'stepfunctions',
      'list-state-machines',
    );
    const executions = await aws.run<{ executions: Array<{ executionArn: string }> }>(
      'stepfunctions',
      'list-executions',
      '--state-machine-arn',
      stateMachineArn,
    );
    // Assess
    expect(machines.stateMachines).toContainEqual(
      expect.objectContaining({ stateMachineArn, name: runtime.names.stateMachine }),
    );
    expect(executions.executions.map((execution) => execution.executionArn)).toContain(executionArn);
  });

  it('EventBridge: lists the buses and puts an event the intake rule delivers', async () => {
    // Prepare
    const probe = randomUUID();
    const entry = {
      EventBusName: runtime.names.eventBus,
      Source: 'test.awscli',
      DetailType: DETAIL_TYPES.paymentRequested,
      Detail: JSON.stringify({ probe }),
    };
    // Act
    const buses = await aws.run<{ EventBuses: Array<{ Name: string }> }>('events', 'list-event-buses');
    const put = await aws.run<{ FailedEntryCount: number; Entries: Array<{ EventId: string }> }>(
      'events',
      'put-events',
      '--entries',
      JSON.stringify([entry]),
    );
    const delivered = await waitFor('the event in the intake queue', async () => {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: intakeQueueUrl, MaxNumberOfMessages: 10 }),
      );
      const mine = Messages.find((message) => message.Body?.includes(probe));
      for (const message of Messages)
        await clients.sqs.send(
          new DeleteMessageCommand({
            QueueUrl: intakeQueueUrl,
            ReceiptHandle: message.ReceiptHandle,
          }),
        );
      return mine?.Body;
    });
    // Assess
    expect(buses.EventBuses.map((bus) => bus.Name)).toEqual(
      expect.arrayContaining(['default', runtime.names.eventBus]),
    );
    expect(put.FailedEntryCount).toBe(0);
    expect(JSON.parse(delivered)).toMatchObject({ id: put.Entries[0]?.EventId, detail: { probe } });
  });

  it('DynamoDB: lists the tables and scans a small one', async () => {
    // Prepare
    const table = `cli-${randomUUID().slice(0, 8)}`;
    await createSmallTable(table);
    // Act
    const { TableNames } = await aws.run<{ TableNames: string[] }>('dynamodb', 'list-tables');
    const scan = await aws.run<{ Count: number; Items: Array<Record<string, { S: string }>> }>(
      'dynamodb',
      'scan',
      '--table-name',
      table,
    );
    // Assess
    expect(TableNames).toEqual(expect.arrayContaining([table, ...Object.values(runtime.names.tables)]));
    expect(scan.Count).toBe(2);
    expect(scan.Items.map((item) => item.note?.S).sort()).toEqual(['row a', 'row b']);
  });

  it('Secrets Manager: lists, describes and reads the gateway secret', async () => {
    // Prepare
    const name = runtime.names.gatewaySecret;
    // Act
    const listed = await aws.run<{ SecretList: Array<{ Name: string; ARN: string }> }>(
      'secretsmanager',
      'list-secrets',
    );
    const described = await aws.run<{ Name: string; ARN: string }>(
      'secretsmanager',
      'describe-secret',
      '--secret-id',
      name,
    );
    const value = await aws.run<{ SecretString: string }>(
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      name,
    );
    // Assess
    expect(listed.SecretList.map((secret) => secret.Name)).toContain(name);
    expect(described.Name).toBe(name);
    expect(listed.SecretList.find((secret) => secret.Name === name)?.ARN).toBe(described.ARN);
    expect(JSON.parse(value.SecretString)).toMatchObject({ apiBase: runtime.sandbox?.url });
  });

  it('boto3 1.26: the same services, SQS over the query protocol', async () => {
    // Prepare
    const queueName = `boto3-${randomUUID().slice(0, 8)}`;
    const table = `boto3-${randomUUID().slice(0, 8)}`;
    await createSmallTable(table);
    const executionArn = await startProbeExecution();
    const body = `boto3 ${randomUUID()} <&> é 🎉`;
    // Act
    const { stdout } = await promisify(execFile)(
      DEBIAN_PYTHON,
      [
        join(__dirname, 'boto3-smoke.py'),
        queueName,
        table,
        runtime.names.gatewaySecret,
        stateMachineArn,
        body,
      ],
      { env: awsClientEnv(runtime), timeout: 30_000 },
    );
    const answers = JSON.parse(stdout);
    // Assess
    expect(answers.botocore).toMatch(/^1\.29\./);
    expect(answers.queueUrls).toContain(answers.queueUrl);
    expect(answers.sent.MD5OfMessageBody).toBe(answers.bodyMd5);
    expect(answers.received).toEqual([
      {
        Body: body,
        MD5OfBody: md5(body),
        MessageId: answers.sent.MessageId,
        ReceiveCount: '1',
        Kind: 'boto3',
      },
    ]);
    expect(answers.batchSuccessful).toEqual(['a', 'b']);
    expect(answers.attributes).toMatchObject({ ApproximateNumberOfMessages: '2' });
    expect(answers.missingQueueError).toBe('AWS.SimpleQueueService.NonExistentQueue');
    expect(answers.eventBuses).toContain(runtime.names.eventBus);
    expect(answers.putEvents).toBe(0);
    expect(answers.stateMachines).toContain(stateMachineArn);
    expect(answers.executions).toContain(executionArn);
    expect(answers.tables).toContain(table);
    expect(answers.scanned).toHaveLength(2);
    expect(answers.secrets).toContain(runtime.names.gatewaySecret);
    expect(answers.described).toBe(runtime.names.gatewaySecret);
    expect(JSON.parse(answers.secretString)).toMatchObject({ apiBase: runtime.sandbox?.url });
  });
});
