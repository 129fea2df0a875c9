import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/errors';
import { WEBHOOKS } from '../../core/config/webhooks';
import { LedgerInvariantError } from '../../core/errors';
import { Ledger } from '../../core/ledger';
import { PaymentsRepository } from '../../core/payments/repository';
import { notificationId } from '../../core/saga/notification';
import { DETAIL_TYPES } from '../../events/envelope';
import { importHandler, type LambdaHandler } from '../../local/functions/registry';
import { runPayctl } from '../helpers/payctl';
import { fundedWallet, putRequested } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';
import { apiClient } from '../helpers/wallets';
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver';
import { webhookApi } from '../helpers/webhooks';

/**
 * The webhooks that end a refund and a resolved payment, over the local
 * runtime: a refund of a front-door client's payment (RefundRequested on the
 * bus -> refund saga -> RecordSuccess) reaches the client's endpoint as
 * refund.succeeded; a payment parked in the compensation DLQ sends nothing
 * until `payctl payments resolve` finishes it, then payment.failed.
 */
const SCOPES = ['write', 'read', 'walletsWrite', 'walletsRead', 'webhooksWrite', 'webhooksRead'] as const;
const acme = apiClient('acme', { scopes: [...SCOPES] });

/** Payments from these wallets: Settle refuses for good and the gateway goes down, so RefundCharge keeps failing. */
const parkedWallets = new Set<string>();

function settleFailingFor(wallets: Set<string>): LambdaHandler {
  let real: Promise<LambdaHandler> | undefined;
  return async (event, context) => {
    const walletId = (event as { payment?: { walletId?: string } }).payment?.walletId ?? '';
    if (wallets.has(walletId)) {
      runtime.sandbox?.setDown(true);
      throw new LedgerInvariantError('settle refused (test): the merchant account is closed');
    }
    real ??= importHandler('settle');
    return (await real)(event, context);
  };
}

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let hooks: WebhookReceiver;
let api: ReturnType<typeof webhookApi>;
let ledger: Ledger;
let payments: PaymentsRepository;

beforeAll(async () => {
  runtime = await startTestRuntime({
    frontDoor: { port: 0, clients: [acme] },
    webhookTimeScale: 0.0001,
    functionOverrides: { settle: settleFailingFor(parkedWallets) },
  });
  clients = sdkClients(runtime);
  api = webhookApi(runtime.frontDoor?.url ?? '');
  ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
  payments = new PaymentsRepository(clients.documents, runtime.names.tables.payments);
  hooks = await startWebhookReceiver();
  const created = await api.create(acme, {
    url: hooks.url,
    events: ['refund.succeeded', 'refund.failed', 'payment.failed'],
  });
  if (created.status !== 201) throw new Error(`create answered ${created.status}`);
}, 60_000);
afterAll(async () => {
  runtime?.sandbox?.setDown(false);
  await hooks?.close();
  await runtime?.dispose();
});

const header = (webhook: ReceivedWebhook, name: string) => webhook.headers[name.toLowerCase()] as string;
const receivedNow = (eventId: string) =>
  hooks.received.filter((w) => header(w, WEBHOOKS.headers.eventId) === eventId);

function receivedFor(eventId: string): Promise<ReceivedWebhook> {
  return waitFor(`the webhook ${eventId}`, () => receivedNow(eventId)[0], 60_000);
}

function statusOf(paymentId: string, status: string): Promise<true> {
  return waitFor(
    `payment ${paymentId} ${status}`,
    async () => ((await payments.get(paymentId))?.status === status ? true : undefined),
    60_000,
  );
}

describe('refund and resolution webhooks', () => {
  it("sends refund.succeeded with each part to the endpoint of the refunded payment's client", async () => {
    // Prepare: EUR 12.50 from a wallet holding 5.00: 5.00 held from the wallet, 7.50 charged on the card
    const walletId = await fundedWallet(ledger, 500);
    const paymentId = await api.pay(acme, walletId);
    await statusOf(paymentId, 'SUCCEEDED');
    const refundId = `rf_${randomUUID().slice(0, 12)}`;

    // Act
    await putRequested(
      clients.events,
      runtime.names.eventBus,
      DETAIL_TYPES.refundRequested,
      {
        schemaVersion: '1',
        refundId,
        paymentId,
        reason: 'customer returned the goods',
        requestedAt: new Date().toISOString(),
      },
      'shop.returns',
    );
    const webhook = await receivedFor(notificationId('refund.succeeded', refundId));

    // Assess
    expect(header(webhook, WEBHOOKS.headers.eventType)).toBe('refund.succeeded');
    expect(JSON.parse(webhook.body)).toMatchObject({
      type: 'refund.succeeded',
      data: {
        refundId,
        paymentId,
        merchantId: 'mer_bookshop',
        status: 'succeeded',
        amount: { value: 1250, currency: 'EUR', exponent: 2 },
        walletAmount: 500,
        gatewayAmount: 750,
      },
    });
    expect(webhook.body).not.toContain('executionArn');
    expect(runtime.sandbox?.refundsFor(paymentId).map((r) => r.amount)).toEqual([750]);
  }, 120_000);

  it('sends payment.failed for a payment that needed attention only once payctl resolved it', async () => {
    // Prepare: Settle refused for good while the gateway went down: RefundCharge ran out of retries
    const walletId = await fundedWallet(ledger, 500);
    parkedWallets.add(walletId);
    const paymentId = await api.pay(acme, walletId);
    await statusOf(paymentId, 'NEEDS_ATTENTION');
    runtime.sandbox?.setDown(false);
    const eventId = notificationId('payment.failed', paymentId);
    const beforeResolve = receivedNow(eventId);

    // Act
    const resolved = await runPayctl(runtime, '--yes', 'payments', 'resolve', paymentId, '--refund');
    const webhook = await receivedFor(eventId);
    const again = await runPayctl(runtime, '--yes', 'payments', 'resolve', paymentId, '--refund');

    // Assess
    expect(beforeResolve).toEqual([]);
    expect(resolved.code, resolved.stderr).toBe(EXIT.ok);
    expect(again.code, again.stderr).toBe(EXIT.ok);
    const resolution = (await payments.get(paymentId))?.resolution;
    expect(JSON.parse(webhook.body)).toEqual({
      id: eventId,
      type: 'payment.failed',
      created: Math.floor(Date.parse(resolution?.at ?? '') / 1000),
      data: expect.objectContaining({
        paymentId,
        merchantId: 'mer_bookshop',
        amount: { value: 1250, currency: 'EUR', exponent: 2 },
      }),
    });
    expect(runtime.sandbox?.refundsFor(paymentId)).toHaveLength(1);
    expect(receivedNow(eventId)).toHaveLength(1);
  }, 150_000);
});
