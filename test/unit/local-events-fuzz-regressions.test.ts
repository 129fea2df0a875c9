/**
 * Regressions in the local EventBridge and SQS found by the intake fuzz test:
 * each case failed before its fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeService } from '../../local/events/eventbridge-service';
import { SqsService } from '../../local/sqs/sqs-service';

let sqs: SqsService;

beforeAll(async () => {
  sqs = await SqsService.start({ endpoint: 'http://127.0.0.1:1' });
  await sqs.ensureQueue('fuzz-regressions', {});
});
afterAll(async () => {
  await sqs?.close();
});

describe('Local EventBridge and SQS: fuzz regressions', () => {
  it('SQS takes characters beyond U+FFFF (every emoji was refused) and still refuses NUL and lone surrogates', async () => {
    // Prepare
    const queueUrl = sqs.queueUrl('fuzz-regressions');
    const send = (body: string) =>
      sqs.call('SendMessage', { QueueUrl: queueUrl, MessageBody: body }).then(
        () => 'accepted',
        (error: Error) => error.message,
      );
    // Act
    const outcomes = await Promise.all(['{"d":"😀 𝕏"}', 'a\u0000b', 'a\uD800b'].map(send));
    // Assess
    expect(outcomes[0]).toBe('accepted');
    expect(outcomes[1]).toMatch(/Invalid characters/);
    expect(outcomes[2]).toMatch(/Invalid characters/);
  });

  it('PutEvents refuses a detail too deeply nested to deliver, instead of answering InternalFailure', async () => {
    // Prepare
    const events = new EventBridgeService();
    const deep = `{"d":${'['.repeat(50_000)}1${']'.repeat(50_000)}}`;
    // Act
    const result = await events.putEvents([{ Source: 'fuzz', DetailType: 'PaymentRequested', Detail: deep }]);
    // Assess
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[0]).toMatchObject({ ErrorCode: 'MalformedDetail' });
  });
});
