import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import { DynamoDocumentClient } from '../core/aws/dynamodb';
import { EventBridgeClient } from '../core/aws/eventbridge';
import { S3Client } from '../core/aws/s3';
import { SecretsManagerClient } from '../core/aws/secrets-manager';
import { ListStateMachinesCommand, SFNClient } from '../core/aws/sfn';
import { GetQueueUrlCommand, QueueDoesNotExist, SQSClient } from '../core/aws/sqs';
import { type QueueKey, type ResourceNames, resourceNames } from '../core/config/names';
import { CliError, UsageError } from './errors';
import { createOutput, type Output } from './output';

/** Options every payctl command takes. */
export interface GlobalOptions {
  readonly stage: string;
  readonly region?: string;
  readonly profile?: string;
  readonly endpoint?: string;
  readonly json?: boolean;
  readonly yes?: boolean;
}

export interface AwsClients {
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
  readonly eventBridge: EventBridgeClient;
  readonly dynamo: DynamoDBClient;
  readonly doc: DynamoDocumentClient;
  readonly secrets: SecretsManagerClient;
  readonly sts: STSClient;
  /** The history archive and imports (S3); path-style addressing on a custom endpoint (the local runtime). */
  readonly s3: S3Client;
}

/**
 * Everything a command needs: SDK clients (default credential chain, --profile,
 * --region, --endpoint / AWS_ENDPOINT_URL), the stage's resource names from the
 * same definitions as stacks/, lookups of queue URLs and the saga's ARN, the
 * caller's identity for audit records, output and confirmation.
 */
export interface CliContext {
  readonly stage: string;
  readonly names: ResourceNames;
  readonly clients: AwsClients;
  readonly out: Output;
  readonly assumeYes: boolean;
  /** True when talking to the local runtime rather than AWS. */
  readonly local: boolean;
  queueUrl(key: QueueKey): Promise<string>;
  stateMachineArn(): Promise<string>;
  /** Who is acting: the caller's IAM identity on AWS, the OS user locally. */
  identity(): Promise<string>;
  /** Asks before a state-changing action unless --yes; refuses when there is nobody to ask. */
  confirm(question: string): Promise<boolean>;
}

export function createClients(options: Pick<GlobalOptions, 'region' | 'profile' | 'endpoint'>): AwsClients {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const config = {
    ...(options.region && { region: options.region }),
    ...(endpoint && { endpoint }),
    ...(options.profile && { credentials: fromIni({ profile: options.profile }) }),
  };
  const dynamo = new DynamoDBClient(config);
  // The lean clients core takes (core/aws), with the SDK's region and credential chain (profiles, SSO).
  const lean = {
    ...(endpoint && { endpoint }),
    region: () => dynamo.config.region(),
    credentials: () => dynamo.config.credentials(),
  };
  return {
    sqs: new SQSClient(lean),
    sfn: new SFNClient(lean),
    eventBridge: new EventBridgeClient(lean),
    dynamo,
    // The lean document client core's stores take, with the SDK's region and credential chain (profiles, SSO).
    doc: new DynamoDocumentClient({
      ...(endpoint && { endpoint }),
      region: () => dynamo.config.region(),
      credentials: () => dynamo.config.credentials(),
      marshallOptions: { removeUndefinedValues: true },
    }),
    secrets: new SecretsManagerClient(lean),
    sts: new STSClient(config),
    s3: new S3Client(lean),
  };
}

export function createContext(
  options: GlobalOptions,
  overrides: { clients?: AwsClients; out?: Output } = {},
): CliContext {
  const names = resourceNames(options.stage);
  const clients = overrides.clients ?? createClients(options);
  const out = overrides.out ?? createOutput({ json: Boolean(options.json) });
  const local = Boolean(options.endpoint ?? process.env.AWS_ENDPOINT_URL);
  const queueUrls = new Map<QueueKey, Promise<string>>();
  let machineArn: Promise<string> | undefined;
  let who: Promise<string> | undefined;

  return {
    stage: options.stage,
    names,
    clients,
    out,
    local,
    assumeYes: Boolean(options.yes),
    queueUrl(key) {
      let url = queueUrls.get(key);
      if (!url) {
        url = clients.sqs
          .send(new GetQueueUrlCommand({ QueueName: names.queues[key] }))
          .then((r) => r.QueueUrl ?? '')
          .catch((error: unknown) => {
            if (error instanceof QueueDoesNotExist) {
              throw new CliError(
                `queue ${names.queues[key]} does not exist on stage ${options.stage}: is the stage deployed (or the local runtime running)?`,
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
        // On AWS the ARN is built from the caller's account and region (no states:ListStateMachines on "*"
        // needed); the local runtime has no STS, so there it is looked up by name.
        if (!local) {
          const { Account } = await clients.sts.send(new GetCallerIdentityCommand({}));
          const region = await clients.sfn.config.region();
          return `arn:aws:states:${region}:${Account}:stateMachine:${names.stateMachine}`;
        }
        let nextToken: string | undefined;
        do {
          const page = await clients.sfn.send(new ListStateMachinesCommand({ nextToken }));
          const found = page.stateMachines?.find((m) => m.name === names.stateMachine);
          if (found?.stateMachineArn) return found.stateMachineArn;
          nextToken = page.nextToken;
        } while (nextToken);
        throw new CliError(
          `state machine ${names.stateMachine} not found on stage ${options.stage}: is the runtime running?`,
        );
      })();
      return machineArn;
    },
    identity() {
      // Audit records name who acted: the verified IAM identity on AWS (an STS failure there is an error,
      // never a guess); the OS user against the local runtime, which has no identities.
      who ??= local
        ? Promise.resolve(`local:${userInfo().username}`)
        : clients.sts.send(new GetCallerIdentityCommand({})).then((r) => {
            if (!r.Arn)
              throw new CliError('could not tell who is calling (STS GetCallerIdentity gave no ARN)');
            return r.Arn;
          });
      return who;
    },
    async confirm(question) {
      if (options.yes) return true;
      if (!process.stdin.isTTY) {
        throw new UsageError(
          `${question} — refusing without --yes: there is no terminal to ask for confirmation`,
        );
      }
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };
}
