/**
 * SqsService runs fauxqs's SQS actions in-process without fastify's inject (issue 18 goal 3: the
 * simulated HTTP exchange cost ~5x the action). These pin that a call answers exactly as the app does.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../local/edge/aws-json-service';
import { SqsService } from '../../local/sqs/sqs-service';

let sqs: SqsService;
let app: FastifyInstance;
const unique = () => `direct-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  sqs = await SqsService.start({ endpoint: 'http://127.0.0.1:1' });
  // The app fauxqs built: the reference the in-process path must agree with.
  app = (sqs as unknown as { app: FastifyInstance }).app;
});
afterAll(async () => {
  await sqs?.close();
});

/** What the app answers, as SqsService.call reports it: the body, or the error's type, message and status. */
async function throughApp(operation: string, input: Record<string, unknown>): Promise<unknown> {
  const response = await app.inject({
    method: 'POST',
    url: '/',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${operation}` },
    payload: JSON.stringify(input),
  });
  const body = response.body ? JSON.parse(response.body) : {};
  if (response.statusCode >= 300)
    return {
      error: body.__type ?? 'com.amazonaws.sqs#InternalError',
      message: body.message,
      status: response.statusCode,
    };
  return body;
}

async function throughCall(operation: string, input: Record<string, unknown>): Promise<unknown> {
  try {
    return await sqs.call(operation, input);
  } catch (error) {
    if (!(error instanceof AwsServiceError)) throw error;
    return { error: error.type, message: error.message, status: error.statusCode };
  }
}

describe('SqsService in-process calls', () => {
  it('refuse what the app refuses, with the same error type, message and status', async () => {
    // Prepare
    const queue = unique();
    await sqs.ensureQueue(queue, {});
    const queueUrl = sqs.queueUrl(queue);
    const requests: Array<[string, Record<string, unknown>]> = [
      ['SendMessage', { QueueUrl: sqs.queueUrl(unique()), MessageBody: 'x' }],
      ['SendMessage', { QueueUrl: queueUrl }],
      ['SendMessage', { QueueUrl: queueUrl, MessageBody: 'nul \u0000' }],
      ['ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: 11 }],
      ['DeleteMessageBatch', { QueueUrl: queueUrl, Entries: [] }],
      ['ChangeMessageVisibility', { QueueUrl: queueUrl, ReceiptHandle: 'nope', VisibilityTimeout: 0 }],
      ['NoSuchAction', { QueueUrl: queueUrl }],
    ];

    // Act
    const answers = await Promise.all(
      requests.map(async ([operation, input]) => ({
        operation,
        app: await throughApp(operation, input),
        call: await throughCall(operation, input),
      })),
    );

    // Assess
    for (const answer of answers) {
      expect(answer.call, answer.operation).toEqual(answer.app);
      expect(answer.call, answer.operation).toHaveProperty('error');
    }
  });

  it('answer with the same fields as the app: send, receive with attributes, delete', async () => {
    // Prepare
    const [viaApp, viaCall] = [unique(), unique()];
    await sqs.ensureQueue(viaApp, {});
    await sqs.ensureQueue(viaCall, {});
    const scenario = async (queue: string, send: typeof throughCall) => {
      const QueueUrl = sqs.queueUrl(queue);
      const sent = (await send('SendMessage', {
        QueueUrl,
        MessageBody: '{"emoji":"😀"}',
        MessageAttributes: { reason: { DataType: 'String', StringValue: 'why' } },
      })) as Record<string, unknown>;
      const received = (await send('ReceiveMessage', {
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      })) as { Messages: Array<Record<string, unknown> & { ReceiptHandle: string }> };
      const deleted = await send('DeleteMessageBatch', {
        QueueUrl,
        Entries: received.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      });
      const empty = await send('ReceiveMessage', { QueueUrl, WaitTimeSeconds: 0 });
      return { sent, received, deleted, empty };
    };

    // Act
    const [app_, call] = [await scenario(viaApp, throughApp), await scenario(viaCall, throughCall)];

    // Assess: the same answers but for ids, handles and times
    const shape = (answer: typeof app_) =>
      JSON.parse(
        JSON.stringify(answer)
          .replace(/"(MessageId|ReceiptHandle)":"[^"]+"/g, '"$1":"*"')
          .replace(/"(SentTimestamp|ApproximateFirstReceiveTimestamp)":"\d+"/g, '"$1":"*"'),
      );
    expect(shape(call)).toEqual(shape(app_));
    expect(call.received.Messages[0]?.Body).toBe('{"emoji":"😀"}');
    expect(call.empty).toEqual({});
  });
});
