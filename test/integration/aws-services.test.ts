import { createHash, randomUUID } from 'node:crypto';
import * as sdkKms from '@aws-sdk/client-kms';
import * as sdkSecrets from '@aws-sdk/client-secrets-manager';
import * as sdkSfn from '@aws-sdk/client-sfn';
import * as sdkSqs from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand } from '../../core/aws/eventbridge';
import { DecryptCommand, EncryptCommand, InvalidCiphertextException, KMSClient } from '../../core/aws/kms';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsProvider,
} from '../../core/aws/secrets-manager';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '../../core/aws/sfn';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '../../core/aws/sqs';
import { ENV_KEYS } from '../../core/config/env';
import { clientConfig, sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

// The lean clients (core/aws) against the local runtime's emulators, every command paysaga's functions,
// core and payctl send, each answer compared with what the AWS SDK v3 client answers for the same call.

let runtime: TestRuntime;
let sdk: ReturnType<typeof sdkClients>;
let sqs: SQSClient;
let sfn: SFNClient;
let events: EventBridgeClient;
let kms: KMSClient;
let secrets: SecretsManagerClient;
let sdkKmsClient: sdkKms.KMSClient;

beforeAll(async () => {
  runtime = await startTestRuntime({ intake: false });
  sdk = sdkClients(runtime);
  const config = clientConfig(runtime);
  sqs = new SQSClient(config);
  sfn = new SFNClient(config);
  events = new EventBridgeClient(config);
  kms = new KMSClient(config);
  secrets = new SecretsManagerClient(config);
  sdkKmsClient = new sdkKms.KMSClient(config);
});
afterAll(async () => {
  await runtime?.dispose();
});

const withoutMetadata = (output: object) => {
  const { $metadata: _m, ...rest } = output as Record<string, unknown>;
  return rest;
};
const failure = (promise: Promise<unknown>) => promise.then(() => undefined).catch((error: unknown) => error);

describe('SQSClient against fauxqs', () => {
  /** A queue of the test's own (the runtime's queues have consumers). */
  const ownQueue = async () => {
    const QueueName = `lean-${randomUUID().slice(0, 8)}`;
    await sdk.sqs.send(new sdkSqs.CreateQueueCommand({ QueueName }));
    return (await sqs.send(new GetQueueUrlCommand({ QueueName }))).QueueUrl as string;
  };

  it('sends, sends a batch, receives (MD5 checked) and deletes as the SDK does', async () => {
    // Prepare
    const QueueUrl = await ownQueue();
    const body = `{"id":"${randomUUID()}","text":"héllo"}`;
    // Act
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: body,
        MessageAttributes: { paymentId: { DataType: 'String', StringValue: 'pay-1' } },
      }),
    );
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: `${body}-a` },
          { Id: 'b', MessageBody: `${body}-b` },
        ],
      }),
    );
    const messages: sdkSqs.Message[] = [];
    await waitFor('the three messages', async () => {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
      );
      messages.push(...(received.Messages ?? []));
      return messages.length >= 3 ? true : undefined;
    });
    for (const message of messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
    const left = await sdk.sqs.send(
      new sdkSqs.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    // Assess
    expect(sent.MessageId).toMatch(/\S/);
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update(body).digest('hex'));
    expect(batch.Successful?.map((entry) => entry.Id).sort()).toEqual(['a', 'b']);
    expect(batch.Failed ?? []).toEqual([]);
    expect(messages.map((message) => message.Body).sort()).toEqual([body, `${body}-a`, `${body}-b`]);
    const first = messages.find((message) => message.Body === body);
    expect(first?.MessageAttributes?.paymentId?.StringValue).toBe('pay-1');
    expect(left.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('answers queue attributes as the SDK does', async () => {
    // Prepare
    const QueueUrl = await ownQueue();
    const input = {
      QueueUrl,
      AttributeNames: ['QueueArn', 'VisibilityTimeout'] as sdkSqs.QueueAttributeName[],
    };
    // Act
    const lean = await sqs.send(new GetQueueAttributesCommand(input));
    const reference = await sdk.sqs.send(new sdkSqs.GetQueueAttributesCommand(input));
    // Assess
    expect(lean).toEqual(withoutMetadata(reference));
  });

  it('names a missing queue QueueDoesNotExist, an instance of its class, as the SDK names it', async () => {
    // Prepare
    const QueueUrl = `${runtime.endpoint}/000000000000/missing-${randomUUID().slice(0, 8)}`;
    const input = { QueueUrl, MessageBody: 'x' };
    // Act
    const lean = (await failure(sqs.send(new SendMessageCommand(input)))) as Error;
    const reference = (await failure(sdk.sqs.send(new sdkSqs.SendMessageCommand(input)))) as Error;
    const byName = (await failure(
      sqs.send(new GetQueueUrlCommand({ QueueName: `missing-${randomUUID()}` })),
    )) as Error;
    // Assess
    expect(reference.name).toBe('QueueDoesNotExist');
    expect(lean).toBeInstanceOf(QueueDoesNotExist);
    expect(lean.name).toBe(reference.name);
    expect(byName).toBeInstanceOf(QueueDoesNotExist);
  });
});

