import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionResult, AuditEntry, DlqPeek, RefundResolvePlan } from '../../cli/console/api-types';
import { type LocalIssuer, startLocalIssuer } from '../../cli/console/auth/local-issuer';
import { LedgerInvariantError, UnexpectedStepError } from '../../core/errors';
import { Ledger, LedgerReader } from '../../core/ledger';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import { RefundResolutionStore } from '../../core/refunds/resolution-store';
import { importHandler } from '../../local/functions/registry';
import { proxyEvent } from '../helpers/api-gateway';
import { type ConsoleApiAdapters, consoleApiAdapters, signedInAt } from '../helpers/console-hosted';
import { runPayctl } from '../helpers/payctl';
import {
  busRefundRequest,
  putRefundRequested,
  type RefundBus,
  refundReaching,
  succeededCardPayment,
} from '../helpers/refund-bus';
import { sdkClients, startTestRuntime, type TestRuntime } from '../helpers/runtime';

/**
 * `payctl payments resolve-refund`: a refund the refund saga parked (NEEDS_ATTENTION, its state in the
 * compensation DLQ) is finished with the saga's own steps (refunded once, posted once) or released only
 * when the gateway holds no refund for it; each resolution is audited and taken once.
 */

/** Refunds whose reason says so fail PostReversal for good (after the gateway refunded). */
const REVERSAL_FAILS = 'test: reversal fails';
/** Refunds whose reason says so fail RefundAtGateway unexpectedly, before any gateway call. */
const GATEWAY_STEP_BREAKS = 'test: gateway step breaks';

let runtime: TestRuntime;
let issuer: LocalIssuer;
let consoleApi: ConsoleApiAdapters;
let bus: RefundBus;
let reader: LedgerReader;

const reasonOf = (event: unknown) => (event as { refund?: { reason?: string } }).refund?.reason;

beforeAll(async () => {
  let reversal: ReturnType<typeof importHandler> | undefined;
  let gateway: ReturnType<typeof importHandler> | undefined;
  runtime = await startTestRuntime({
    functionOverrides: {
      refundPostReversal: async (event, context) => {
        if (reasonOf(event) === REVERSAL_FAILS)
          throw new LedgerInvariantError('the ledger refused (test fault)');
        reversal ??= importHandler('refundPostReversal');
        return (await reversal)(event, context);
      },
      refundAtGateway: async (event, context) => {
        if (reasonOf(event) === GATEWAY_STEP_BREAKS)
          throw new UnexpectedStepError('RefundAtGateway', 'TypeError', 'the step broke (test fault)');
        gateway ??= importHandler('refundAtGateway');
        return (await gateway)(event, context);
      },
    },
  });
  const clients = sdkClients(runtime);
  const ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
  reader = new LedgerReader(clients.documents, runtime.names.tables.ledger);
  bus = {
    events: clients.events,
    eventBusName: runtime.names.eventBus,
    ledger,
    payments: new PaymentsRepository(clients.documents, runtime.names.tables.payments),
    refunds: new PaymentRefundStore(clients.documents, runtime.names.tables.payments),
  };
  issuer = await startLocalIssuer();
  consoleApi = consoleApiAdapters(runtime, issuer);
}, 60_000);
afterAll(async () => {
  await issuer?.close();
  await runtime?.dispose();
});

const payctl = (...argv: string[]) => runPayctl(runtime, ...argv);
const gatewayRefundsOf = (paymentId: string) =>
  runtime.sandbox?.refundsFor(paymentId).filter((r) => r.refundId !== undefined) ?? [];
const reversalsOf = async (paymentId: string, refundId: string) =>
  (await reader.listPaymentEntries(paymentId, [refundId])).filter((e) => e.operation === 'refund_part');

async function parkedRefund(reason: string, amount = 700): Promise<{ paymentId: string; refundId: string }> {
  const paymentId = await succeededCardPayment(bus, 1500);
  const refund = busRefundRequest(paymentId, {
    amount: { value: amount, currency: 'EUR', exponent: 2 },
    reason,
  });
  await putRefundRequested(bus, refund);
  await refundReaching(bus, paymentId, refund.refundId, 'NEEDS_ATTENTION');
  return { paymentId, refundId: refund.refundId };
}

