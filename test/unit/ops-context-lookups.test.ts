import { describe, expect, it, vi } from 'vitest';
import { createOpsContext, type ServiceClients } from '../../cli/ops-context';
import type { AwsAccount } from '../../core/aws/arn';
import { AwsNetworkError } from '../../core/aws/errors';

// cli/ops-context.ts caches the stage's queue URLs and saga ARN. The hosted console's Lambda keeps its context
// for the container's life: a lookup that failed once (a network error after the client's retries) must not be
// kept, or every DLQ redrive on that queue fails until the container is recycled.

function contextWith(sqsSend: () => Promise<unknown>, account: () => Promise<AwsAccount>) {
  const clients = {
    sqs: { send: vi.fn(sqsSend) },
    sfn: { config: { region: async () => 'eu-west-1' } },
  } as unknown as ServiceClients;
  return {
    clients,
    context: createOpsContext({
      stage: `t${Date.now()}`,
      clients,
      local: false,
      account,
      identity: async () => 'tester',
    }),
  };
}

describe('ops context lookups', () => {
  it('asks for a queue URL again after a failed lookup, and keeps a found one', async () => {
    // Prepare
    const answers = [
      () => Promise.reject(new AwsNetworkError('GetQueueUrl sqs.eu-west-1.amazonaws.com: socket hang up')),
      () => Promise.resolve({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq' }),
    ];
    const { clients, context } = contextWith(
      () => (answers.shift() ?? (() => Promise.reject(new Error('asked a third time'))))(),
      async () => ({ account: '123456789012', partition: 'aws' }),
    );

    // Act
    const first = await context.queueUrl('compensationDlq').catch((error: unknown) => error);
    const second = await context.queueUrl('compensationDlq');
    const third = await context.queueUrl('compensationDlq');

    // Assess
    expect(first).toBeInstanceOf(AwsNetworkError);
    expect(second).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/dlq');
    expect(third).toBe(second);
    expect(clients.sqs.send).toHaveBeenCalledTimes(2);
  });

  it("asks for the saga's ARN again after a failed lookup", async () => {
    // Prepare
    const account = vi
      .fn<() => Promise<AwsAccount>>()
      .mockRejectedValueOnce(new AwsNetworkError('no answer within 30000 ms'))
      .mockResolvedValue({ account: '123456789012', partition: 'aws' });
    const { context } = contextWith(() => Promise.reject(new Error('unused')), account);

    // Act
    const first = await context.stateMachineArn().catch((error: unknown) => error);
    const second = await context.stateMachineArn();

    // Assess
    expect(first).toBeInstanceOf(AwsNetworkError);
    expect(second).toMatch(/^arn:aws:states:eu-west-1:123456789012:stateMachine:paysaga-t\d+-/);
    expect(account).toHaveBeenCalledTimes(2);
  });
});