describe('EventBridgeClient against the local bus', () => {
  it('puts events (Time as a Date) and answers their ids as the SDK does', async () => {
    // Prepare
    const entry = {
      EventBusName: runtime.names.eventBus,
      Source: 'paysaga.test',
      DetailType: `LeanClientTest-${randomUUID().slice(0, 8)}`,
      Detail: JSON.stringify({ hello: 'wörld' }),
      Time: new Date('2026-12-05T04:00:00.000Z'),
    };
    // Act
    const lean = await events.send(new PutEventsCommand({ Entries: [entry, { ...entry, Detail: '{}' }] }));
    // Assess
    expect(lean.FailedEntryCount).toBe(0);
    expect(lean.Entries).toHaveLength(2);
    expect(lean.Entries?.every((answer) => typeof answer.EventId === 'string')).toBe(true);
  });
});

describe('SFNClient against the local Step Functions', () => {
  const arnOf = (name: string) =>
    `arn:aws:states:${runtime.region}:000000000000:execution:${runtime.names.stateMachine}:${name}`;
  const machineArn = () =>
    `arn:aws:states:${runtime.region}:000000000000:stateMachine:${runtime.names.stateMachine}`;

  it('starts, describes, lists and reads the history of an execution with Dates where the SDK has them', async () => {
    // Prepare
    const name = `lean-${randomUUID()}`;
    // Act
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn(), name, input: '{"payment":{}}' }),
    );
    const described = await waitFor('the execution to end', async () => {
      const answer = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      return answer.status === 'RUNNING' ? undefined : answer;
    });
    const reference = await sdk.sfn.send(new sdkSfn.DescribeExecutionCommand({ executionArn: arnOf(name) }));
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arnOf(name) }));
    const referenceHistory = await sdk.sfn.send(
      new sdkSfn.GetExecutionHistoryCommand({ executionArn: arnOf(name) }),
    );
    const listed = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn(), maxResults: 1000 }),
    );
    const referenceListed = await sdk.sfn.send(
      new sdkSfn.ListExecutionsCommand({ stateMachineArn: machineArn(), maxResults: 1000 }),
    );
    // Assess
    expect(started.executionArn).toBe(arnOf(name));
    expect(started.startDate).toBeInstanceOf(Date);
    expect(described.startDate).toBeInstanceOf(Date);
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(described).toEqual(withoutMetadata(reference));
    expect(history.events?.length).toBeGreaterThan(1);
    expect(history.events?.[0]?.timestamp).toBeInstanceOf(Date);
    expect(history).toEqual(withoutMetadata(referenceHistory));
    const item = listed.executions?.find((execution) => execution.name === name);
    expect(item?.startDate).toBeInstanceOf(Date);
    expect(item).toEqual(referenceListed.executions?.find((execution) => execution.name === name));
  });

  it('throws ExecutionAlreadyExists and ExecutionDoesNotExist as instances of their classes', async () => {
    // Prepare
    const name = `lean-${randomUUID()}`;
    await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn(), name, input: '{"payment":{}}' }),
    );
    // Act
    const again = (await failure(
      sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn(), name, input: '{"other":1}' })),
    )) as Error;
    const missing = (await failure(
      sfn.send(new DescribeExecutionCommand({ executionArn: arnOf(`missing-${randomUUID()}`) })),
    )) as Error;
    // Assess
    expect(again).toBeInstanceOf(ExecutionAlreadyExists);
    expect(again.name).toBe('ExecutionAlreadyExists');
    expect(missing).toBeInstanceOf(ExecutionDoesNotExist);
    expect(missing.name).toBe('ExecutionDoesNotExist');
  });
});

