import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accountOfArn, MalformedArnError } from '../../core/aws/arn';
import { resourceNames } from '../../core/config/names';
import { consoleLambdaContext } from '../../functions/commons/console-context';
import { lambdaContext } from '../../local/lambda/context';

/**
 * The hosted console API's context (functions/commons/console-context.ts):
 * the lean clients, no AWS SDK. On AWS it builds the saga's ARN from the
 * function's own account (its invocation's ARN) and region, asking no one
 * (payctl asks STS); it never acts as itself, only as the signed-in person.
 */

const invocation = (stage: string, accountId: string) => ({
  event: {},
  context: lambdaContext({
    functionName: `paysaga-${stage}-console-read`,
    timeoutSeconds: 10,
    region: 'eu-west-1',
    accountId,
  }),
  response: undefined,
  error: undefined,
  internal: {},
});

describe('accountOfArn', () => {
  it('reads the account and partition of a function ARN, qualified or not', () => {
    // Act
    const plain = accountOfArn('arn:aws:lambda:eu-west-1:123456789012:function:paysaga-dev-console-read');
    const alias = accountOfArn('arn:aws-us-gov:lambda:us-gov-west-1:210987654321:function:f:live');

    // Assess
    expect(plain).toEqual({ account: '123456789012', partition: 'aws' });
    expect(alias).toEqual({ account: '210987654321', partition: 'aws-us-gov' });
  });

  it('refuses what is not an ARN naming an account', () => {
    // Act + Assess
    for (const arn of [
      '',
      'paysaga-dev-console-read',
      'arn:aws:s3:::bucket',
      'arn:aws:lambda:eu-west-1:12:function:f',
    ])
      expect(() => accountOfArn(arn)).toThrow(MalformedArnError);
  });
});

describe('consoleLambdaContext', () => {
  beforeEach(() => {
    // As on AWS: Lambda sets the region; no custom endpoint.
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ENDPOINT_URL', undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("on AWS, builds the saga's ARN from the invoked function's account and the region, with no call", async () => {
    // Prepare
    const stage = `ctx${Date.now().toString(36)}`;
    const { deps, middleware } = consoleLambdaContext(stage);
    await middleware.before?.(invocation(stage, '123456789012'));

    // Act
    const arn = await deps.stateMachineArn();

    // Assess
    expect(deps.local).toBe(false);
    expect(arn).toBe(
      `arn:aws:states:eu-west-1:123456789012:stateMachine:${resourceNames(stage).stateMachine}`,
    );
  });

  it('keeps the account of its first invocation', async () => {
    // Prepare
    const stage = `ctx${Date.now().toString(36)}b`;
    const { deps, middleware } = consoleLambdaContext(stage);
    await middleware.before?.(invocation(stage, '123456789012'));
    await middleware.before?.(invocation(stage, '999999999999'));

    // Act
    const arn = await deps.stateMachineArn();

    // Assess
    expect(arn).toContain(':123456789012:stateMachine:');
  });

  it('answers no saga ARN before an invocation, nor for an ARN without an account, and the invocation goes on', async () => {
    // Prepare
    const stage = `ctx${Date.now().toString(36)}d`;
    const uninvoked = consoleLambdaContext(stage);
    const odd = consoleLambdaContext(stage);
    const invocationWithoutAccount = invocation(stage, '123456789012');
    invocationWithoutAccount.context.invokedFunctionArn = 'not-an-arn';

    // Act
    const before = odd.middleware.before?.(invocationWithoutAccount);

    // Assess
    expect(before).toBeUndefined();
    await expect(uninvoked.deps.stateMachineArn()).rejects.toThrow(/not been invoked/);
    await expect(odd.deps.stateMachineArn()).rejects.toThrow(MalformedArnError);
  });

  it('refuses to act as itself: audit records name the signed-in person only', async () => {
    // Prepare
    const { deps } = consoleLambdaContext(`ctx${Date.now().toString(36)}c`);

    // Act + Assess
    await expect(deps.identity()).rejects.toThrow(/signed-in person/);
  });

  it('talks to the local runtime when AWS_ENDPOINT_URL names it, as payctl does', () => {
    // Prepare
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:4566');

    // Act
    const { deps } = consoleLambdaContext('local');

    // Assess
    expect(deps.local).toBe(true);
  });
});
