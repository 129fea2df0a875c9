import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/errors';
import { Ledger } from '../../core/ledger';
import { PaymentsRepository } from '../../core/payments/repository';
import { DETAIL_TYPES, PAYSAGA_OPS_SOURCE } from '../../events/envelope';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import type { BusEvent } from '../../local/events/eventbridge-service';
import { importHandler, type LambdaHandler } from '../../local/functions/registry';
import { runPayctl } from '../helpers/payctl';
import { fundedWallet, paymentRequest, putPaymentRequested } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let ledger: Ledger;
const opsEvents: BusEvent[] = [];

/**
 * The intake function with a bug: it crashes on the requests in `poisoned`
 * (as a release that chokes on some field would). It makes the failed message
 * visible again at once, so the five receives before SQS dead-letters it take
 * milliseconds instead of five visibility timeouts.
 */
const poisoned = new Set<string>();
const intakeWithBug: LambdaHandler = async (event, context) => {
  const real = await importHandler('intake');
  const { Records } = event as SQSEvent;
  const crashing = Records.filter((r) => [...poisoned].some((id) => r.body.includes(id)));
  const healthy = Records.filter((r) => !crashing.includes(r));
  for (const record of crashing) {
    await clients.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: runtime.internals.sqs.queueUrl(runtime.names.queues.intake),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  }
  const rest =
    healthy.length > 0 ? ((await real({ Records: healthy }, context)) as SQSBatchResponse) : undefined;
  return {
    batchItemFailures: [
      ...crashing.map((r) => ({ itemIdentifier: r.messageId })),
      ...(rest?.batchItemFailures ?? []),
    ],
  };
};

beforeAll(async () => {
  // No webhook consumer: the redrive tests count the messages that arrive on the notification queue.
  runtime = await startTestRuntime({ functionOverrides: { intake: intakeWithBug }, webhooks: false });
  clients = sdkClients(runtime);
  ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
  runtime.internals.events.putRule({
    name: 'capture-ops',
    eventBusName: runtime.names.eventBus,
    pattern: { source: [PAYSAGA_OPS_SOURCE] },
    targets: [
      {
        id: 'capture',
        arn: 'local:capture',
        synchronous: true,
        deliver: async (e) => void opsEvents.push(e),
      },
    ],
  });
});
afterAll(async () => {
  await runtime?.dispose();
});

function payctl(...argv: string[]) {
  return runPayctl(runtime, ...argv);
}