async function parkedMessages(refundId: string): Promise<number> {
  const url = runtime.internals.sqs.queueUrl(runtime.names.queues.compensationDlq);
  const { Messages = [] } = await sdkClients(runtime).sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
  );
  return Messages.filter((m) => (JSON.parse(m.Body ?? '{}') as { refundId?: string }).refundId === refundId)
    .length;
}

describe('payctl payments resolve-refund', () => {
  it('finishes a refund whose reversal failed after the gateway refunded: one gateway refund, one reversal, SUCCEEDED, audited; run again, it only announces it again', async () => {
    // Prepare
    const { paymentId, refundId } = await parkedRefund(REVERSAL_FAILS);
    expect(gatewayRefundsOf(paymentId)).toHaveLength(1);
    expect(await reversalsOf(paymentId, refundId)).toHaveLength(0);
    // Act
    const refused = await payctl('--yes', 'payments', 'resolve-refund', paymentId, refundId, '--release');
    const run = await payctl(
      '--yes',
      '--json',
      'payments',
      'resolve-refund',
      paymentId,
      refundId,
      '--finish',
    );
    const again = await payctl('--yes', 'payments', 'resolve-refund', paymentId, refundId, '--finish');
    // Assess
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toContain('never release it');
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<{ recorded: boolean; dlqMessagesDeleted: number }>()).toMatchObject({
      recorded: true,
      dlqMessagesDeleted: 1,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('SUCCEEDED');
    expect(gatewayRefundsOf(paymentId)).toHaveLength(1);
    expect(await reversalsOf(paymentId, refundId)).toHaveLength(1);
    const record = await bus.refunds.get(paymentId, refundId);
    expect(record).toMatchObject({ status: 'SUCCEEDED', resolution: { action: 'finish' } });
    const payment = await bus.payments.get(paymentId);
    expect(payment?.refunds?.[refundId]?.state).toBe('REFUNDED');
    expect(payment?.refunded).toBe(700);
    expect(await parkedMessages(refundId)).toBe(0);
    const audit = await payctl('--json', 'audit', '--since', '1h');
    const records =
      audit.json<Array<{ action: string; target: string; outcome: string; message?: string }>>();
    const resolved = records.filter((r) => r.action === 'refunds.resolve' && r.target.includes(refundId));
    expect(resolved).toHaveLength(2);
    expect(resolved.filter((r) => r.message?.includes('announced again'))).toHaveLength(1);
  }, 90_000);

  it('releases a refund the gateway never made: the amount is refundable again, FAILED, no gateway refund', async () => {
    // Prepare
    const { paymentId, refundId } = await parkedRefund(GATEWAY_STEP_BREAKS, 500);
    expect((await bus.payments.get(paymentId))?.refundCommitted).toBe(500);
    // Act
    const run = await payctl(
      '--yes',
      'payments',
      'resolve-refund',
      paymentId,
      refundId,
      '--release',
      '--reason',
      'gateway checked by hand',
    );
    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(gatewayRefundsOf(paymentId)).toHaveLength(0);
    expect(await reversalsOf(paymentId, refundId)).toHaveLength(0);
    const payment = await bus.payments.get(paymentId);
    expect(payment?.refunds?.[refundId]?.state).toBe('RELEASED');
    expect(payment?.refundCommitted).toBe(0);
    expect(await bus.refunds.get(paymentId, refundId)).toMatchObject({
      status: 'FAILED',
      resolution: { action: 'release', reason: 'gateway checked by hand' },
    });
    expect(await parkedMessages(refundId)).toBe(0);
  }, 90_000);

  it('refuses to release a refund someone else is finishing: one action per refund, claimed before any step', async () => {
    // Prepare: another person claimed --finish (their run is between its claim and its steps)
    const { paymentId, refundId } = await parkedRefund(GATEWAY_STEP_BREAKS, 400);
    const resolutions = new RefundResolutionStore(
      sdkClients(runtime).documents,
      runtime.names.tables.payments,
    );
    const claimed = await resolutions.claim(paymentId, refundId, {
      action: 'finish',
      by: 'someone-else',
      at: new Date().toISOString(),
    });
    // Act
    const run = await payctl('--yes', 'payments', 'resolve-refund', paymentId, refundId, '--release');
    const finish = await payctl('--yes', 'payments', 'resolve-refund', paymentId, refundId, '--finish');
    // Assess
    expect(claimed).toBe(true);
    expect(run.code).not.toBe(0);
    expect(run.stderr + run.stdout).toContain('someone-else is resolving');
    expect(finish.code, finish.stderr).toBe(0);
    expect(gatewayRefundsOf(paymentId)).toHaveLength(1);
    expect((await bus.payments.get(paymentId))?.refunds?.[refundId]?.state).toBe('REFUNDED');
    expect(await bus.refunds.get(paymentId, refundId)).toMatchObject({ status: 'SUCCEEDED' });
  }, 90_000);
});

describe("the console's refund resolve action (the compensation DLQ page; the same refunds.resolve action)", () => {
  it('names the parked refund on the DLQ page, plans and finishes it for a signed-in operator, refuses finance; audited as the person', async () => {
    // Prepare
    const { paymentId, refundId } = await parkedRefund(REVERSAL_FAILS);
    const username = `ops-${refundId}`;
    const operations = await signedInAt(issuer, username, ['operations']);
    const finance = await signedInAt(issuer, `fin-${refundId}`, ['finance']);
    const path = `/api/payments/${paymentId}/resolve-refund`;
    const post = (body: unknown) => ({
      method: 'POST' as const,
      path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = <T>(result: { body: string }): T => JSON.parse(result.body) as T;
    // Act
    const peek = await consoleApi.read(
      proxyEvent(operations({ method: 'GET', path: '/api/dlqs/compensation-dlq', query: { limit: ['50'] } })),
    );
    const plan = await consoleApi.act(
      proxyEvent(operations({ method: 'GET', path, query: { refundId: [refundId], action: ['finish'] } })),
    );
    const refused = await consoleApi.act(proxyEvent(finance(post({ refundId, action: 'finish' }))));
    const resolved = await consoleApi.act(
      proxyEvent(operations(post({ refundId, action: 'finish', reason: 'the ledger answers again' }))),
    );
    const audit = await consoleApi.read(
      proxyEvent(operations({ method: 'GET', path: '/api/audit', query: { days: ['1'] } })),
    );
    // Assess: the page's message names the refund (its Resolve refund button), the plan is payctl's.
    expect(peek.statusCode).toBe(200);
    expect(json<DlqPeek>(peek).messages.filter((m) => m.refundId === refundId)).toEqual([
      expect.objectContaining({ paymentId, refundId }),
    ]);
    expect(plan.statusCode, plan.body).toBe(200);
    expect(json<RefundResolvePlan>(plan)).toMatchObject({
      refundId,
      action: 'finish',
      status: 'NEEDS_ATTENTION',
    });
    expect(json<RefundResolvePlan>(plan).refusal).toBeUndefined();
    expect(refused.statusCode).toBe(403);
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(json<ActionResult>(resolved)).toMatchObject({
      ok: true,
      summary: expect.stringContaining(`resolved refund ${refundId} of ${paymentId} (finish)`),
      detail: { recorded: true, dlqMessagesDeleted: 1 },
    });
    // The refund finished once: the gateway's refund reused, one reversal, SUCCEEDED, the DLQ message gone.
    expect(gatewayRefundsOf(paymentId)).toHaveLength(1);
    expect(await reversalsOf(paymentId, refundId)).toHaveLength(1);
    expect((await bus.refunds.get(paymentId, refundId))?.status).toBe('SUCCEEDED');
    expect(await parkedMessages(refundId)).toBe(0);
    expect(
      json<AuditEntry[]>(audit).filter((e) => e.target === `refund ${refundId} of payment ${paymentId}`),
    ).toEqual([
      expect.objectContaining({
        action: 'refunds.resolve',
        outcome: 'succeeded',
        actor: expect.stringMatching(new RegExp(`^cognito:${username} `)),
      }),
    ]);
  }, 120_000);
});
