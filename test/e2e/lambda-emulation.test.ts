import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceNames } from '../../core/config/names';
import { FunctionInvoker, FunctionTimeoutError } from '../../local/functions/invoker';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

describe('the intake event source mapping', () => {
  let runtime: TestRuntime;
  let clients: ReturnType<typeof sdkClients>;
  const batches: SQSEvent[] = [];

  beforeAll(async () => {
    runtime = await startTestRuntime({
      sandbox: false,
      functionOverrides: {
        // Fails the records whose body says so, and the whole batch when one says "crash".
        intake: async (event) => {
          const sqsEvent = event as SQSEvent;
          batches.push(sqsEvent);
          if (sqsEvent.Records.some((r) => r.body.startsWith('crash'))) throw new Error('whole batch failed');
          const response: SQSBatchResponse = {
            batchItemFailures: sqsEvent.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({
              itemIdentifier: r.messageId,
            })),
          };
          return response;
        },
      },
    });
    clients = sdkClients(runtime);
  });
  afterAll(async () => {
    await runtime?.dispose();
  });

  const counts = async () => {
    const { Attributes = {} } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: runtime.internals.sqs.queueUrl(runtime.names.queues.intake),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Attributes.ApproximateNumberOfMessages,
      inFlight: Attributes.ApproximateNumberOfMessagesNotVisible,
    };
  };

  it('deletes the records that succeeded and keeps those named in batchItemFailures, or the whole batch when the function throws', async () => {
    // Prepare
    const id = randomUUID();
    const QueueUrl = runtime.internals.sqs.queueUrl(runtime.names.queues.intake);
    // Act
    for (const body of [`ok-${id}`, `fail-${id}`, `ok2-${id}`]) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: body,
          MessageAttributes: { origin: { DataType: 'String', StringValue: 'test' } },
        }),
      );
    }
    const afterPartial = await waitFor('the partial failure to be applied', async () => {
      const c = await counts();
      const seen = batches.flatMap((b) => b.Records).filter((r) => r.body.endsWith(id)).length;
      return seen === 3 && c.visible === '0' && c.inFlight === '1' ? c : undefined;
    });
    await clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `crash-${id}` }));
    const afterCrash = await waitFor('the crashed batch to stay', async () => {
      const c = await counts();
      return batches.some((b) => b.Records.some((r) => r.body === `crash-${id}`)) && c.inFlight === '2'
        ? c
        : undefined;
    });
    // Assess
    expect(afterPartial).toEqual({ visible: '0', inFlight: '1' });
    expect(afterCrash).toEqual({ visible: '0', inFlight: '2' });
    const record = batches.flatMap((b) => b.Records).find((r) => r.body === `ok-${id}`);
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: runtime.internals.sqs.queueArn(runtime.names.queues.intake),
      awsRegion: runtime.region,
      messageAttributes: { origin: { dataType: 'String', stringValue: 'test' } },
      attributes: { ApproximateReceiveCount: '1' },
    });
  });
});

describe('in-process function invoker', () => {
  const names = resourceNames(`t${randomUUID().slice(0, 6)}`);

  it('gives the handler a Lambda-like context and fails a handler that outlives its timeout', async () => {
    // Prepare
    let seen: Context | undefined;
    const invoker = new FunctionInvoker({
      names,
      region: 'us-east-1',
      timeoutSeconds: { notify: 0.2 },
      overrides: {
        notify: async (_event, context) => {
          seen = context;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          return 'too late';
        },
        settle: async (event) => ({ echoed: event, at: new Date(0) }),
      },
    });
    // Act
    const timedOut = await invoker.invoke('notify', {}).catch((error: unknown) => error);
    const result = await invoker.invoke('settle', { a: 1 });
    // Assess
    expect(timedOut).toBeInstanceOf(FunctionTimeoutError);
    expect((timedOut as Error).name).toBe('Sandbox.Timedout');
    expect(seen?.functionName).toBe(names.functions.notify);
    expect(seen?.invokedFunctionArn).toBe(
      `arn:aws:lambda:us-east-1:000000000000:function:${names.functions.notify}`,
    );
    expect(seen?.getRemainingTimeInMillis()).toBe(0);
    expect(result).toEqual({ echoed: { a: 1 }, at: '1970-01-01T00:00:00.000Z' });
  });

  it('runs at most `concurrency` invocations at once and queues the rest', async () => {
    // Prepare
    let running = 0;
    let peak = 0;
    const invoker = new FunctionInvoker({
      names,
      region: 'us-east-1',
      concurrency: 2,
      overrides: {
        reserve: async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 30));
          running -= 1;
          return 'ok';
        },
      },
    });
    // Act
    const results = await Promise.all(Array.from({ length: 6 }, () => invoker.invoke('reserve', {})));
    // Assess
    expect(results).toEqual(Array(6).fill('ok'));
    expect(peak).toBe(2);
  });
});
