import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, QueryCommand } from '../../core/aws/dynamodb';
import { paymentKey, STEP_PREFIX, stepSk, TIMELINE_SK } from '../../core/payments/keys';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import { PaymentsRepository } from '../../core/payments/repository';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

/**
 * Issue 18: a payment's timeline entries are attributes of one item (PAYMENT#<id> / STEP#TIMELINE), so
 * the archiver expires one item instead of one per entry. Entries written as items of their own (before
 * the change, by sagas in flight when it shipped, or when the timeline item is full) still read back,
 * merged in time order.
 */
let dynamo: LocalDynamo;
let log: DynamoPaymentLog;
let repo: PaymentsRepository;

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'timeline' });
  log = new DynamoPaymentLog(dynamo.doc, dynamo.tables.payments);
  repo = new PaymentsRepository(dynamo.doc, dynamo.tables.payments);
});

afterAll(async () => {
  await dynamo.stop();
});

const newPaymentId = () => `pay_${randomUUID().slice(0, 12)}`;

async function itemsUnderSteps(paymentId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await dynamo.doc.send(
    new QueryCommand({
      TableName: dynamo.tables.payments,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :step)',
      ExpressionAttributeValues: { ':pk': paymentKey(paymentId).pk, ':step': STEP_PREFIX },
    }),
  );
  return Items;
}

describe('Class: DynamoPaymentLog, the timeline item', () => {
  it('keeps every entry of a payment in one item, once per attempt', async () => {
    // Prepare
    const paymentId = newPaymentId();
    // Act: three attempts, the second written twice (a re-delivered write of the same attempt)
    await log.appendStep(
      paymentId,
      { step: 'reserve', outcome: 'succeeded', at: '2026-12-05T10:00:01.000Z' },
      'a1',
    );
    const charge = {
      step: 'charge',
      outcome: 'failed' as const,
      at: '2026-12-05T10:00:02.000Z',
      detail: { error: 'GatewayUnavailableError', durationMs: 12 },
    };
    await log.appendStep(paymentId, charge, 'a2');
    await log.appendStep(paymentId, { ...charge, detail: { error: 'Other', durationMs: 99 } }, 'a2');
    await log.appendStep(
      paymentId,
      { step: 'charge', outcome: 'succeeded', at: '2026-12-05T10:00:03.000Z' },
      'a3',
    );
    // Assess: one item; the steps in order; the first write of an attempt stands
    const items = await itemsUnderSteps(paymentId);
    expect(items.map((item) => item.sk)).toEqual([TIMELINE_SK]);
    const steps = await repo.listSteps(paymentId);
    expect(steps.map((s) => `${s.step}:${s.outcome}`)).toEqual([
      'reserve:succeeded',
      'charge:failed',
      'charge:succeeded',
    ]);
    expect(steps[1]).toEqual({ paymentId, ...charge });
    expect((await log.timeline(paymentId)).map((s) => s.step)).toEqual(['reserve', 'charge', 'charge']);
  });

  it('reads entries written as items of their own together with the timeline item, in time order', async () => {
    // Prepare: an entry item as written before the change, between two entries of the timeline item
    const paymentId = newPaymentId();
    await log.appendStep(
      paymentId,
      { step: 'reserve', outcome: 'succeeded', at: '2026-12-05T10:00:01.000Z' },
      'b1',
    );
    await dynamo.doc.send(
      new PutCommand({
        TableName: dynamo.tables.payments,
        Item: {
          pk: paymentKey(paymentId).pk,
          sk: stepSk('2026-12-05T10:00:02.000Z', 'charge', 'b2'),
          paymentId,
          step: 'charge',
          outcome: 'succeeded',
          at: '2026-12-05T10:00:02.000Z',
          expiresAt: 1_900_000_000,
        },
      }),
    );
    await log.appendStep(
      paymentId,
      { step: 'settle', outcome: 'succeeded', at: '2026-12-05T10:00:03.000Z' },
      'b3',
    );
    // Act
    const steps = await repo.listSteps(paymentId);
    const timeline = await log.timeline(paymentId);
    // Assess
    expect(steps.map((s) => s.step)).toEqual(['reserve', 'charge', 'settle']);
    expect(timeline.map((s) => s.step)).toEqual(['reserve', 'charge', 'settle']);
    expect(timeline[1]).toEqual({
      paymentId,
      step: 'charge',
      outcome: 'succeeded',
      at: '2026-12-05T10:00:02.000Z',
    });
  });

  it('writes an entry as an item of its own once the timeline item is full', async () => {
    // Prepare: a timeline item close to DynamoDB's 400 KB item limit
    const paymentId = newPaymentId();
    await dynamo.doc.send(
      new PutCommand({
        TableName: dynamo.tables.payments,
        Item: { pk: paymentKey(paymentId).pk, sk: TIMELINE_SK, paymentId, padding: 'x'.repeat(409_480) },
      }),
    );
    // Act
    await log.appendStep(
      paymentId,
      { step: 'notify', outcome: 'succeeded', at: '2026-12-05T10:00:04.000Z', detail: { durationMs: 3 } },
      'c1',
    );
    // Assess: not lost
    const items = await itemsUnderSteps(paymentId);
    expect(items.map((item) => item.sk)).toEqual([
      stepSk('2026-12-05T10:00:04.000Z', 'notify', 'c1'),
      TIMELINE_SK,
    ]);
    expect((await repo.listSteps(paymentId)).map((s) => s.step)).toEqual(['notify']);
  });
});
