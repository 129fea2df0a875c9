import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOKS } from '../../core/config/webhooks';
import { Ledger } from '../../core/ledger';
import { notificationId } from '../../core/saga/notification';
import { WebhookDeliveryStore } from '../../core/webhooks/delivery-store';
import { parseSignatureHeader, verifySignature } from '../../core/webhooks/signature';
import { runPayctl } from '../helpers/payctl';
import { fundedWallet } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';
import { apiClient } from '../helpers/wallets';
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver';
import { webhookApi } from '../helpers/webhooks';

/**
 * Merchant webhooks end to end: a payment over the front door, Notify's
 * notification fanned out to the client's endpoints, signed deliveries to a
 * receiver on 127.0.0.1, retries, the webhook DLQ. Time-scaled (0.0001): the
 * 25 h retry window is 9 s, the 24 h secret overlap 8.6 s, an attempt's
 * timeout 1 s (its floor).
 */
const SCALE = 0.0001;
const WEBHOOK_SCOPES = [
  'write',
  'read',
  'walletsWrite',
  'walletsRead',
  'webhooksWrite',
  'webhooksRead',
] as const;
const acme = apiClient('acme', { scopes: [...WEBHOOK_SCOPES] });
const globex = apiClient('globex', { scopes: [...WEBHOOK_SCOPES] });

let runtime: TestRuntime;
let api: ReturnType<typeof webhookApi>;
let ledger: Ledger;
let deliveries: WebhookDeliveryStore;
const receivers: WebhookReceiver[] = [];
const registered: string[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime({
    frontDoor: { port: 0, clients: [acme, globex] },
    webhookTimeScale: SCALE,
  });
  api = webhookApi(runtime.frontDoor?.url ?? '');
  const { documents } = sdkClients(runtime);
  ledger = new Ledger({ doc: documents, tableName: runtime.names.tables.ledger });
  deliveries = new WebhookDeliveryStore(documents, runtime.names.tables.payments);
});
afterEach(async () => {
  await Promise.all(registered.splice(0).map((endpointId) => api.delete(acme, endpointId)));
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});
afterAll(async () => {
  await runtime?.dispose();
});

async function receiver(behaviour?: Parameters<typeof startWebhookReceiver>[0]): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(behaviour);
  receivers.push(started);
  return started;
}

async function register(url: string, events: string[] = ['payment.succeeded']) {
  const created = await api.create(acme, { url, events });
  if (created.status !== 201)
    throw new Error(`create answered ${created.status} ${JSON.stringify(created.json)}`);
  const endpoint = created.json as { id: string; secret: string };
  registered.push(endpoint.id);
  return endpoint;
}

async function pay(): Promise<string> {
  return api.pay(acme, await fundedWallet(ledger, 10_000));
}

