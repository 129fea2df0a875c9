import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerInvariantError } from '../../core/errors';
import { Ledger, LedgerReader } from '../../core/ledger';
import { gatewayRefOf } from '../../core/topups/keys';
import { TopUpStore } from '../../core/topups/store';
import { DETAIL_TYPES, PAYSAGA_SOURCE } from '../../events/envelope';
import type { TopUpFailed, TopUpSucceeded } from '../../events/top-ups.v1';
import type { BusEvent } from '../../local/events/eventbridge-service';
import { importHandler } from '../../local/functions/registry';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

const PAN = '4242424242424242';
/** Top-ups whose metadata says so fail their Credit for good (a ledger fault no retry fixes). */
const CREDIT_FAILS = { scenario: 'credit-fails' };

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let ledger: Ledger;
let reader: LedgerReader;
let store: TopUpStore;
const published: BusEvent[] = [];

beforeAll(async () => {
  // Loaded on first use, as the runtime loads handlers: the environment is set by then.
  let credit: ReturnType<typeof importHandler> | undefined;
  runtime = await startTestRuntime({
    frontDoor: false,
    functionOverrides: {
      topUpCredit: async (event, context) => {
        const metadata = (event as { topUp?: { metadata?: Record<string, string> } }).topUp?.metadata;
        if (metadata?.scenario === CREDIT_FAILS.scenario)
          throw new LedgerInvariantError('the wallet cannot take this deposit (test fault)');
        credit ??= importHandler('topUpCredit');
        return (await credit)(event, context);
      },
    },
  });
  clients = sdkClients(runtime);
  ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
  reader = new LedgerReader(clients.documents, runtime.names.tables.ledger);
  store = new TopUpStore(clients.documents, runtime.names.tables.payments);
  runtime.internals.events.putRule({
    name: 'capture-top-up-outcomes',
    eventBusName: runtime.names.eventBus,
    pattern: { source: [PAYSAGA_SOURCE] },
    targets: [
      {
        id: 'capture',
        arn: 'local:capture',
        synchronous: true,
        deliver: async (e) => void published.push(e),
      },
    ],
  });
});
afterAll(async () => {
  await runtime?.dispose();
});

async function openWallet(): Promise<string> {
  const walletId = `wal_${randomUUID().slice(0, 12)}`;
  await ledger.openWallet(walletId, 'EUR');
  return walletId;
}

const request = (walletId: string, overrides: Record<string, unknown> = {}) => ({
  schemaVersion: '1',
  topUpId: `top_${randomUUID().slice(0, 12)}`,
  walletId,
  amount: { value: 5000, currency: 'EUR', exponent: 2 },
  paymentMethod: 'pm_card_visa',
  requestedAt: new Date().toISOString(),
  ...overrides,
});

async function putTopUpRequested(detail: unknown): Promise<void> {
  const result = await clients.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: runtime.names.eventBus,
          Source: 'wallet.app',
          DetailType: DETAIL_TYPES.topUpRequested,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  if (result.FailedEntryCount) throw new Error('PutEvents refused the TopUpRequested');
}

const outcomeOf = <T>(topUpId: string, detailType: string) =>
  waitFor(
    `${detailType} of ${topUpId}`,
    () =>
      published.find(
        (e) => e['detail-type'] === detailType && (e.detail as { topUpId?: string }).topUpId === topUpId,
      ),
    30_000,
  ).then((e) => e.detail as T);

const available = async (walletId: string) => (await reader.getWallet(walletId))?.available;

