import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerContentionError } from '../../core/errors';
import { Ledger } from '../../core/ledger';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import { DETAIL_TYPES, PAYSAGA_SOURCE } from '../../events/envelope';
import type { BusEvent } from '../../local/events/eventbridge-service';
import { importHandler } from '../../local/functions/registry';
import {
  busRefundRequest,
  putRefundRequested as putBusRefund,
  type RefundBus,
  succeededCardPayment,
} from '../helpers/refund-bus';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

/**
 * RefundRequested from a producer on the bus: the refund intake checks it
 * against the payment, records it and starts the refund saga; what it refuses
 * goes to the refund intake DLQ with its reason and RefundRejected.
 */

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let ledger: Ledger;
let payments: PaymentsRepository;
let refunds: PaymentRefundStore;
const published: BusEvent[] = [];
/** Refunds whose reason says so reserve, then lose every answer of ReserveRefund (a transient error each time). */
const RESERVE_ANSWER_LOST = 'test: reserve answer lost';

beforeAll(async () => {
  // Loaded on first use, as the runtime loads handlers: the environment is set by then.
  let reserve: ReturnType<typeof importHandler> | undefined;
  runtime = await startTestRuntime({
    frontDoor: false,
    functionOverrides: {
      refundReserve: async (event, context) => {
        reserve ??= importHandler('refundReserve');
        const answer = await (await reserve)(event, context);
        if ((event as { refund?: { reason?: string } }).refund?.reason === RESERVE_ANSWER_LOST) {
          throw new LedgerContentionError('the answer was lost (test fault)');
        }
        return answer;
      },
    },
  });
  clients = sdkClients(runtime);
  ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
  payments = new PaymentsRepository(clients.documents, runtime.names.tables.payments);
  refunds = new PaymentRefundStore(clients.documents, runtime.names.tables.payments);
  runtime.internals.events.putRule({
    name: 'capture-refund-outcomes',
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
}, 60_000);
afterAll(async () => {
  await runtime?.dispose();
});

const bus = (): RefundBus => ({
  events: clients.events,
  eventBusName: runtime.names.eventBus,
  ledger,
  payments,
  refunds,
});
const succeededPayment = (amount?: number) => succeededCardPayment(bus(), amount);
const refundRequest = busRefundRequest;
const putRefundRequested = (detail: unknown) => putBusRefund(bus(), detail);

async function rejectedInDlq(refundId: string) {
  const url = runtime.internals.sqs.queueUrl(runtime.names.queues.refundIntakeDlq);
  return waitFor(`refund ${refundId} in the refund intake DLQ`, async () => {
    const { Messages } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 0,
      }),
    );
    return Messages?.find((m) => m.MessageAttributes?.refundId?.StringValue === refundId);
  });
}

const outcomeOf = (type: string, refundId: string) =>
  waitFor(`${type} for ${refundId}`, () =>
    published.find(
      (e) => e['detail-type'] === type && (e.detail as { refundId?: string }).refundId === refundId,
    ),
  );

