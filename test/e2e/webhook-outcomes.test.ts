import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOKS } from '../../core/config/webhooks';
import { Ledger } from '../../core/ledger';
import { notificationId } from '../../core/saga/notification';
import { fundedWallet } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';
import { newTopUpId, topUpApi, topUpBody } from '../helpers/top-ups';
import { apiClient, newWalletIdForTest, newWalletKey, walletApi } from '../helpers/wallets';
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver';
import { webhookApi } from '../helpers/webhooks';

/**
 * Every outcome is queued for webhooks, not only a settled payment's: a
 * failed (compensated) payment's payment.failed and a top-up's
 * top_up.succeeded / top_up.failed come from the record-outcome steps and reach
 * the receiver like Notify's payment.succeeded.
 */
const SCOPES = ['write', 'read', 'walletsWrite', 'walletsRead', 'webhooksWrite', 'webhooksRead'] as const;
const acme = apiClient('acme', { scopes: [...SCOPES] });

let runtime: TestRuntime;
let hooks: WebhookReceiver;
let api: ReturnType<typeof webhookApi>;
let ledger: Ledger;

beforeAll(async () => {
  runtime = await startTestRuntime({ frontDoor: { port: 0, clients: [acme] }, webhookTimeScale: 0.0001 });
  const base = runtime.frontDoor?.url ?? '';
  api = webhookApi(base);
  ledger = new Ledger({ doc: sdkClients(runtime).documents, tableName: runtime.names.tables.ledger });
  hooks = await startWebhookReceiver();
  const created = await api.create(acme, {
    url: hooks.url,
    events: ['payment.failed', 'top_up.succeeded', 'top_up.failed'],
  });
  if (created.status !== 201) throw new Error(`create answered ${created.status}`);
});
afterAll(async () => {
  await hooks?.close();
  await runtime?.dispose();
});

const header = (webhook: ReceivedWebhook, name: string) => webhook.headers[name.toLowerCase()] as string;

function receivedFor(eventId: string): Promise<ReceivedWebhook> {
  return waitFor(
    `the webhook ${eventId}`,
    () => hooks.received.find((w) => header(w, WEBHOOKS.headers.eventId) === eventId),
    60_000,
  );
}

async function openWallet(): Promise<string> {
  const walletId = newWalletIdForTest();
  const opened = await walletApi(runtime.frontDoor?.url ?? '').open(acme, newWalletKey(), {
    walletId,
    currency: 'EUR',
  });
  if (opened.status !== 201) throw new Error(`open answered ${opened.status}`);
  return walletId;
}

describe('outcome webhooks', () => {
  it('sends payment.failed for a declined card part, after the wallet hold was released', async () => {
    // Prepare: the wallet holds 5.00 of 12.50, the card part is declined (Charge -> ReleaseFunds -> Failed)
    const walletId = await fundedWallet(ledger, 500);

    // Act
    const paymentId = await api.pay(acme, walletId, { paymentMethod: 'pm_card_chargeDeclined' });
    const webhook = await receivedFor(notificationId('payment.failed', paymentId));

    // Assess
    const body = JSON.parse(webhook.body) as { type: string; data: Record<string, unknown> };
    expect(header(webhook, WEBHOOKS.headers.eventType)).toBe('payment.failed');
    expect(body).toMatchObject({
      type: 'payment.failed',
      data: {
        paymentId,
        merchantId: 'mer_bookshop',
        amount: { value: 1250, currency: 'EUR', exponent: 2 },
        reasonCode: 'card_declined',
      },
    });
    expect(JSON.stringify(body)).not.toContain('executionArn');
  }, 90_000);

  it('sends top_up.succeeded for a top-up charged and credited', async () => {
    // Prepare
    const walletId = await openWallet();
    const topUpId = newTopUpId();

    // Act
    const answer = await topUpApi(runtime.frontDoor?.url ?? '').submit(acme, topUpId, walletId, topUpBody());
    const webhook = await receivedFor(notificationId('top_up.succeeded', topUpId));

    // Assess
    expect(answer.status).toBe(202);
    expect(JSON.parse(webhook.body)).toMatchObject({
      type: 'top_up.succeeded',
      data: { topUpId, walletId, amount: { value: 5000, currency: 'EUR', exponent: 2 } },
    });
  }, 90_000);

  it('sends top_up.failed with the reason for a declined top-up', async () => {
    // Prepare
    const walletId = await openWallet();
    const topUpId = newTopUpId();

    // Act
    await topUpApi(runtime.frontDoor?.url ?? '').submit(
      acme,
      topUpId,
      walletId,
      topUpBody({ paymentMethod: 'pm_card_chargeDeclined' }),
    );
    const webhook = await receivedFor(notificationId('top_up.failed', topUpId));

    // Assess
    expect(JSON.parse(webhook.body)).toMatchObject({
      type: 'top_up.failed',
      data: { topUpId, walletId, reasonCode: 'card_declined' },
    });
  }, 90_000);
});
