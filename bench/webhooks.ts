import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { API } from '../core/config/names';
import { ApiRequestStore } from '../core/frontdoor/api-request-store';
import { notificationId } from '../core/saga/notification';
import { type LocalApiClient, newApiKey } from '../local/frontdoor/api-clients';
import { startRuntime } from '../local/runtime';
import { startWebhookReceiver } from '../test/helpers/webhook-receiver';

export interface WebhookBenchRow {
  readonly what: string;
  readonly deliveries: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const client = (): LocalApiClient => ({
  clientId: 'bench-webhooks',
  source: 'partner.bench',
  apiKey: newApiKey(),
  scopes: ['webhooksWrite', 'webhooksRead'],
  throttle: { rateLimit: 1_000_000, burstLimit: 1_000_000 },
});

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * Merchant webhooks on the local runtime (memory storage, production timings:
 * 10 s attempt timeout, 30 s first back-off): payment.succeeded notifications
 * put straight on the notification queue (their payments recorded as the bench
 * client's), fanned out and delivered to a receiver on 127.0.0.1 that answers
 * 200 at once. Deliveries/s and send->receive latency, first with that one
 * endpoint, then with a second subscribed endpoint that never answers.
 */
export async function webhookRows(events: number, say: (line: string) => void): Promise<WebhookBenchRow[]> {
  const bench = client();
  const runtime = await startRuntime({
    memory: true,
    port: 0,
    frontDoor: { port: 0, clients: [bench] },
    sweeper: false,
    // The bench's payment records are published by the outbox; no saga is wanted for them.
    intake: false,
  });
  const fast = await startWebhookReceiver(() => 200);
  const hanging = await startWebhookReceiver(() => 'hang');
  const config = {
    endpoint: runtime.endpoint,
    region: runtime.region,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  };
  const sqs = new SQSClient(config);
  const requests = new ApiRequestStore(
    DynamoDBDocumentClient.from(new DynamoDBClient(config)),
    runtime.names.tables.payments,
  );
  const register = async (url: string) => {
    const answer = await fetch(`${runtime.frontDoor?.url}${API.routes.createWebhookEndpoint.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': bench.apiKey },
      body: JSON.stringify({ url, events: ['payment.succeeded'] }),
    });
    if (answer.status !== 201) throw new Error(`register answered ${answer.status}`);
  };
  const sentAt = new Map<string, number>();
  const run = async (what: string): Promise<WebhookBenchRow> => {
    const before = fast.received.length;
    const ids = Array.from({ length: events }, () => `pay_bench_${randomUUID().slice(0, 12)}`);
    for (const paymentId of ids) {
      await requests.create({
        paymentId,
        clientId: bench.clientId,
        source: bench.source,
        clientHash: 'bench',
        detail: '{}',
        acceptedAt: new Date().toISOString(),
      });
    }
    const started = Date.now();
    for (let i = 0; i < ids.length; i += 10) {
      const now = new Date().toISOString();
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: runtime.env.NOTIFICATION_QUEUE_URL,
          Entries: ids.slice(i, i + 10).map((paymentId, index) => {
            const id = notificationId('payment.succeeded', paymentId);
            sentAt.set(id, Date.now());
            return {
              Id: String(index),
              MessageBody: JSON.stringify({
                notificationId: id,
                kind: 'payment.succeeded',
                occurredAt: now,
                paymentId,
                merchantId: 'mer_bench',
                amount: { value: 1250, currency: 'EUR', exponent: 2 },
                chargeId: 'ch_bench',
                settledAt: now,
              }),
            };
          }),
        }),
      );
    }
    while (fast.received.length - before < events) {
      if (Date.now() - started > 300_000)
        throw new Error(`${what}: only ${fast.received.length - before} delivered`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (Date.now() - started) / 1000;
    const latencies = fast.received
      .slice(before)
      .map((w) => w.at - (sentAt.get(String(w.headers['paysaga-event-id'])) ?? w.at))
      .sort((a, b) => a - b);
    const row = {
      what,
      deliveries: events,
      perSecond: Math.round((events / seconds) * 10) / 10,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.at(-1) ?? 0,
    };
    say(
      `  ${what.padEnd(60)} ${row.perSecond} deliveries/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms  max ${row.maxMs} ms`,
    );
    return row;
  };
  try {
    await register(fast.url);
    const rows = [await run('webhooks: one endpoint answering 200')];
    await register(hanging.url);
    rows.push(await run('webhooks: the same endpoint while another one hangs (10 s timeout)'));
    return rows;
  } finally {
    await fast.close();
    await hanging.close();
    await runtime.stop();
  }
}
