import { randomUUID } from 'node:crypto';
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  ResourceNotFoundException,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  UnsupportedOperation,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  runtime = await startTestRuntime({ intake: false, sandbox: false });
  clients = sdkClients(runtime);
});
afterAll(async () => {
  await runtime?.dispose();
});

const arnOf = (url: string) => `arn:aws:sqs:${runtime.region}:000000000000:${url.split('/').pop()}`;

/** A source queue with its own DLQ holding `count` messages (with an attribute each). */
async function dlqWithMessages(count: number): Promise<{ sourceUrl: string; dlqUrl: string }> {
  const id = randomUUID().slice(0, 8);
  const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: `mt-dlq-${id}` }));
  const dlqUrl = dlq.QueueUrl as string;
  const source = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: `mt-src-${id}`,
      Attributes: {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(dlqUrl), maxReceiveCount: 3 }),
      },
    }),
  );
  for (let start = 0; start < count; start += 10) {
    const size = Math.min(10, count - start);
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: Array.from({ length: size }, (_, i) => ({
          Id: String(i),
          MessageBody: `m${start + i}`,
          MessageAttributes: { reason: { DataType: 'String', StringValue: `r${start + i}` } },
        })),
      }),
    );
  }
  return { sourceUrl: source.QueueUrl as string, dlqUrl };
}

async function drain(QueueUrl: string): Promise<Array<{ body: string; reason: string | undefined }>> {
  const out: Array<{ body: string; reason: string | undefined }> = [];
  for (;;) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return out;
    for (const m of Messages)
      out.push({ body: m.Body ?? '', reason: m.MessageAttributes?.reason?.StringValue });
  }
}

async function latestTask(dlqUrl: string) {
  const { Results = [] } = await clients.sqs.send(
    new ListMessageMoveTasksCommand({ SourceArn: arnOf(dlqUrl) }),
  );
  return Results[0];
}

describe('SQS message move tasks', () => {
  it('redrives a DLQ back to its source queue with bodies and attributes', async () => {
    // Prepare
    const { sourceUrl, dlqUrl } = await dlqWithMessages(15);
    // Act
    const { TaskHandle } = await clients.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: arnOf(dlqUrl) }),
    );
    const done = await waitFor('the task to complete', async () => {
      const task = await latestTask(dlqUrl);
      return task?.Status === 'COMPLETED' ? task : undefined;
    });
    const moved = await drain(sourceUrl);
    // Assess
    expect(TaskHandle).toBeTruthy();
    expect(done.ApproximateNumberOfMessagesMoved).toBe(15);
    expect(done.ApproximateNumberOfMessagesToMove).toBe(15);
    expect(done.DestinationArn).toBeUndefined();
    expect(moved.map((m) => m.body).sort()).toEqual(Array.from({ length: 15 }, (_, i) => `m${i}`).sort());
    expect(moved.every((m) => m.reason === `r${m.body.slice(1)}`)).toBe(true);
    expect(await drain(dlqUrl)).toEqual([]);
  });

  it('honours MaxNumberOfMessagesPerSecond and an explicit destination', async () => {
    // Prepare
    const { dlqUrl } = await dlqWithMessages(6);
    const other = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: `mt-other-${randomUUID().slice(0, 8)}` }),
    );
    const started = Date.now();
    // Act
    await clients.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: arnOf(dlqUrl),
        DestinationArn: arnOf(other.QueueUrl as string),
        MaxNumberOfMessagesPerSecond: 3,
      }),
    );
    const done = await waitFor('the task to complete', async () => {
      const task = await latestTask(dlqUrl);
      return task?.Status === 'COMPLETED' ? task : undefined;
    });
    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(done.MaxNumberOfMessagesPerSecond).toBe(3);
    expect(done.DestinationArn).toBe(arnOf(other.QueueUrl as string));
    expect((await drain(other.QueueUrl as string)).length).toBe(6);
  });

  it('cancels a running task, keeping what was not moved in the DLQ', async () => {
    // Prepare
    const { sourceUrl, dlqUrl } = await dlqWithMessages(10);
    const { TaskHandle } = await clients.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: arnOf(dlqUrl), MaxNumberOfMessagesPerSecond: 1 }),
    );
    // Act
    const cancelled = await clients.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    const task = await latestTask(dlqUrl);
    const moved = await drain(sourceUrl);
    // A cancelled task finishes its batch (send, then delete) before it stops: nothing stays in flight.
    const left = await drain(dlqUrl);
    // Assess
    expect(task?.Status).toBe('CANCELLED');
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBe(moved.length);
    expect(moved.length).toBeLessThan(10);
    expect(left.length).toBe(10 - moved.length);
  });

  it('refuses a queue that is nobody’s DLQ and a source that does not exist', async () => {
    // Prepare
    const plain = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: `mt-plain-${randomUUID().slice(0, 8)}` }),
    );
    // Act
    const notDlq = await clients.sqs
      .send(new StartMessageMoveTaskCommand({ SourceArn: arnOf(plain.QueueUrl as string) }))
      .catch((e: unknown) => e);
    const missing = await clients.sqs
      .send(new StartMessageMoveTaskCommand({ SourceArn: arnOf(`x/missing-${randomUUID()}`) }))
      .catch((e: unknown) => e);
    // Assess
    expect(notDlq).toBeInstanceOf(UnsupportedOperation);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });
});
