import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import { accountOfArn } from '../core/aws/arn';
import { CliError, UsageError } from './errors';
import { createOpsContext, createServiceClients, type OpsContext, type ServiceClients } from './ops-context';
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

/**
 * payctl's clients: the lean clients of core/aws (./ops-context.ts) with the
 * AWS SDK's region and credential chain (profiles, SSO), which only payctl
 * on a laptop needs, and STS to tell who is calling.
 */
export interface AwsClients extends ServiceClients {
  /** The SDK client whose config resolves the region and credential chain the lean clients use. */
  readonly dynamo: DynamoDBClient;
  readonly sts: STSClient;
}

/**
 * Everything a command needs: clients (default credential chain, --profile,
 * --region, --endpoint / AWS_ENDPOINT_URL), the stage's resource names from the
 * same definitions as stacks/, lookups of queue URLs and the saga's ARN, the
 * caller's identity for audit records, output and confirmation.
 */
export interface CliContext extends OpsContext {
  readonly clients: AwsClients;
  readonly out: Output;
  readonly assumeYes: boolean;
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
  return {
    // The lean clients core takes (core/aws), with the SDK's region and credential chain (profiles, SSO).
    ...createServiceClients({
      endpoint,
      region: () => dynamo.config.region(),
      credentials: () => dynamo.config.credentials(),
    }),
    dynamo,
    sts: new STSClient(config),
  };
}

export function createContext(
  options: GlobalOptions,
  overrides: { clients?: AwsClients; out?: Output } = {},
): CliContext {
  const clients = overrides.clients ?? createClients(options);
  const out = overrides.out ?? createOutput({ json: Boolean(options.json) });
  const local = Boolean(options.endpoint ?? process.env.AWS_ENDPOINT_URL);
  let who: Promise<string> | undefined;
  const ops = createOpsContext({
    stage: options.stage,
    clients,
    local,
    account: async () => {
      // The account and its partition from the caller's ARN (arn:aws-cn:sts::<account>:... in China).
      const { Arn } = await clients.sts.send(new GetCallerIdentityCommand({}));
      return accountOfArn(String(Arn));
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
  });

  return {
    ...ops,
    clients,
    out,
    assumeYes: Boolean(options.yes),
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
