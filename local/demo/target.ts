import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDocumentClient } from '../../core/aws/dynamodb';
import { QUEUE_KEYS, type QueueKey, type ResourceNames, resourceNames } from '../../core/config/names';
import { SandboxAdminClient } from '../sandbox-gateway/admin-client';

/** Everything the demo talks to: AWS SDK clients on the runtime's endpoint and the sandbox's admin routes. */
export interface DemoTarget {
  readonly endpoint: string;
  readonly names: ResourceNames;
  readonly stateMachineArn: string;
  readonly queueUrls: Readonly<Record<QueueKey, string>>;
  readonly clients: {
    readonly events: EventBridgeClient;
    readonly sfn: SFNClient;
    readonly sqs: SQSClient;
    readonly documents: DynamoDocumentClient;
  };
  readonly gateway: SandboxAdminClient;
}

export class DemoTargetError extends Error {
  override readonly name = 'DemoTargetError';
}

/**
 * Finds paysaga's resources behind an endpoint through the AWS APIs only (as
 * any producer would): the state machine, the queue URLs, and the sandbox
 * gateway's address from the gateway secret.
 */
export async function connectTarget(endpoint: string, region: string, stage = 'local'): Promise<DemoTarget> {
  const config = {
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  };
  const names = resourceNames(stage);
  const sfn = new SFNClient(config);
  const sqs = new SQSClient(config);
  const secrets = new SecretsManagerClient(config);
  const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({})).catch((error: unknown) => {
    throw new DemoTargetError(
      `no paysaga runtime answers at ${endpoint} (${String(error)}); start one with \`npm start\` or run the demo without --endpoint`,
    );
  });
  const machine = stateMachines.find((m) => m.name === names.stateMachine);
  if (!machine?.stateMachineArn) {
    throw new DemoTargetError(
      `${endpoint} has no state machine ${names.stateMachine}: is it paysaga, stage ${stage}? (--stage)`,
    );
  }
  const queueUrls = {} as Record<QueueKey, string>;
  for (const key of QUEUE_KEYS) {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: names.queues[key] }));
    if (!QueueUrl) throw new DemoTargetError(`queue ${names.queues[key]} has no URL at ${endpoint}`);
    queueUrls[key] = QueueUrl;
  }
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: names.gatewaySecret }));
  const apiBase = (JSON.parse(secret.SecretString ?? '{}') as { apiBase?: string }).apiBase;
  if (!apiBase) {
    throw new DemoTargetError(
      `the gateway secret ${names.gatewaySecret} names no sandbox (apiBase): the demo checks charges at the sandbox gateway; start the runtime with its sandbox`,
    );
  }
  return {
    endpoint,
    names,
    stateMachineArn: machine.stateMachineArn,
    queueUrls,
    clients: {
      events: new EventBridgeClient(config),
      sfn,
      sqs,
      documents: new DynamoDocumentClient({ ...config, marshallOptions: { removeUndefinedValues: true } }),
    },
    gateway: new SandboxAdminClient(apiBase),
  };
}