describe('the top-up saga on the local runtime (TopUpRequested on the bus)', () => {
  it('charges once, credits once and publishes TopUpSucceeded, however often the request is delivered', async () => {
    // Prepare
    const walletId = await openWallet();
    const detail = request(walletId);
    // Act
    await putTopUpRequested(detail);
    await putTopUpRequested(detail);
    const succeeded = await outcomeOf<TopUpSucceeded>(detail.topUpId, DETAIL_TYPES.topUpSucceeded);
    // Assess
    expect(succeeded).toMatchObject({ topUpId: detail.topUpId, walletId, amount: detail.amount });
    expect(runtime.sandbox?.chargesFor(gatewayRefOf(detail.topUpId))).toHaveLength(1);
    expect(await available(walletId)).toBe(5000);
    expect(await store.get(detail.topUpId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('fails a declined card with nothing charged or credited', async () => {
    // Prepare
    const detail = request(await openWallet(), { paymentMethod: 'pm_card_chargeDeclined' });
    // Act
    await putTopUpRequested(detail);
    const failed = await outcomeOf<TopUpFailed>(detail.topUpId, DETAIL_TYPES.topUpFailed);
    // Assess
    expect(failed).toMatchObject({
      reasonCode: 'card_declined',
      failedState: 'Charge',
      refund: 'not_needed',
    });
    expect(runtime.sandbox?.chargesFor(gatewayRefOf(detail.topUpId))).toHaveLength(0);
    expect(await available(detail.walletId)).toBe(0);
  });

  it('a decline whose charge nevertheless exists: the charge is found and refunded, then the top-up fails', async () => {
    // Prepare
    const detail = request(await openWallet(), { paymentMethod: 'pm_sandbox_declinecharged' });
    // Act
    await putTopUpRequested(detail);
    const failed = await outcomeOf<TopUpFailed>(detail.topUpId, DETAIL_TYPES.topUpFailed);
    // Assess
    const ref = gatewayRefOf(detail.topUpId);
    const [charge] = runtime.sandbox?.chargesFor(ref) ?? [];
    expect(charge).toMatchObject({ amount: 5000, refunded: 5000 });
    const [refund] = runtime.sandbox?.refundsFor(ref) ?? [];
    expect(failed).toMatchObject({ failedState: 'Charge', refund: 'refunded', refundId: refund?.id });
    expect(await available(detail.walletId)).toBe(0);
    expect(await store.get(detail.topUpId)).toMatchObject({ status: 'FAILED', refundId: refund?.id });
  });

  it('a decline with two charges standing: refunds neither, parks the saga for a person (never FAILED)', async () => {
    // Prepare
    const detail = request(await openWallet(), { paymentMethod: 'pm_sandbox_declinecharged_2' });
    // Act
    await putTopUpRequested(detail);
    const failed = await outcomeOf<TopUpFailed>(detail.topUpId, DETAIL_TYPES.topUpFailed);
    // Assess
    const ref = gatewayRefOf(detail.topUpId);
    expect(failed).toMatchObject({ refund: 'failed', deadLetterQueue: runtime.names.queues.compensationDlq });
    expect(runtime.sandbox?.chargesFor(ref)).toHaveLength(2);
    expect(runtime.sandbox?.refundsFor(ref)).toHaveLength(0);
    expect(await store.get(detail.topUpId)).toMatchObject({ status: 'NEEDS_ATTENTION' });
    expect(await available(detail.walletId)).toBe(0);
  });

  it('charges nothing for a wallet that does not exist', async () => {
    // Prepare
    const detail = request(`wal_${randomUUID().slice(0, 12)}`);
    // Act
    await putTopUpRequested(detail);
    const failed = await outcomeOf<TopUpFailed>(detail.topUpId, DETAIL_TYPES.topUpFailed);
    // Assess
    expect(failed).toMatchObject({ reasonCode: 'invalid_payment', failedState: 'Charge' });
    expect(runtime.sandbox?.chargesFor(gatewayRefOf(detail.topUpId))).toHaveLength(0);
  });

  it.each([
    ['a gateway 5xx', 'pm_sandbox_unavailable_3'],
    ['a lost gateway answer', 'pm_sandbox_dropresponse_2'],
  ])('retries %s with the same key and charges once', async (_, paymentMethod) => {
    // Prepare
    const detail = request(await openWallet(), { paymentMethod });
    // Act
    await putTopUpRequested(detail);
    await outcomeOf<TopUpSucceeded>(detail.topUpId, DETAIL_TYPES.topUpSucceeded);
    // Assess
    expect(runtime.sandbox?.chargesFor(gatewayRefOf(detail.topUpId))).toHaveLength(1);
    expect(await available(detail.walletId)).toBe(5000);
  });

  it('refunds the charge when crediting the wallet fails for good', async () => {
    // Prepare
    const detail = request(await openWallet(), { metadata: CREDIT_FAILS });
    // Act
    await putTopUpRequested(detail);
    const failed = await outcomeOf<TopUpFailed>(detail.topUpId, DETAIL_TYPES.topUpFailed);
    // Assess
    expect(failed).toMatchObject({
      failedState: 'Credit',
      reasonCode: 'ledger_invariant',
      refund: 'refunded',
    });
    const ref = gatewayRefOf(detail.topUpId);
    expect(runtime.sandbox?.chargesFor(ref)).toHaveLength(1);
    expect(runtime.sandbox?.refundsFor(ref)).toHaveLength(1);
    expect(await available(detail.walletId)).toBe(0);
    expect(await store.get(detail.topUpId)).toMatchObject({ status: 'FAILED', failedState: 'Credit' });
  });

  it('parks the saga in the compensation DLQ when the refund fails too', async () => {
    // Prepare
    const detail = request(await openWallet(), {
      paymentMethod: 'pm_sandbox_refundfail',
      metadata: CREDIT_FAILS,
    });
    // Act
    await putTopUpRequested(detail);
    const failed = await outcomeOf<TopUpFailed>(detail.topUpId, DETAIL_TYPES.topUpFailed);
    // Assess
    expect(failed).toMatchObject({ refund: 'failed', deadLetterQueue: runtime.names.queues.compensationDlq });
    const parked = await waitFor('the compensation DLQ message', async () => {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: runtime.internals.sqs.queueUrl(runtime.names.queues.compensationDlq),
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
        }),
      );
      return Messages.map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>).find(
        (body) => body.topUpId === detail.topUpId,
      );
    });
    expect(parked).toMatchObject({ kind: 'top-up-compensation', walletId: detail.walletId });
    expect(await store.get(detail.topUpId)).toMatchObject({ status: 'NEEDS_ATTENTION' });
    expect(await available(detail.walletId)).toBe(0);
  });

  it('parks an invalid or card-carrying request in the top-up intake DLQ with its reason, starting nothing', async () => {
    // Prepare
    const walletId = await openWallet();
    const withPan = request(walletId, { paymentMethod: PAN });
    const badExponent = request(walletId, { amount: { value: 100, currency: 'EUR', exponent: 3 } });
    // Act
    await putTopUpRequested(withPan);
    await putTopUpRequested(badExponent);
    const parked = await waitFor('both rejections in the top-up intake DLQ', async () => {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: runtime.internals.sqs.queueUrl(runtime.names.queues.topUpIntakeDlq),
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      const mine = Messages.filter((m) =>
        [withPan.topUpId, badExponent.topUpId].includes(m.MessageAttributes?.topUpId?.StringValue ?? ''),
      );
      return mine.length === 2 ? mine : undefined;
    });
    // Assess
    const byId = new Map(parked.map((m) => [m.MessageAttributes?.topUpId?.StringValue, m]));
    expect(byId.get(withPan.topUpId)?.MessageAttributes?.reasonCode?.StringValue).toBe('card_data_refused');
    expect(byId.get(withPan.topUpId)?.Body).not.toContain(PAN);
    expect(byId.get(badExponent.topUpId)?.MessageAttributes?.reasonCode?.StringValue).toBe('invalid_event');
    expect(byId.get(badExponent.topUpId)?.MessageAttributes?.reason?.StringValue).toContain('exponent');
    for (const id of [withPan.topUpId, badExponent.topUpId])
      expect(runtime.sandbox?.chargesFor(gatewayRefOf(id))).toHaveLength(0);
  });
});
