import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPES, PAYMENT_REQUESTED_PATTERN, PAYSAGA_SOURCE } from '../../events/envelope';
import { eventMatches } from '../../local/events/pattern-match';
import { sqsTarget } from '../../local/events/sqs-target';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  // No intake poller: the test reads the intake queue itself.
  runtime = await startTestRuntime({ intake: false, sandbox: false });
  clients = sdkClients(runtime);
});
afterAll(async () => {
  await runtime?.dispose();
});

/** Receives from a queue until a message whose body contains `marker` shows up. */
async function findMessage(queueName: string, marker: string) {
  const QueueUrl = runtime.internals.sqs.queueUrl(queueName);
  return waitFor(`a message with ${marker} in ${queueName}`, async () => {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    return Messages.find((message) => message.Body?.includes(marker));
  });
}

describe('EventBridge PutEvents', () => {
  it('delivers a PaymentRequested to the intake queue as an EventBridge event', async () => {
    // Prepare
    const paymentId = `pay-${randomUUID()}`;
    // Act
    const result = await clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: runtime.names.eventBus,
            Source: 'shop.checkout',
            DetailType: DETAIL_TYPES.paymentRequested,
            Detail: JSON.stringify({ paymentId }),
          },
        ],
      }),
    );
    const message = await findMessage(runtime.names.queues.intake, paymentId);
    // Assess
    expect(result.FailedEntryCount).toBe(0);
    const event = JSON.parse(message.Body ?? '{}') as Record<string, unknown>;
    expect(event).toMatchObject({
      version: '0',
      id: result.Entries?.[0]?.EventId,
      source: 'shop.checkout',
      'detail-type': DETAIL_TYPES.paymentRequested,
      account: '000000000000',
      region: runtime.region,
      detail: { paymentId },
    });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('validates each entry and answers per entry, in order, delivering the valid ones', async () => {
    // Prepare
    const paymentId = `pay-${randomUUID()}`;
    const valid = {
      EventBusName: runtime.names.eventBus,
      Source: 'shop.checkout',
      DetailType: DETAIL_TYPES.paymentRequested,
      Detail: JSON.stringify({ paymentId }),
    };
    // Act
    const result = await clients.events.send(
      new PutEventsCommand({
        Entries: [
          { ...valid, Source: undefined },
          { ...valid, Detail: '{not json' },
          { ...valid, Source: 'aws.states' },
          { ...valid, EventBusName: `missing-${paymentId}` },
          valid,
        ],
      }),
    );
    // Assess
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries?.map((entry) => entry.ErrorCode ?? 'ok')).toEqual([
      'InvalidArgument',
      'MalformedDetail',
      'NotAuthorizedForSourceException',
      'ResourceNotFoundException',
      'ok',
    ]);
    expect(result.Entries?.[0]?.ErrorMessage).toContain('Source');
    await findMessage(runtime.names.queues.intake, paymentId);
  });

  it('refuses a request with more than 10 entries as a whole', async () => {
    // Prepare
    const entry = { Source: 's', DetailType: 'd', Detail: '{}' };
    // Act
    const error = (await clients.events
      .send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) }))
      .catch((e: unknown) => e)) as Error;
    // Assess
    expect(error.name).toBe('ValidationException');
  });

  it('sends an event its target could not take to the target dead-letter queue with the reason', async () => {
    // Prepare
    const detailType = `Undeliverable-${randomUUID()}`;
    runtime.internals.events.putRule({
      name: `rule-${detailType}`,
      eventBusName: runtime.names.eventBus,
      pattern: { 'detail-type': [detailType] },
      targets: [
        sqsTarget({
          id: 'gone',
          sqs: runtime.internals.sqs,
          queueName: `deleted-${detailType}`,
          deadLetterQueueName: runtime.names.queues.intakeRuleDlq,
        }),
      ],
    });
    // Act
    const result = await clients.events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: runtime.names.eventBus, Source: 'x', DetailType: detailType, Detail: '{}' },
        ],
      }),
    );
    const parked = await findMessage(runtime.names.queues.intakeRuleDlq, detailType);
    // Assess
    expect(result.FailedEntryCount).toBe(0);
    expect(parked.MessageAttributes?.ERROR_MESSAGE?.StringValue).toContain('does not exist');
    expect(parked.MessageAttributes?.RULE_ARN?.StringValue).toContain(`rule-${detailType}`);
  });
});

describe('event pattern matching', () => {
  const event = (fields: Record<string, unknown>) => ({
    source: 'paysaga.saga',
    'detail-type': 'PaymentFailed',
    detail: { status: 'FAILED', amount: 5, tags: ['a', 'b'] },
    ...fields,
  });

  it('matches the intake pattern on detail type only, whatever the source or shape', () => {
    expect(
      eventMatches(PAYMENT_REQUESTED_PATTERN, event({ 'detail-type': 'PaymentRequested', detail: {} })),
    ).toBe(true);
    expect(eventMatches(PAYMENT_REQUESTED_PATTERN, event({ source: PAYSAGA_SOURCE }))).toBe(false);
  });

  it('supports prefix, anything-but, exists, numeric and array values', () => {
    expect(eventMatches({ source: [{ prefix: 'paysaga.' }] }, event({}))).toBe(true);
    expect(eventMatches({ source: [{ 'anything-but': ['paysaga.saga'] }] }, event({}))).toBe(false);
    expect(eventMatches({ detail: { missing: [{ exists: false }] } }, event({}))).toBe(true);
    expect(eventMatches({ detail: { status: [{ exists: true }] } }, event({}))).toBe(true);
    expect(eventMatches({ detail: { amount: [{ numeric: ['>', 1, '<=', 5] }] } }, event({}))).toBe(true);
    expect(eventMatches({ detail: { amount: [{ numeric: ['>', 5] }] } }, event({}))).toBe(false);
    expect(eventMatches({ detail: { tags: ['b'] } }, event({}))).toBe(true);
    expect(eventMatches({ detail: { status: ['SUCCEEDED'] } }, event({}))).toBe(false);
  });
});