describe('KMSClient against the local KMS', () => {
  it('encrypts and decrypts Uint8Arrays, interchangeably with the SDK', async () => {
    // Prepare
    const KeyId = runtime.env[ENV_KEYS.webhookKeyId];
    const plain = new TextEncoder().encode(`whsec_${randomUUID()}`);
    const context = { purpose: 'lean-test' };
    // Act
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId, Plaintext: plain, EncryptionContext: context }),
    );
    const bySdk = await sdkKmsClient.send(
      new sdkKms.DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context }),
    );
    const sdkEncrypted = await sdkKmsClient.send(
      new sdkKms.EncryptCommand({ KeyId, Plaintext: plain, EncryptionContext: context }),
    );
    const byLean = await kms.send(
      new DecryptCommand({ CiphertextBlob: sdkEncrypted.CiphertextBlob, EncryptionContext: context }),
    );
    const wrong = await failure(
      kms.send(new DecryptCommand({ CiphertextBlob: new Uint8Array([1, 2, 3]), EncryptionContext: context })),
    );
    // Assess
    expect(encrypted.CiphertextBlob).toBeInstanceOf(Uint8Array);
    expect(bySdk.Plaintext).toEqual(plain);
    expect(byLean.Plaintext).toBeInstanceOf(Uint8Array);
    expect(byLean.Plaintext).toEqual(plain);
    expect(wrong).toBeInstanceOf(InvalidCiphertextException);
  });
});

describe('SecretsManagerClient and SecretsProvider against the local Secrets Manager', () => {
  it('reads a secret as the SDK does and names a missing one ResourceNotFoundException', async () => {
    // Prepare
    const SecretId = runtime.names.gatewaySecret;
    // Act
    const lean = await secrets.send(new GetSecretValueCommand({ SecretId }));
    const reference = await sdk.secrets.send(new sdkSecrets.GetSecretValueCommand({ SecretId }));
    const missing = await failure(
      secrets.send(new GetSecretValueCommand({ SecretId: `missing/${randomUUID()}` })),
    );
    // Assess
    expect(lean.CreatedDate).toBeInstanceOf(Date);
    expect(lean).toEqual(withoutMetadata(reference));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('serves a read secret from its cache for maxAge seconds, and again from the service when forced', async () => {
    // Prepare
    const SecretId = runtime.names.gatewaySecret;
    const counted = new SecretsManagerClient(clientConfig(runtime));
    let calls = 0;
    counted.middlewareStack.add((next) => async (args) => {
      calls += 1;
      return next(args);
    });
    const provider = new SecretsProvider({ awsSdkV3Client: counted });
    // Act
    const first = await provider.get(SecretId, { transform: 'json', maxAge: 60 });
    const second = await provider.get(SecretId, { transform: 'json', maxAge: 60 });
    const callsCached = calls;
    const forced = await provider.get(SecretId, { transform: 'json', maxAge: 60, forceFetch: true });
    // Assess
    expect((first as { apiKey: string }).apiKey).toMatch(/^sk_test_/);
    expect(second).toEqual(first);
    expect(callsCached).toBe(1);
    expect(forced).toEqual(first);
    expect(calls).toBe(2);
  });
});