describe('RefundRequested on the bus', () => {
  it('refunds a card-only payment in full: recorded as from the bus, refunded at the gateway, RefundSucceeded', async () => {
    // Prepare
    const paymentId = await succeededPayment(1250);
    const refund = refundRequest(paymentId);
    // Act
    await putRefundRequested(refund);
    // Assess
    const record = await waitFor(
      `refund ${refund.refundId} SUCCEEDED`,
      async () => {
        const r = await refunds.get(paymentId, refund.refundId);
        return r?.status === 'SUCCEEDED' ? r : undefined;
      },
      30_000,
    );
    expect(record).toMatchObject({
      amount: 1250,
      gatewayAmount: 1250,
      walletAmount: 0,
      requestedBy: 'bus:shop.returns',
    });
    expect(record.executionArn).toContain(
      `:execution:${runtime.names.refundStateMachine}:${paymentId}.${refund.refundId}`,
    );
    const succeeded = await outcomeOf(DETAIL_TYPES.refundSucceeded, refund.refundId);
    expect(succeeded.detail).toMatchObject({
      paymentId,
      amount: { value: 1250, currency: 'EUR', exponent: 2 },
      gatewayAmount: 1250,
    });
    expect((await payments.get(paymentId))?.refunded).toBe(1250);
  }, 60_000);

  it('rejects a refund of an unknown payment into the refund intake DLQ with RefundRejected', async () => {
    // Prepare
    const refund = refundRequest(`pay_${randomUUID().slice(0, 12)}`);
    // Act
    await putRefundRequested(refund);
    // Assess
    const message = await rejectedInDlq(refund.refundId);
    expect(message.MessageAttributes?.reasonCode?.StringValue).toBe('payment_not_refundable');
    const rejected = await outcomeOf(DETAIL_TYPES.refundRejected, refund.refundId);
    expect(rejected.detail).toMatchObject({
      reasonCode: 'payment_not_refundable',
      paymentId: refund.paymentId,
    });
    expect(await refunds.get(refund.paymentId, refund.refundId)).toBeUndefined();
  }, 60_000);

  it('rejects more than is refundable, saying how much is, and starts nothing', async () => {
    // Prepare
    const paymentId = await succeededPayment(1250);
    const refund = refundRequest(paymentId, { amount: { value: 1251, currency: 'EUR', exponent: 2 } });
    // Act
    await putRefundRequested(refund);
    // Assess
    const message = await rejectedInDlq(refund.refundId);
    expect(message.MessageAttributes?.reasonCode?.StringValue).toBe('refund_exceeds_refundable');
    expect(message.MessageAttributes?.reason?.StringValue).toContain('1250');
    expect(await refunds.get(paymentId, refund.refundId)).toBeUndefined();
    expect((await payments.get(paymentId))?.refundCommitted ?? 0).toBe(0);
  }, 60_000);

  it('starts one saga for the same request sent twice', async () => {
    // Prepare
    const paymentId = await succeededPayment(2000);
    const refund = refundRequest(paymentId, { amount: { value: 500, currency: 'EUR', exponent: 2 } });
    // Act
    await putRefundRequested(refund);
    await putRefundRequested({ ...refund, requestedAt: new Date(Date.now() + 1000).toISOString() });
    // Assess
    await waitFor(
      `refund ${refund.refundId} SUCCEEDED`,
      async () =>
        (await refunds.get(paymentId, refund.refundId))?.status === 'SUCCEEDED' ? true : undefined,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const payment = await payments.get(paymentId);
    expect(payment?.refunded).toBe(500);
    expect(Object.keys(payment?.refunds ?? {})).toEqual([refund.refundId]);
  }, 60_000);

  it('releases what a ReserveRefund without an answer reserved and ends FAILED with the reason: never a silent stop', async () => {
    // Prepare
    const paymentId = await succeededPayment(1500);
    const refund = refundRequest(paymentId, {
      amount: { value: 600, currency: 'EUR', exponent: 2 },
      reason: RESERVE_ANSWER_LOST,
    });
    // Act
    await putRefundRequested(refund);
    // Assess
    const record = await waitFor(
      `refund ${refund.refundId} FAILED`,
      async () => {
        const r = await refunds.get(paymentId, refund.refundId);
        return r?.status === 'FAILED' ? r : undefined;
      },
      30_000,
    );
    expect(record).toMatchObject({ failedState: 'ReserveRefund' });
    const payment = await payments.get(paymentId);
    expect(payment?.refunds?.[refund.refundId]?.state).toBe('RELEASED');
    expect(payment?.refundCommitted ?? 0).toBe(0);
    const failed = await outcomeOf(DETAIL_TYPES.refundFailed, refund.refundId);
    expect(failed.detail).toMatchObject({ paymentId, failedState: 'ReserveRefund' });
  }, 60_000);
});
