import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/errors';
import { Ledger } from '../../core/ledger';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import type { RefundRecord } from '../../core/refunds/record';
import { DETAIL_TYPES, PAYSAGA_OPS_SOURCE } from '../../events/envelope';
import type { BusEvent } from '../../local/events/eventbridge-service';
import { runPayctl } from '../helpers/payctl';
import { fundedWallet, paymentRequest, putPaymentRequested } from '../helpers/payments';
import { type RefundBus, succeededCardPayment } from '../helpers/refund-bus';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

/**
 * `payctl payments refund` against the local runtime: the plan (split, still
 * refundable), the confirmation, one audited action (payments.refund, also
 * when refused), RefundRequested on the bus under the operations source, and
 * the refund saga's outcome waited for and printed.
 */

let runtime: TestRuntime;
let ledger: Ledger;
let payments: PaymentsRepository;
let refunds: PaymentRefundStore;
const opsEvents: BusEvent[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime({ frontDoor: false });
  const { documents } = sdkClients(runtime);
  ledger = new Ledger({ doc: documents, tableName: runtime.names.tables.ledger });
  payments = new PaymentsRepository(documents, runtime.names.tables.payments);
  refunds = new PaymentRefundStore(documents, runtime.names.tables.payments);
  runtime.internals.events.putRule({
    name: 'capture-ops-refunds',
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
}, 60_000);
afterAll(async () => {
  await runtime?.dispose();
});

const payctl = (...argv: string[]) => runPayctl(runtime, ...argv);

const bus = (): RefundBus => ({
  events: sdkClients(runtime).events,
  eventBusName: runtime.names.eventBus,
  ledger,
  payments,
  refunds,
});

/** A split payment run through the payment saga to SUCCEEDED: `funds` from the wallet, the rest by card. */
async function succeededSplitPayment(amount: number, funds: number): Promise<string> {
  const walletId = await fundedWallet(ledger, funds);
  const request = paymentRequest(walletId, { amount: { value: amount, currency: 'EUR', exponent: 2 } });
  await putPaymentRequested(sdkClients(runtime).events, runtime.names.eventBus, request);
  await waitFor(
    `payment ${request.paymentId} SUCCEEDED`,
    async () => ((await payments.get(request.paymentId))?.status === 'SUCCEEDED' ? true : undefined),
    60_000,
  );
  return request.paymentId;
}

const auditOf = (refundId: string) =>
  opsEvents.filter(
    (e) =>
      e['detail-type'] === DETAIL_TYPES.opsActionPerformed &&
      (e.detail as { target?: string }).target?.endsWith(`refund ${refundId}`),
  );

interface RefundJson {
  readonly refundId: string;
  readonly status: string;
  readonly replayed: boolean;
  readonly auditId?: string;
  readonly refund?: RefundRecord;
}

describe('payctl payments refund', () => {
  it('refunds a split payment in full, each part to its source, audited and requested by payctl, once for the same --refund-id', async () => {
    // Prepare: 10.00 from the wallet, 2.50 by card
    const paymentId = await succeededSplitPayment(1250, 1000);
    const refundId = `rf_${randomUUID().slice(0, 12)}`;

    // Act
    const first = await payctl(
      '--json',
      '--yes',
      'payments',
      'refund',
      paymentId,
      '--reason',
      'goods returned',
      '--refund-id',
      refundId,
    );
    const again = await payctl(
      '--json',
      '--yes',
      'payments',
      'refund',
      paymentId,
      '--reason',
      'goods returned',
      '--refund-id',
      refundId,
    );

    // Assess
    expect(first.code, first.stderr).toBe(EXIT.ok);
    expect(first.json<RefundJson>()).toMatchObject({
      refundId,
      replayed: false,
      refund: { status: 'SUCCEEDED', amount: 1250, gatewayAmount: 250, walletAmount: 1000 },
    });
    expect(first.json<RefundJson>().refund?.requestedBy).toMatch(/^payctl:local:/);
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(again.json<RefundJson>()).toMatchObject({
      refundId,
      replayed: true,
      refund: { status: 'SUCCEEDED' },
    });
    const all = await refunds.list(paymentId);
    expect(all).toHaveLength(1);
    expect((await payments.get(paymentId))?.refunded).toBe(1250);
    expect(auditOf(refundId).map((e) => (e.detail as { action: string; outcome: string }).outcome)).toEqual([
      'succeeded',
      'succeeded',
    ]);
    expect(auditOf(refundId)[0]?.detail).toMatchObject({ action: 'payments.refund', count: 1 });
  }, 120_000);

  it('refunds part, then refuses more than is left with the amount still refundable, audited as failed', async () => {
    // Prepare: 12.50 by card
    const paymentId = await succeededCardPayment(bus(), 1250);
    const partId = `rf_${randomUUID().slice(0, 12)}`;
    const overId = `rf_${randomUUID().slice(0, 12)}`;

    // Act
    const part = await payctl(
      '--yes',
      'payments',
      'refund',
      paymentId,
      '--amount',
      '5.00',
      '--reason',
      'one item back',
      '--refund-id',
      partId,
    );
    const over = await payctl(
      '--yes',
      'payments',
      'refund',
      paymentId,
      '--amount',
      '10.00',
      '--reason',
      'too much',
      '--refund-id',
      overId,
    );

    // Assess
    expect(part.code, part.stderr).toBe(EXIT.ok);
    expect(part.stdout).toContain('card part EUR 5.00');
    expect(part.stdout).toContain('SUCCEEDED');
    expect(over.code).toBe(EXIT.failure);
    expect(over.stdout).toContain('refundable  EUR 7.50');
    expect(over.stderr).toContain('only EUR 7.50 is still refundable');
    expect(await refunds.get(paymentId, overId)).toBeUndefined();
    expect(auditOf(overId).map((e) => e.detail)).toEqual([
      expect.objectContaining({ action: 'payments.refund', outcome: 'failed', count: 0 }),
    ]);
  }, 120_000);

  it('asks first: without --yes and no terminal nothing is requested; an unknown payment is a usage error', async () => {
    // Prepare
    const paymentId = await succeededCardPayment(bus(), 1250);

    // Act
    const unconfirmed = await payctl('payments', 'refund', paymentId, '--reason', 'no terminal');
    const unknown = await payctl(
      '--yes',
      'payments',
      'refund',
      `pay_nobody_${randomUUID().slice(0, 8)}`,
      '--reason',
      'x',
    );

    // Assess
    expect(unconfirmed.code).toBe(EXIT.usage);
    expect(unconfirmed.stderr).toContain('--yes');
    expect(await refunds.list(paymentId)).toEqual([]);
    expect(unknown.code).toBe(EXIT.usage);
  }, 120_000);

  it('--no-wait requests the refund and answers at once, without its outcome', async () => {
    // Prepare
    const paymentId = await succeededCardPayment(bus(), 1250);

    // Act
    const run = await payctl(
      '--json',
      '--yes',
      'payments',
      'refund',
      paymentId,
      '--reason',
      'later',
      '--no-wait',
    );

    // Assess
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const answer = run.json<RefundJson>();
    expect(answer).toMatchObject({ status: 'REQUESTED', replayed: false });
    expect(answer.refund).toBeUndefined();
    expect(answer.auditId).toBeDefined();
    expect((await refunds.list(paymentId)).map((r) => r.refundId)).toEqual([answer.refundId]);
  }, 120_000);
});
