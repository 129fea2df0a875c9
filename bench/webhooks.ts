import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDocumentClient } from '../core/aws/dynamodb';
import { API } from '../core/config/names';
import { ApiRequestStore } from '../core/frontdoor/api-request-store';
import { notificationId } from '../core/saga/notification';
import { type LocalApiClient, newApiKey } from '../local/frontdoor/api-clients';
import { startRuntime } from '../local/runtime';
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../test/helpers/webhook-receiver';

export interface WebhookBenchRow {
  readonly what: string;
  readonly deliveries: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  /** Deliveries that arrived more than 1 s after their notification was sent. */
  readonly overOneSecond: number;
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

/** Notifications per second the bench sends: below what the loaded machine delivers, so latency is delivery, not backlog. */
const PACE_PER_SECOND = 2;
/** Notifications sent (and delivered) before the first row, not measured: the functions' cold starts. */
const WARM_UP = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Merchant webhooks on the local runtime (memory storage, production timings:
 * 10 s attempt timeout, 30 s first back-off): payment.succeeded notifications
 * put on the notification queue at a steady pace (their payments recorded as
 * the bench client's), fanned out and delivered to a receiver on 127.0.0.1
 * that answers 200 at once. Four rows in one run, the same number of
 * notifications each: the healthy endpoint alone; beside a second healthy
 * endpoint (two delivery messages per notification); beside an endpoint that never answers
 * (two delivery messages per notification again), from when it starts hanging;
 * and once more while that endpoint's back-off runs. Latency: SendMessage of
 * the notification -> arrival at the healthy receiver. The isolation figure is
 * the third and fourth rows over the first (and over the second: the same
 * message count).
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
  const second = await startWebhookReceiver(() => 200);
  const hanging = await startWebhookReceiver(() => 'hang');
  const config = {
    endpoint: runtime.endpoint,
    region: runtime.region,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  };
  const sqs = new SQSClient(config);
  const requests = new ApiRequestStore(new DynamoDocumentClient(config), runtime.names.tables.payments);
  const endpoints = `${runtime.frontDoor?.url}${API.routes.createWebhookEndpoint.path}`;
  const headers = { 'content-type': 'application/json', 'x-api-key': bench.apiKey };
  const register = async (url: string): Promise<string> => {
    const answer = await fetch(endpoints, {
      method: 'POST',
      headers,
      body: JSON.stringify({ url, events: ['payment.succeeded'] }),
    });
    if (answer.status !== 201) throw new Error(`register answered ${answer.status}`);
    return ((await answer.json()) as { id: string }).id;
  };
  const unregister = async (endpointId: string) => {
    const answer = await fetch(`${endpoints}/${encodeURIComponent(endpointId)}`, {
      method: 'DELETE',
      headers,
    });
    if (answer.status >= 300) throw new Error(`delete answered ${answer.status}`);
  };
  const eventIdOf = (webhook: ReceivedWebhook) => String(webhook.headers['paysaga-event-id']);
  /** Sends `count` notifications at the bench's pace; answers their ids and when each was sent. */
  const send = async (count: number): Promise<Map<string, number>> => {
    const ids = Array.from({ length: count }, () => `pay_bench_${randomUUID().slice(0, 12)}`);
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
    const sentAt = new Map<string, number>();
    const started = Date.now();
    for (const [index, paymentId] of ids.entries()) {
      await sleep(Math.max(0, started + (index * 1000) / PACE_PER_SECOND - Date.now()));
      const id = notificationId('payment.succeeded', paymentId);
      const now = new Date().toISOString();
      sentAt.set(id, Date.now());
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: runtime.env.NOTIFICATION_QUEUE_URL,
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
        }),
      );
    }
    return sentAt;
  };
  const arrived = async (receiver: WebhookReceiver, sentAt: Map<string, number>, what: string) => {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const got = receiver.received.filter((w) => sentAt.has(eventIdOf(w)));
      if (new Set(got.map(eventIdOf)).size >= sentAt.size) return got;
      if (Date.now() > deadline) throw new Error(`${what}: only ${got.length} of ${sentAt.size} delivered`);
      await sleep(50);
    }
  };
  const run = async (what: string, also?: WebhookReceiver): Promise<WebhookBenchRow> => {
    const sentAt = await send(events);
    const got = await arrived(fast, sentAt, what);
    if (also) await arrived(also, sentAt, `${what} (second endpoint)`);
    const first = new Map<string, number>();
    for (const webhook of got) if (!first.has(eventIdOf(webhook))) first.set(eventIdOf(webhook), webhook.at);
    const latencies = [...first].map(([id, at]) => at - (sentAt.get(id) ?? at)).sort((a, b) => a - b);
    const seconds = (Math.max(...first.values()) - Math.min(...sentAt.values())) / 1000;
    const row = {
      what,
      deliveries: events,
      perSecond: Math.round((events / seconds) * 10) / 10,
      p50Ms: percentile(latencies, 50),
      p90Ms: percentile(latencies, 90),
      p99Ms: percentile(latencies, 99),
      overOneSecond: latencies.filter((ms) => ms > 1000).length,
      maxMs: latencies.at(-1) ?? 0,
    };
    say(
      `  ${what.padEnd(66)} p50 ${row.p50Ms} ms  p90 ${row.p90Ms} ms  p99 ${row.p99Ms} ms  max ${row.maxMs} ms  ` +
        `${row.overOneSecond} of ${events} over 1 s  (${row.perSecond} deliveries/s)`,
    );
    return row;
  };
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
  try {
    await register(fast.url);
    await arrived(fast, await send(WARM_UP), 'warm-up');
    say(
      `  ${events} notifications per row at ${PACE_PER_SECOND}/s; latency = SendMessage -> the healthy receiver`,
    );
    const alone = await run('webhooks: one endpoint answering 200');
    const secondId = await register(second.url);
    const pair = await run('webhooks: the same beside a second endpoint answering 200', second);
    await unregister(secondId);
    await register(hanging.url);
    const beside = await run('webhooks: the same beside an endpoint that hangs (10 s timeout)');
    const steady = await run('webhooks: the same again, the hanging endpoint in its back-off');
    say(
      `  isolation: beside the hanging endpoint / alone: p50 x${ratio(beside.p50Ms, alone.p50Ms)}, p90 x${ratio(beside.p90Ms, alone.p90Ms)}, p99 x${ratio(beside.p99Ms, alone.p99Ms)}; ` +
        `/ beside a healthy one (same message count): p50 x${ratio(beside.p50Ms, pair.p50Ms)}, p90 x${ratio(beside.p90Ms, pair.p90Ms)}, p99 x${ratio(beside.p99Ms, pair.p99Ms)}; ` +
        `again, in its back-off / alone: p50 x${ratio(steady.p50Ms, alone.p50Ms)}, p90 x${ratio(steady.p90Ms, alone.p90Ms)}, p99 x${ratio(steady.p99Ms, alone.p99Ms)}; ` +
        `the hanging endpoint got ${hanging.received.length} attempt(s) for ${2 * events} deliveries`,
    );
    return [alone, pair, beside, steady];
  } finally {
    await fast.close();
    await second.close();
    await hanging.close();
    await runtime.stop();
  }
}