const header = (webhook: ReceivedWebhook, name: string) => webhook.headers[name.toLowerCase()] as string;
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('webhook delivery', () => {
  it('delivers a signed payment.succeeded that verifies with the secret from registration', async () => {
    // Prepare
    const hooks = await receiver();
    const endpoint = await register(hooks.url);

    // Act
    const paymentId = await pay();
    const [webhook] = await waitFor('the delivery', () =>
      hooks.received.length > 0 ? hooks.received : undefined,
    );

    // Assess
    if (!webhook) throw new Error('no webhook');
    const eventId = notificationId('payment.succeeded', paymentId);
    const body = JSON.parse(webhook.body) as {
      id: string;
      type: string;
      created: number;
      data: { paymentId: string };
    };
    expect(body).toMatchObject({ id: eventId, type: 'payment.succeeded', data: { paymentId } });
    expect(typeof body.created).toBe('number');
    expect(header(webhook, WEBHOOKS.headers.eventId)).toBe(eventId);
    expect(header(webhook, WEBHOOKS.headers.eventType)).toBe('payment.succeeded');
    const signature = header(webhook, WEBHOOKS.headers.signature);
    expect(verifySignature(signature, endpoint.secret, webhook.body, nowSeconds(), 300)).toBe(true);
    expect(verifySignature(signature, 'whsec_wrong', webhook.body, nowSeconds(), 300)).toBe(false);
    const log = await waitFor('the delivery log', async () => {
      const found = await deliveries.log(eventId);
      return found.deliveries[0]?.status === 'delivered' ? found : undefined;
    });
    expect(log.attempts).toHaveLength(1);
    expect(log.attempts[0]).toMatchObject({ endpointId: endpoint.id, statusCode: 200, attempt: 1 });
  });

  it('retries a receiver that fails 3 times, then delivers once more with the same event id', async () => {
    // Prepare
    const hooks = await receiver((index) => (index < 3 ? 503 : 200));
    await register(hooks.url);

    // Act
    const paymentId = await pay();
    await waitFor('four attempts', () => (hooks.received.length >= 4 ? true : undefined));
    const eventId = notificationId('payment.succeeded', paymentId);
    const log = await waitFor('delivered', async () => {
      const found = await deliveries.log(eventId);
      return found.deliveries[0]?.status === 'delivered' ? found : undefined;
    });

    // Assess
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hooks.received).toHaveLength(4);
    expect(new Set(hooks.received.map((w) => header(w, WEBHOOKS.headers.eventId)))).toEqual(
      new Set([eventId]),
    );
    expect(new Set(hooks.received.map((w) => w.body)).size).toBe(1);
    expect(log.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503, 200]);
    expect(log.attempts[0]?.error).toBe('HTTP 503');
  });

  it('times out a hanging receiver and retries it', async () => {
    // Prepare
    const hooks = await receiver((index) => (index === 0 ? 'hang' : 200));
    await register(hooks.url);

    // Act
    const paymentId = await pay();
    const eventId = notificationId('payment.succeeded', paymentId);
    const log = await waitFor('delivered after a timeout', async () => {
      const found = await deliveries.log(eventId);
      return found.deliveries[0]?.status === 'delivered' ? found : undefined;
    });

    // Assess
    expect(log.attempts).toHaveLength(2);
    expect(log.attempts[0]?.error).toMatch(/^timeout after 1000 ms/);
    expect(log.attempts[0]?.statusCode).toBeUndefined();
    expect(log.attempts[1]?.statusCode).toBe(200);
  });

  it('dead-letters a delivery to a receiver down for good, with the reason, after the scaled window', async () => {
    // Prepare
    const hooks = await receiver(() => 500);
    const endpoint = await register(hooks.url);
    const { sqs } = sdkClients(runtime);
    const dlqUrl = runtime.env.WEBHOOK_DLQ_URL ?? '';

    // Act
    const paymentId = await pay();
    const eventId = notificationId('payment.succeeded', paymentId);
    const dead = await waitFor(
      'the webhook DLQ',
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        return Messages.map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>).find(
          (m) => m.eventId === eventId,
        );
      },
      40_000,
    );

    // Assess
    expect(dead).toMatchObject({ eventId, endpointId: endpoint.id });
    expect((dead.deadLetter as { reason: string }).reason).toMatch(
      /not delivered after \d+ attempts .*HTTP 500/,
    );
    const log = await deliveries.log(eventId);
    expect(log.deliveries[0]?.status).toBe('dead');
    expect(log.attempts.length).toBeGreaterThan(2);
    expect(hooks.received.length).toBe(log.attempts.length);
  }, 60_000);

  it('signs with both secrets during a rotation overlap, each verifying', async () => {
    // Prepare
    const hooks = await receiver();
    const endpoint = await register(hooks.url);
    const rotated = await api.rotate(acme, endpoint.id);
    const fresh = rotated.json as { secret: string; previousSecretExpiresAt: string };

    // Act
    await pay();
    const [webhook] = await waitFor('the delivery', () =>
      hooks.received.length > 0 ? hooks.received : undefined,
    );

    // Assess
    if (!webhook) throw new Error('no webhook');
    expect(rotated.status).toBe(200);
    expect(fresh.secret).not.toBe(endpoint.secret);
    expect(fresh.previousSecretExpiresAt).toBeDefined();
    const signature = header(webhook, WEBHOOKS.headers.signature);
    expect(parseSignatureHeader(signature)?.signatures).toHaveLength(2);
    expect(verifySignature(signature, fresh.secret, webhook.body, nowSeconds(), 300)).toBe(true);
    expect(verifySignature(signature, endpoint.secret, webhook.body, nowSeconds(), 300)).toBe(true);
  });

  it('does not send event types the endpoint did not subscribe to', async () => {
    // Prepare
    const unsubscribed = await receiver();
    const subscribed = await receiver();
    await register(unsubscribed.url, ['payment.failed', 'refund.succeeded']);
    await register(subscribed.url, ['payment.succeeded']);

    // Act
    await pay();
    await waitFor('the subscribed delivery', () => (subscribed.received.length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // Assess
    expect(unsubscribed.received).toHaveLength(0);
  });
});

