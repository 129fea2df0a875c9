import type { AwsAccount } from '../core/aws/arn';
import type { AwsCredentials, CredentialProvider } from '../core/aws/credentials';
import { DynamoDocumentClient } from '../core/aws/dynamodb';
import { EventBridgeClient } from '../core/aws/eventbridge';
import { S3Client } from '../core/aws/s3';
import { SecretsManagerClient } from '../core/aws/secrets-manager';
import { ListStateMachinesCommand, SFNClient } from '../core/aws/sfn';
import { GetQueueUrlCommand, QueueDoesNotExist, SQSClient } from '../core/aws/sqs';
import { stateMachineArnFor } from '../core/config/executions';
import { type QueueKey, type ResourceNames, resourceNames } from '../core/config/names';
import { CliError } from './errors';

/**
 * What the operations, finance and console data functions run on, with no
 * AWS SDK client or credential provider in it: the lean clients of core/aws,
 * the stage's resource names, lookups of queue URLs and the saga's ARN, and
 * who is acting. payctl's context (./context.ts) is one, built over the SDK's
 * credential chain (profiles, SSO); the hosted console's Lambda builds its own
 * (functions/commons/console-context.ts: credentials from the environment,
 * the account from its own ARN, the person from their token), so its bundle
 * never reaches the SDK.
 */

/** The lean AWS clients (core/aws) the data functions call. */
export interface ServiceClients {
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
  readonly eventBridge: EventBridgeClient;
  /** The lean document client core's stores take. */
  readonly doc: DynamoDocumentClient;
  readonly secrets: SecretsManagerClient;
  /** The history archive and imports (S3); path-style addressing on a custom endpoint (the local runtime). */
  readonly s3: S3Client;
}

export interface OpsContext {
  readonly stage: string;
  readonly names: ResourceNames;
  readonly clients: ServiceClients;
  /** True when talking to the local runtime rather than AWS. */
  readonly local: boolean;
  queueUrl(key: QueueKey): Promise<string>;
  stateMachineArn(): Promise<string>;
  /** Who is acting, for audit records. */
  identity(): Promise<string>;
}

export interface ServiceClientsOptions {
  /** A custom endpoint (the local runtime's edge); default AWS_ENDPOINT_URL, else AWS's. */
  readonly endpoint?: string | undefined;
  /** Default: AWS_REGION / AWS_DEFAULT_REGION. */
  readonly region?: string | (() => Promise<string>);
  /** Default: the environment's (AWS_ACCESS_KEY_ID, ...: what Lambda sets). */
  readonly credentials?: AwsCredentials | CredentialProvider;
}

export function createServiceClients(options: ServiceClientsOptions = {}): ServiceClients {
  const lean = {
    ...(options.endpoint && { endpoint: options.endpoint }),
    ...(options.region && { region: options.region }),
    ...(options.credentials && { credentials: options.credentials }),
  };
  return {
    sqs: new SQSClient(lean),
    sfn: new SFNClient(lean),
    eventBridge: new EventBridgeClient(lean),
    doc: new DynamoDocumentClient({ ...lean, marshallOptions: { removeUndefinedValues: true } }),
    secrets: new SecretsManagerClient(lean),
    s3: new S3Client(lean),
  };
}

export interface OpsContextOptions {
  readonly stage: string;
  readonly clients: ServiceClients;
  readonly local: boolean;
  /**
   * The AWS account the stage runs in and its partition (asked only on AWS, once), both read from one ARN
   * (core/aws/arn.ts): payctl's caller's from STS, the console API's own function ARN.
   */
  readonly account: () => Promise<AwsAccount>;
  readonly identity: () => Promise<string>;
}

export function createOpsContext(options: OpsContextOptions): OpsContext {
  const { stage, clients, local } = options;
  const names = resourceNames(stage);
  const queueUrls = new Map<QueueKey, Promise<string>>();
  let machineArn: Promise<string> | undefined;

  return {
    stage,
    names,
    clients,
    local,
    identity: options.identity,
    queueUrl(key) {
      let url = queueUrls.get(key);
      if (!url) {
        url = clients.sqs
          .send(new GetQueueUrlCommand({ QueueName: names.queues[key] }))
          .then((r) => r.QueueUrl ?? '')
          .catch((error: unknown) => {
            // A failed lookup is not kept: the hosted console's Lambda lives on, and the next call asks again.
            queueUrls.delete(key);
            if (error instanceof QueueDoesNotExist) {
              throw new CliError(
                `queue ${names.queues[key]} does not exist on stage ${stage}: is the stage deployed (or the local runtime running)?`,
              );
            }
            throw error;
          });
        queueUrls.set(key, url);
      }
      return url;
    },
    stateMachineArn() {
      machineArn ??= (async () => {
        // On AWS the ARN is built from the partition, account and region (no states:ListStateMachines
        // on "*" needed); the local runtime has no STS, so there it is looked up by name.
        if (!local) {
          const { account, partition } = await options.account();
          const region = await clients.sfn.config.region();
          return stateMachineArnFor({ partition, region, account }, names.stateMachine);
        }
        let nextToken: string | undefined;
        do {
          const page = await clients.sfn.send(new ListStateMachinesCommand({ nextToken }));
          const found = page.stateMachines?.find((m) => m.name === names.stateMachine);
          if (found?.stateMachineArn) return found.stateMachineArn;
          nextToken = page.nextToken;
        } while (nextToken);
        throw new CliError(
          `state machine ${names.stateMachine} not found on stage ${stage}: is the runtime running?`,
        );
      })().catch((error: unknown) => {
        machineArn = undefined;
        throw error;
      });
      return machineArn;
    },
  };
}
