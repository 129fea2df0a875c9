import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiRequestStore } from '../../core/frontdoor/api-request-store';
import { createStripeGateway } from '../../core/gateway/stripe-adapter';
import { Ledger } from '../../core/ledger';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import { recordRefundOutcome } from '../../core/refunds/outcome';
import type { RefundRecordOutcomeInput } from '../../core/refunds/state';
import type { RefundStepDeps } from '../../core/refunds/steps';
import { MerchantNotification, notificationId, notificationMessage } from '../../core/saga/notification';
import { withReasonCode } from '../../core/saga/outcome';
import { WebhookDeliveryStore } from '../../core/webhooks/delivery-store';
import { fanOut } from '../../core/webhooks/fanout';
import type { DeliveryMessage, WebhookEndpointRecord } from '../../core/webhooks/model';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';
import { notificationRecorder } from '../helpers/notifications';
import { refundRequest, runRefundSteps, seedSucceededPayment } from '../helpers/refunds';
import { type StartedSandbox, startSandbox } from '../helpers/sandbox';

/**
 * The refund saga's RecordOutcome (core/refunds/outcome.ts) over dynalite and the sandbox gateway:
 * it queues refund.succeeded / refund.failed on the notification queue, dated by the refund's
 * recorded terminal time (a retried step queues the same notification), and the webhook fan-out
 * sends it to the endpoints of the front-door client that submitted the refunded payment.
 */

let dynamo: LocalDynamo;
let sandbox: StartedSandbox;
let ledger: Ledger;
let refunds: PaymentRefundStore;
let requests: ApiRequestStore;
let deliveries: WebhookDeliveryStore;
let deps: RefundStepDeps & { gateway: ReturnType<typeof createStripeGateway> };

const destinations = { eventBusName: 'bus', compensationDlqName: 'dlq' };
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/paysaga-test-notification';

beforeAll(async () => {
  dynamo = await startDynalite();
  sandbox = await startSandbox();
  const gateway = createStripeGateway({
    apiKey: sandbox.apiKey,
    apiBase: sandbox.url,
    timeoutMs: 400,
    maxNetworkRetries: 0,
  });
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger });
  refunds = new PaymentRefundStore(dynamo.doc, dynamo.tables.payments);
  requests = new ApiRequestStore(dynamo.doc, dynamo.tables.payments);
  deliveries = new WebhookDeliveryStore(dynamo.doc, dynamo.tables.payments);
  const payments = new PaymentsRepository(dynamo.doc, dynamo.tables.payments);
  deps = { refunds, payments, ledger, gateway, now: () => new Date() };
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await dynamo?.stop();
});

/** A SUCCEEDED split payment submitted through the front door by a client of its own. */
async function clientPayment(walletAmount: number, gatewayAmount: number) {
  const payment = await seedSucceededPayment(dynamo, ledger, deps.gateway, { walletAmount, gatewayAmount });
  const clientId = `client-${randomUUID().slice(0, 8)}`;
  await requests.create({
    paymentId: payment.paymentId,
    clientId,
    source: 'partner.test',
    clientHash: 'h',
    detail: '{}',
    acceptedAt: new Date().toISOString(),
  });
  return { payment, clientId };
}

/** An endpoint of `clientId` subscribed to the refund kinds. */
const endpointOf = (clientId: string): WebhookEndpointRecord => ({
  endpointId: `we_${randomUUID().slice(0, 12)}`,
  clientId,
  url: 'http://127.0.0.1:9/hooks',
  events: ['refund.succeeded', 'refund.failed'],
  secrets: [{ ciphertext: 'c2VjcmV0', createdAt: new Date().toISOString() }],
  createdAt: new Date().toISOString(),
});

/** What the webhook fan-out does with a queued notification: parse the message body, fan out. */
async function fanOutQueued(notification: MerchantNotification, endpoints: WebhookEndpointRecord[]) {
  const queued: DeliveryMessage[] = [];
  const body = notificationMessage(QUEUE_URL, notification).MessageBody ?? '';
  const result = await fanOut(
    {
      clients: {
        paymentClient: async (paymentId) => (await requests.get(paymentId))?.clientId,
        topUpClient: async () => undefined,
      },
      endpoints: { list: async (clientId) => endpoints.filter((e) => e.clientId === clientId) },
      deliveries,
      enqueue: async (messages) => {
        queued.push(...messages);
      },
      now: () => new Date(),
    },
    MerchantNotification.parse(JSON.parse(body)),
  );
  return { result, queued };
}