describe('/v1/webhook-endpoints', () => {
  it("answers 404 for another client's endpoint, on read, rotate and delete", async () => {
    // Prepare
    const endpoint = await register('http://127.0.0.1:9/hooks');

    // Act
    const mine = await api.get(acme, endpoint.id);
    const theirs = await api.get(globex, endpoint.id);
    const rotate = await api.rotate(globex, endpoint.id);
    const remove = await api.delete(globex, endpoint.id);

    // Assess
    expect(mine.status).toBe(200);
    expect(mine.json).toMatchObject({ id: endpoint.id, url: 'http://127.0.0.1:9/hooks' });
    expect(JSON.stringify(mine.json)).not.toContain(endpoint.secret);
    expect([theirs.status, rotate.status, remove.status]).toEqual([404, 404, 404]);
    expect((await api.get(acme, endpoint.id)).status).toBe(200);
  });

  it('refuses a URL the local policy does not allow, and an unknown event type, with field paths', async () => {
    // Act
    const privateUrl = await api.create(acme, {
      url: 'http://10.0.0.1/hooks',
      events: ['payment.succeeded'],
    });
    const unknownType = await api.create(acme, { url: 'http://127.0.0.1:9/', events: ['payment.maybe'] });

    // Assess
    expect(privateUrl.status).toBe(400);
    expect(JSON.stringify(privateUrl.json)).toContain('"path":"url"');
    expect(unknownType.status).toBe(400);
    expect(JSON.stringify(unknownType.json)).toContain('events.0');
  });

  it('deletes an endpoint: 204, then 404', async () => {
    // Prepare
    const endpoint = await register('http://127.0.0.1:9/hooks');

    // Act
    const removed = await api.delete(acme, endpoint.id);
    const after = await api.get(acme, endpoint.id);

    // Assess
    expect(removed.status).toBe(204);
    expect(after.status).toBe(404);
  });
});

describe('payctl webhooks', () => {
  it('lists the endpoint, shows the delivery log of a payment, and resends an event, audited', async () => {
    // Prepare
    const hooks = await receiver();
    const endpoint = await register(hooks.url);
    const paymentId = await pay();
    const eventId = notificationId('payment.succeeded', paymentId);
    await waitFor('the first delivery', async () => {
      const found = await deliveries.log(eventId);
      return found.deliveries[0]?.status === 'delivered' ? true : undefined;
    });

    // Act
    const listed = await runPayctl(runtime, '--json', 'webhooks', 'list');
    const resent = await runPayctl(runtime, '--json', '--yes', 'webhooks', 'resend', eventId);
    await waitFor('the resent delivery', () => (hooks.received.length >= 2 ? true : undefined));
    const log = await waitFor('the resent attempt logged', async () => {
      const found = await runPayctl(runtime, '--json', 'webhooks', 'deliveries', paymentId);
      const logs = found.json<Array<{ attempts: Array<{ resentBy?: string }> }>>();
      return logs[0]?.attempts.some((a) => a.resentBy) ? logs : undefined;
    });
    const audit = await runPayctl(runtime, '--json', 'audit', '--since', '1h');

    // Assess
    expect(listed.code).toBe(0);
    expect(listed.json<Array<{ endpointId: string; url: string }>>()).toEqual(
      expect.arrayContaining([expect.objectContaining({ endpointId: endpoint.id, url: hooks.url })]),
    );
    expect(listed.stdout).not.toContain(endpoint.secret);
    expect(resent.code).toBe(0);
    expect(resent.json<{ endpoints: string[] }>().endpoints).toEqual([endpoint.id]);
    expect(hooks.received.map((w) => header(w, WEBHOOKS.headers.eventId))).toEqual([eventId, eventId]);
    expect(log[0]?.attempts).toHaveLength(2);
    const record = audit
      .json<Array<{ action: string; target: string; count: number; outcome: string; actor: string }>>()
      .find((entry) => entry.action === 'webhooks.resend' && entry.target === eventId);
    expect(record).toMatchObject({ count: 1, outcome: 'succeeded' });
    expect(record?.actor).toBeTruthy();
  });
});
