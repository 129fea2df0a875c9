import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../core/config/env';
import { WEBHOOKS } from '../../core/config/webhooks';
import { WebhookDeliveryStore } from '../../core/webhooks/delivery-store';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';
import { apiClient } from '../helpers/wallets';
import { paymentSucceeded, queueNotification } from '../helpers/webhook-notifications';
import {
  type ReceivedWebhook,
  type ReceiverBehaviour,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver';
import { webhookApi } from '../helpers/webhooks';

/**
 * Isolation per endpoint (issue 17): one endpoint that hangs must not delay
 * another's deliveries. Time-scaled (0.8): an attempt's timeout is 8 s, the
 * endpoint's first back-off up to 24 s, a slot's lease 12 s. The bound is half
 * the timeout: a delivery held behind hanging attempts waits up to the whole
 * timeout (4-8 s on the code before the slots), while a loaded test machine
 * stalls the runtime for up to ~3.5 s now and then. The runtime polls the
 * delivery queue with WEBHOOKS.isolation.deliveryBatches.local batches at once,
 * as `npm start` does; the sagas are off (intake: false): the payments are only
 * recorded by the front door, and their notifications are put on the queue here
 * at a steady pace, as Notify would.
 */
const SCALE = 0.8;
const TIMEOUT_MS = WEBHOOKS.attemptTimeoutMs * SCALE;
/** Half the attempt timeout: a delivery held behind a hanging attempt waits up to the whole timeout. */
const BOUND_MS = TIMEOUT_MS / 2;
const EVENTS = 10;
const PACE_MS = 300;

const acme = apiClient('acme-isolation', { scopes: ['write', 'read', 'webhooksWrite', 'webhooksRead'] });

let runtime: TestRuntime;
let api: ReturnType<typeof webhookApi>;
let deliveries: WebhookDeliveryStore;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime({
    frontDoor: { port: 0, clients: [acme] },
    webhookTimeScale: SCALE,
    intake: false,
  });
  api = webhookApi(runtime.frontDoor?.url ?? '');
  deliveries = new WebhookDeliveryStore(sdkClients(runtime).documents, runtime.names.tables.payments);
});
afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await runtime?.dispose();
});

const eventIdOf = (webhook: ReceivedWebhook) =>
  String(webhook.headers[WEBHOOKS.headers.eventId.toLowerCase()]);

async function receiver(behaviour: ReceiverBehaviour): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(behaviour);
  receivers.push(started);
  return started;
}

async function register(url: string): Promise<string> {
  const created = await api.create(acme, { url, events: ['payment.succeeded'] });
  if (created.status !== 201) throw new Error(`create answered ${created.status}`);
  return (created.json as { id: string }).id;
}

describe('webhook isolation per endpoint', () => {
  it('delivers to a healthy endpoint within half the timeout while another hangs, holding only its slots, and loses none of its deliveries', async () => {
    // Prepare
    const { sqs } = sdkClients(runtime);
    const queueUrl = runtime.env[ENV_KEYS.notificationQueueUrl] as string;
    const healthy = await receiver(() => 200);
    const answered: string[] = [];
    const hanging = await receiver((_index, webhook) => {
      answered.push(eventIdOf(webhook));
      return 200;
    });
    const hangingId = await register(hanging.url);
    await register(healthy.url);
    const wallet = `wal_iso_${randomUUID().slice(0, 8)}`;
    const warmUp = await queueNotification(sqs, queueUrl, paymentSucceeded(await api.pay(acme, wallet)));
    await waitFor('the warm-up delivered to both', () =>
      [healthy, hanging].every((r) => r.received.some((w) => eventIdOf(w) === warmUp)) ? true : undefined,
    );
    const paymentIds: string[] = [];
    for (let i = 0; i < EVENTS; i++) paymentIds.push(await api.pay(acme, wallet));
    const hangFrom = hanging.received.length;
    hanging.setBehaviour(() => 'hang');

    // Act
    const sentAt = new Map<string, number>();
    const started = Date.now();
    for (const [index, paymentId] of paymentIds.entries()) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, started + index * PACE_MS - Date.now())),
      );
      sentAt.set(paymentSucceeded(paymentId).notificationId, Date.now());
      await queueNotification(sqs, queueUrl, paymentSucceeded(paymentId));
    }
    const arrivals = await waitFor(
      'every event delivered to the healthy endpoint',
      () => {
        const first = new Map<string, number>();
        for (const w of healthy.received) if (!first.has(eventIdOf(w))) first.set(eventIdOf(w), w.at);
        return [...sentAt.keys()].every((id) => first.has(id)) ? first : undefined;
      },
      60_000,
    );
    const firstHung = await waitFor('the hanging endpoint attempted', () => hanging.received[hangFrom]?.at);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstHung + TIMEOUT_MS - Date.now())));
    const inFirstTimeout = hanging.received
      .slice(hangFrom)
      .filter((w) => w.at < firstHung + TIMEOUT_MS).length;

    // Assess: no healthy delivery waited behind the hanging attempts, which held at most the endpoint's slots
    const late = [...sentAt].map(([id, at]) => (arrivals.get(id) ?? at) - at).filter((ms) => ms >= BOUND_MS);
    expect(late, `healthy deliveries at or over ${BOUND_MS} ms`).toEqual([]);
    expect(inFirstTimeout).toBeLessThanOrEqual(WEBHOOKS.isolation.slotsPerEndpoint);

    // Act: the hanging endpoint recovers
    hanging.setBehaviour((_index, webhook) => {
      answered.push(eventIdOf(webhook));
      return 200;
    });
    const logs = await waitFor(
      'every event delivered to the recovered endpoint',
      async () => {
        const all = await Promise.all([...sentAt.keys()].map((eventId) => deliveries.log(eventId)));
        const done = all.every((log) =>
          log.deliveries.some((d) => d.endpointId === hangingId && d.status === 'delivered'),
        );
        return done ? all : undefined;
      },
      120_000,
    );
    const dlqDepth = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: runtime.env[ENV_KEYS.webhookDlqUrl] as string,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );

    // Assess: each of its deliveries arrived once answered, with its event id; only real attempts logged; none dead
    for (const eventId of sentAt.keys()) {
      expect(
        answered.filter((id) => id === eventId),
        `200s for ${eventId}`,
      ).toHaveLength(1);
    }
    for (const log of logs) {
      const eventId = log.event?.eventId ?? '';
      const requests = hanging.received.filter((w) => eventIdOf(w) === eventId).length;
      const logged = log.attempts.filter((a) => a.endpointId === hangingId).length;
      expect(logged, `attempts logged for ${eventId}: only those the receiver got`).toBe(requests);
    }
    expect(dlqDepth.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  }, 240_000);
});
