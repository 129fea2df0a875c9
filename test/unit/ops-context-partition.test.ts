import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AwsClients } from '../../cli/context';
import { createContext } from '../../cli/context';
import { stateMachineArnFor } from '../../core/config/executions';
import { resourceNames } from '../../core/config/names';
import { consoleLambdaContext } from '../../functions/commons/console-context';
import { lambdaContext } from '../../local/lambda/context';

/**
 * The saga's ARN on AWS is built, not looked up (cli/ops-context.ts), from the partition and account of the
 * ARN the account comes from: the console Lambda's invocation ARN, payctl's STS caller ARN. In aws-cn and
 * aws-us-gov a hard-coded `arn:aws:` named a state machine that does not exist there.
 */

const uniqueStage = (tag: string) => `p${tag}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

function invokedAs(functionArn: string) {
  const context = lambdaContext({ functionName: 'paysaga-console-read', timeoutSeconds: 10 });
  context.invokedFunctionArn = functionArn;
  return { event: {}, context, response: undefined, error: undefined, internal: {} };
}

describe('the saga ARN in other partitions', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_ENDPOINT_URL', undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ['aws-cn', 'cn-north-1', '123456789012'],
    ['aws-us-gov', 'us-gov-west-1', '210987654321'],
    ['aws', 'eu-west-1', '111111111111'],
  ])(
    "the console's Lambda builds it in its invocation's partition (%s)",
    async (partition, region, account) => {
      // Prepare
      vi.stubEnv('AWS_REGION', region);
      const stage = uniqueStage('c');
      const { deps, middleware } = consoleLambdaContext(stage);
      await middleware.before?.(
        invokedAs(`arn:${partition}:lambda:${region}:${account}:function:paysaga-${stage}-console-read:live`),
      );

      // Act
      const arn = await deps.stateMachineArn();

      // Assess
      expect(arn).toBe(
        `arn:${partition}:states:${region}:${account}:stateMachine:${resourceNames(stage).stateMachine}`,
      );
    },
  );

  it("payctl builds it in its caller's partition (STS GetCallerIdentity)", async () => {
    // Prepare
    const stage = uniqueStage('p');
    const sts = {
      send: vi.fn(async () => ({
        Account: '123456789012',
        Arn: 'arn:aws-cn:sts::123456789012:assumed-role/paysaga-operations/jane',
        UserId: 'AROA:jane',
      })),
    };
    const clients = {
      sfn: { config: { region: async () => 'cn-northwest-1' } },
      sts,
    } as unknown as AwsClients;
    const ctx = createContext({ stage }, { clients });

    // Act
    const arn = await ctx.stateMachineArn();

    // Assess
    expect(arn).toBe(
      `arn:aws-cn:states:cn-northwest-1:123456789012:stateMachine:${resourceNames(stage).stateMachine}`,
    );
  });
});

describe('Function: stateMachineArnFor', () => {
  it('is the one formula of a state machine ARN: partition, region, account, name', () => {
    // Act
    const arn = stateMachineArnFor(
      { partition: 'aws-us-gov', region: 'us-gov-east-1', account: '210987654321' },
      'm',
    );

    // Assess
    expect(arn).toBe('arn:aws-us-gov:states:us-gov-east-1:210987654321:stateMachine:m');
  });
});