describe('refund outcome webhooks', () => {
  it("queues refund.succeeded once per refund however often RecordOutcome runs, for the payment's client", async () => {
    // Prepare: 3.00 from the wallet, 5.00 on the card; another client's endpoint too
    const { payment, clientId } = await clientPayment(300, 500);
    const refund = refundRequest(payment.paymentId);
    const run = await runRefundSteps(deps, refund);
    if (run.outcome !== 'succeeded') throw new Error(`refund ${run.outcome}`);
    const input: RefundRecordOutcomeInput = {
      outcome: 'succeeded',
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:refund-saga:${refund.refundId}`,
      saga: { refund, reserve: run.reserve, gatewayRefund: { status: 'succeeded' }, reversal: run.reversal },
    };
    const notifications = notificationRecorder();
    const ours = endpointOf(clientId);
    const theirs = endpointOf(`client-other-${randomUUID().slice(0, 8)}`);

    // Act: RecordOutcome, then its retry a minute later
    await recordRefundOutcome(refunds, input, destinations, new Date(), notifications.queue);
    await recordRefundOutcome(
      refunds,
      input,
      destinations,
      new Date(Date.now() + 60_000),
      notifications.queue,
    );
    const fanned = [];
    for (const sent of notifications.sent) fanned.push(await fanOutQueued(sent, [ours, theirs]));

    // Assess
    const eventId = notificationId('refund.succeeded', refund.refundId);
    const record = await refunds.get(payment.paymentId, refund.refundId);
    expect(notifications.sent).toHaveLength(2);
    expect(notifications.sent[1]).toEqual(notifications.sent[0]);
    expect(notifications.sent[0]).toMatchObject({ notificationId: eventId, occurredAt: record?.terminalAt });
    expect(fanned.map((f) => f.result.clientId)).toEqual([clientId, clientId]);
    expect(fanned.flatMap((f) => f.queued.map((m) => [m.eventId, m.endpointId]))).toEqual([
      [eventId, ours.endpointId],
      [eventId, ours.endpointId],
    ]);
    const event = await deliveries.getEvent(eventId);
    expect(event).toMatchObject({ type: 'refund.succeeded', clientId, subjectId: refund.refundId });
    expect(JSON.parse(event?.body ?? '{}')).toEqual({
      id: eventId,
      type: 'refund.succeeded',
      created: Math.floor(Date.parse(record?.terminalAt ?? '') / 1000),
      data: {
        occurredAt: record?.terminalAt,
        refundId: refund.refundId,
        paymentId: payment.paymentId,
        merchantId: payment.merchantId,
        status: 'succeeded',
        amount: { value: 800, currency: 'EUR', exponent: 2 },
        walletAmount: 300,
        gatewayAmount: 500,
      },
    });
  }, 60_000);

  it('queues refund.failed with the reason and the amount asked for a refund beyond what is refundable', async () => {
    // Prepare: 10.00 refundable, 12.00 asked
    const { payment, clientId } = await clientPayment(0, 1000);
    const refund = refundRequest(payment.paymentId, { amount: 1200 });
    const run = await runRefundSteps(deps, refund);
    if (run.outcome !== 'failed') throw new Error(`refund ${run.outcome}`);
    const notifications = notificationRecorder();

    // Act
    await recordRefundOutcome(
      refunds,
      {
        outcome: 'failed',
        executionArn: 'arn:x',
        saga: {
          refund,
          // As the step pipeline hands the error to the ASL's Catch: its reason code after the message.
          error: {
            Error: run.error.name,
            Cause: JSON.stringify({
              errorMessage: withReasonCode(run.error.message, String(Reflect.get(run.error, 'reasonCode'))),
            }),
          },
        },
      },
      destinations,
      new Date(),
      notifications.queue,
    );
    const { queued } = await fanOutQueued(notifications.sent[0] as MerchantNotification, [
      endpointOf(clientId),
    ]);

    // Assess
    expect(notifications.sent).toEqual([
      expect.objectContaining({
        notificationId: notificationId('refund.failed', refund.refundId),
        kind: 'refund.failed',
        status: 'failed',
        amount: { value: 1200, currency: 'EUR', exponent: 2 },
        reasonCode: 'refund_exceeds_refundable',
        reason: expect.stringContaining('refundable'),
      }),
    ]);
    expect(queued).toHaveLength(1);
    expect((await refunds.get(payment.paymentId, refund.refundId))?.status).toBe('FAILED');
  }, 60_000);
});