async function depth(queue: string) {
  const { Attributes = {} } = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: runtime.internals.sqs.queueUrl(queue),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

async function request(overrides: Partial<PaymentRequested> = {}) {
  // Wallet first: 10.00 in the wallet for a 12.50 payment, so the gateway is charged the 2.50 card part.
  return paymentRequest(await fundedWallet(ledger, 1000), overrides);
}

const send = (detail: { paymentId: string }) =>
  putPaymentRequested(clients.events, runtime.names.eventBus, detail);

const executionArnOf = (paymentId: string) =>
  `${runtime.env.STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${paymentId}`;

interface Peeked {
  paymentId?: string;
  reasonCode?: string;
  reason: string;
  receiveCount: number;
  firstFailureAt?: string;
  body: { detail?: Record<string, unknown> };
}

describe('payctl dlq against the local runtime', () => {
  it('a poison event: intake DLQ -> peek shows why -> fix -> redrive -> processed exactly once, audited', async () => {
    // Prepare: intake crashes on this request until it is fixed.
    const detail = await request();
    poisoned.add(detail.paymentId);
    await send(detail);
    await waitFor('the poison event in the intake DLQ', async () =>
      (await depth(runtime.names.queues.intakeDlq)).visible === 1 ? true : undefined,
    );

    // Act: inspect.
    const listed = await payctl('--json', 'dlq', 'list');
    const peeked = await payctl('--json', 'dlq', 'peek', 'intake-dlq');
    const afterPeek = await depth(runtime.names.queues.intakeDlq);
    const dryRun = await payctl('--json', 'dlq', 'redrive', 'intake-dlq', '--dry-run');
    const afterDryRun = await depth(runtime.names.queues.intakeDlq);

    // Assess: the DLQ's state, the reason, nothing consumed or changed.
    expect(listed.code).toBe(EXIT.ok);
    const intakeDlq = listed
      .json<Array<{ key: string; depth: number; source: string; oldestAgeSeconds?: number }>>()
      .find((q) => q.key === 'intakeDlq');
    expect(intakeDlq).toMatchObject({ depth: 1, source: runtime.names.queues.intake });
    expect(intakeDlq?.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(peeked.code).toBe(EXIT.ok);
    const [message] = peeked.json<Peeked[]>();
    expect(message).toMatchObject({ paymentId: detail.paymentId, reasonCode: 'max_receives_exceeded' });
    expect(message?.reason).toMatch(/failed more than 5 times on intake/);
    expect(message?.receiveCount).toBeGreaterThanOrEqual(5);
    expect(Date.parse(message?.firstFailureAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(message?.body.detail?.paymentId).toBe(detail.paymentId);
    expect(afterPeek).toEqual({ visible: 1, inFlight: 0 });
    expect(dryRun.code).toBe(EXIT.ok);
    expect(dryRun.json<{ toMove: number }>().toMove).toBe(1);
    expect(afterDryRun).toEqual({ visible: 1, inFlight: 0 });

    // Act: fix, then redrive.
    poisoned.delete(detail.paymentId);
    const redrive = await payctl('--json', '--yes', 'dlq', 'redrive', 'intake-dlq', '--poll-ms', '50');
    const execution = await waitFor('the saga of the redriven request to end', async () => {
      const e = await clients.sfn
        .send(new DescribeExecutionCommand({ executionArn: executionArnOf(detail.paymentId) }))
        .catch(() => undefined);
      return e && e.status !== 'RUNNING' ? e : undefined;
    });
    await waitFor('the intake queue to drain', async () => {
      const q = await depth(runtime.names.queues.intake);
      return q.visible + q.inFlight === 0 ? true : undefined;
    });
    const audit = await payctl('--json', 'audit', '--since', '1h');

    // Assess: moved once, processed once, charged once, nothing left behind, audited.
    expect(redrive.code).toBe(EXIT.ok);
    expect(redrive.json()).toMatchObject({ status: 'COMPLETED', moved: 1, failed: 0 });
    expect(execution.status).toBe('SUCCEEDED');
    expect(runtime.sandbox?.chargesFor(detail.paymentId)).toHaveLength(1);
    const payment = await new PaymentsRepository(clients.documents, runtime.names.tables.payments).get(
      detail.paymentId,
    );
    expect(payment?.status).toBe('SUCCEEDED');
    expect(await depth(runtime.names.queues.intakeDlq)).toEqual({ visible: 0, inFlight: 0 });
    const records =
      audit.json<Array<{ auditId: string; action: string; count: number; outcome: string; actor: string }>>();
    const record = records.find((r) => r.action === 'dlq.redrive');
    expect(records.filter((r) => r.action === 'dlq.redrive')).toHaveLength(1);
    expect(record).toMatchObject({
      count: 1,
      outcome: 'succeeded',
      target: expect.stringContaining('intake-dlq'),
    });
    expect(record?.actor).toMatch(/^local:/);
    const published = opsEvents.find((e) => (e.detail as { auditId?: string }).auditId === record?.auditId);
    expect(published?.['detail-type']).toBe(DETAIL_TYPES.opsActionPerformed);
    expect(published?.detail).toMatchObject({
      action: 'dlq.redrive',
      count: 1,
      outcome: 'succeeded',
      stage: 'local',
    });
  });

  it('peeks a rejection with its reason and masked card data, and refuses to redrive rejections', async () => {
    // Prepare
    const detail = await request({ description: 'card 4242 4242 4242 4242' });
    await send(detail);
    await waitFor('the rejection in the intake DLQ', async () =>
      (await depth(runtime.names.queues.intakeDlq)).visible === 1 ? true : undefined,
    );
    const auditBefore = (await payctl('--json', 'audit', '--since', '1h')).json<unknown[]>().length;
    // Act
    const peeked = await payctl('dlq', 'peek', 'paysaga-local-intake-dlq');
    const redrive = await payctl('--yes', 'dlq', 'redrive', 'intake-dlq');
    const auditAfter = (await payctl('--json', 'audit', '--since', '1h')).json<unknown[]>().length;
    // Assess
    expect(peeked.code).toBe(EXIT.ok);
    expect(peeked.stdout).toContain(detail.paymentId);
    expect(peeked.stdout).toContain('[card_data_refused]');
    expect(peeked.stdout).not.toMatch(/4242 4242 4242 4242/);
    expect(redrive.code).toBe(EXIT.failure);
    expect(redrive.stderr).toMatch(/intake rejections \(card_data_refused: 1\).*--include-rejected/);
    expect(await depth(runtime.names.queues.intakeDlq)).toEqual({ visible: 1, inFlight: 0 });
    expect(auditAfter).toBe(auditBefore);
  });

  it('redrives the EventBridge target DLQ (no SQS move task takes it) by moving the messages itself', async () => {
    // Prepare: an event EventBridge could not deliver to the intake queue, as it dead-letters one.
    const detail = await request();
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': DETAIL_TYPES.paymentRequested,
      source: 'shop.checkout',
      account: '000000000000',
      time: new Date().toISOString(),
      region: runtime.region,
      resources: [],
      detail,
    };
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: runtime.internals.sqs.queueUrl(runtime.names.queues.intakeRuleDlq),
        MessageBody: JSON.stringify(event),
        MessageAttributes: {
          ERROR_CODE: attribute('SQS.KmsThrottling'),
          ERROR_MESSAGE: attribute('KMS throttled the request'),
        },
      }),
    );
    // Act
    const peeked = await payctl('--json', 'dlq', 'peek', 'intake-rule-dlq');
    const cancel = await payctl('--yes', 'dlq', 'redrive', 'intake-rule-dlq', '--cancel');
    const redrive = await payctl('--json', '--yes', 'dlq', 'redrive', 'intake-rule-dlq');
    const execution = await waitFor('the saga of the redriven event to end', async () => {
      const e = await clients.sfn
        .send(new DescribeExecutionCommand({ executionArn: executionArnOf(detail.paymentId) }))
        .catch(() => undefined);
      return e && e.status !== 'RUNNING' ? e : undefined;
    });
    // Assess
    expect(peeked.json<Peeked[]>()[0]).toMatchObject({
      paymentId: detail.paymentId,
      reasonCode: 'SQS.KmsThrottling',
      reason: 'KMS throttled the request',
    });
    expect(cancel.code).toBe(EXIT.failure);
    expect(cancel.stderr).toMatch(/redriven by payctl itself/);
    expect(redrive.code).toBe(EXIT.ok);
    expect(redrive.json()).toMatchObject({ status: 'COMPLETED', moved: 1, failed: 0 });
    expect(execution.status).toBe('SUCCEEDED');
    expect(runtime.sandbox?.chargesFor(detail.paymentId)).toHaveLength(1);
    expect(await depth(runtime.names.queues.intakeRuleDlq)).toEqual({ visible: 0, inFlight: 0 });
    const { Results = [] } = await clients.sqs.send(
      new ListMessageMoveTasksCommand({
        SourceArn: runtime.internals.sqs.queueArn(runtime.names.queues.intakeRuleDlq),
      }),
    );
    expect(Results).toEqual([]);
  });

  it('cancels a running redrive: what moved stays moved, the rest stays in the DLQ, both actions audited', async () => {
    // Prepare: undelivered merchant notifications (nothing consumes the notification queue locally).
    const dlqUrl = runtime.internals.sqs.queueUrl(runtime.names.queues.notificationDlq);
    const paymentIds = Array.from({ length: 6 }, () => `pay_${randomUUID().slice(0, 12)}`);
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: paymentIds.map((paymentId, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({
            kind: 'notification',
            paymentId,
            error: 'WebhookError',
            cause: 'HTTP 500',
          }),
        })),
      }),
    );
    const sourceArn = runtime.internals.sqs.queueArn(runtime.names.queues.notificationDlq);
    // Sagas of earlier tests queued their own notifications.
    const before = await depth(runtime.names.queues.notification);
    // Act: a slow redrive, cancelled once it runs.
    const slow = payctl(
      '--json',
      '--yes',
      'dlq',
      'redrive',
      'notification-dlq',
      '--max-per-second',
      '1',
      '--poll-ms',
      '50',
    );
    await waitFor('the redrive to run', async () => {
      const { Results = [] } = await clients.sqs.send(
        new ListMessageMoveTasksCommand({ SourceArn: sourceArn }),
      );
      return Results[0]?.Status === 'RUNNING' ? true : undefined;
    });
    const peekWhileRunning = await payctl('dlq', 'peek', 'notification-dlq');
    const cancel = await payctl('--json', '--yes', 'dlq', 'redrive', 'notification-dlq', '--cancel');
    const redrive = await slow;
    const left = await depth(runtime.names.queues.notificationDlq);
    const moved = await depth(runtime.names.queues.notification);
    const audit = await payctl('--json', 'audit', '--since', '1h');
    // Assess
    expect(peekWhileRunning.code).toBe(EXIT.failure);
    expect(peekWhileRunning.stderr).toMatch(/a redrive of paysaga-local-notification-dlq is running/);
    expect(cancel.code).toBe(EXIT.ok);
    expect(redrive.json()).toMatchObject({ status: 'CANCELLED' });
    expect([EXIT.partial, EXIT.failure]).toContain(redrive.code);
    const { moved: movedCount } = redrive.json<{ moved: number }>();
    expect(movedCount).toBeLessThan(6);
    expect(moved.visible - before.visible).toBe(movedCount);
    expect(left.visible + left.inFlight).toBe(6 - movedCount);
    const records = audit.json<Array<{ action: string; target: string; outcome: string; count: number }>>();
    expect(records.filter((r) => r.target.startsWith(runtime.names.queues.notificationDlq))).toEqual([
      expect.objectContaining({ action: 'dlq.redrive.cancel', outcome: 'succeeded' }),
      expect.objectContaining({ action: 'dlq.redrive', outcome: 'cancelled', count: movedCount }),
    ]);
  });

  it('peeks a parked compensation: its error as the code, the message of its cause (not the trace) as the reason', async () => {
    // Prepare: what the saga's DeadLetterCompensation state sends.
    const paymentId = `pay_${randomUUID().slice(0, 12)}`;
    const cause = JSON.stringify({
      errorType: 'GatewayUnavailableError',
      errorMessage: `refund ${paymentId}: gateway error (HTTP 503)`,
      trace: ['GatewayUnavailableError: at refund (refund-charge.ts:1)'],
    });
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: runtime.internals.sqs.queueUrl(runtime.names.queues.compensationDlq),
        MessageBody: JSON.stringify({
          kind: 'compensation',
          paymentId,
          saga: { payment: { paymentId } },
          error: 'GatewayUnavailableError',
          cause,
          executionArn: executionArnOf(paymentId),
        }),
      }),
    );
    // Act
    const peeked = await payctl('--json', 'dlq', 'peek', 'compensation-dlq');
    // Assess
    expect(peeked.code).toBe(EXIT.ok);
    expect(peeked.json<Peeked[]>()).toEqual([
      expect.objectContaining({
        paymentId,
        reasonCode: 'GatewayUnavailableError',
        reason: `refund ${paymentId}: gateway error (HTTP 503)`,
      }),
    ]);
    expect(await depth(runtime.names.queues.compensationDlq)).toEqual({ visible: 1, inFlight: 0 });
  });

  it('says what is wrong and exits non-zero on bad arguments, and asks before changing anything', async () => {
    // Act
    const unknownQueue = await payctl('dlq', 'peek', 'no-such-queue');
    const sourceQueue = await payctl('dlq', 'redrive', 'intake');
    const badLimit = await payctl('dlq', 'peek', 'intake-dlq', '--limit', '0');
    const byHand = await payctl('--yes', 'dlq', 'redrive', 'compensation-dlq');
    const unconfirmed = await payctl('dlq', 'redrive', 'notification-dlq', '--cancel');
    const nothingToCancel = await payctl('--yes', 'dlq', 'redrive', 'notification-dlq', '--cancel');
    const unknownCommand = await payctl('dlq', 'explode');
    // Assess
    expect(unknownQueue.code).toBe(EXIT.usage);
    expect(unknownQueue.stderr).toMatch(/unknown queue "no-such-queue".*intake-dlq, intake-rule-dlq/);
    expect(sourceQueue.code).toBe(EXIT.usage);
    expect(sourceQueue.stderr).toMatch(/not a dead-letter queue; its DLQ is intake-dlq/);
    expect(badLimit.code).toBe(EXIT.usage);
    expect(badLimit.stderr).toMatch(/--limit must be a whole number from 1 to 100/);
    expect(byHand.code).toBe(EXIT.failure);
    expect(byHand.stderr).toMatch(/resolve it by hand/);
    expect(unconfirmed.code).toBe(EXIT.usage);
    expect(unconfirmed.stderr).toMatch(/refusing without --yes/);
    expect(nothingToCancel.code).toBe(EXIT.failure);
    expect(nothingToCancel.stderr).toMatch(/no redrive of paysaga-local-notification-dlq is running/);
    expect(unknownCommand.code).toBe(EXIT.usage);
  });
});
