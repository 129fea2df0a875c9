import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/errors';
import { LedgerInvariantError, ThrottlingError } from '../../core/errors';
import { Ledger, LedgerReader } from '../../core/ledger';
import { PaymentsRepository } from '../../core/payments/repository';
import { MerchantNotification, notificationId } from '../../core/saga/notification';
import { PAYSAGA_OPS_SOURCE } from '../../events/envelope';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import type { BusEvent } from '../../local/events/eventbridge-service';
import { importHandler, type LambdaHandler } from '../../local/functions/registry';
import { runPayctl } from '../helpers/payctl';
import { fundedWallet, paymentRequest, putPaymentRequested } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

/**
 * `payctl payments resolve` against the local runtime: payments the saga
 * parked in the compensation DLQ (a refund that kept failing while the
 * gateway was down; a release that kept failing), resolved by hand once the
 * cause is gone, with the saga's own refund and release functions.
 */

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let ledger: Ledger;
let reader: LedgerReader;
let payments: PaymentsRepository;
const opsEvents: BusEvent[] = [];

/** Settle fails for good for these payments, and the gateway goes down with it: RefundCharge keeps failing. */
const SETTLE_FAILS_GATEWAY_DOWN = 'pay_gwdown_';
/** ReleaseFunds keeps failing (throttled) for these payments. */
const RELEASE_FAILS = 'pay_relfail_';

const paymentIdOf = (event: unknown) =>
  (event as { payment?: { paymentId?: string } }).payment?.paymentId ?? '';

function wrapped(key: 'settle' | 'releaseFunds', prefix: string, fail: () => Error): LambdaHandler {
  let real: Promise<LambdaHandler> | undefined;
  return async (event, context) => {
    if (paymentIdOf(event).startsWith(prefix)) {
      if (key === 'settle') runtime.sandbox?.setDown(true);
      throw fail();
    }
    real ??= importHandler(key);
    return (await real)(event, context);
  };
}

beforeAll(async () => {
  runtime = await startTestRuntime({
    // The merchant's notifications stay on the notification queue: the tests read what resolve queued.
    webhooks: false,
    functionOverrides: {
      settle: wrapped(
        'settle',
        SETTLE_FAILS_GATEWAY_DOWN,
        () => new LedgerInvariantError('settle refused (test): the merchant account is closed'),
      ),
      releaseFunds: wrapped(
        'releaseFunds',
        RELEASE_FAILS,
        () => new ThrottlingError('ledger throttled (test)'),
      ),
    },
  });
  clients = sdkClients(runtime);
  ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
  reader = new LedgerReader(clients.documents, runtime.names.tables.ledger);
  payments = new PaymentsRepository(clients.documents, runtime.names.tables.payments);
  runtime.internals.events.putRule({
    name: 'capture-ops',
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
afterEach(() => runtime?.sandbox?.setDown(false));
afterAll(async () => {
  await runtime?.dispose();
});

const payctl = (...argv: string[]) => runPayctl(runtime, ...argv);
const executionArnOf = (paymentId: string) =>
  `${runtime.env.STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${paymentId}`;
const today = () => new Date().toISOString().slice(0, 10);
const actor = `local:${userInfo().username}`;

async function compensationDlqDepth(): Promise<number> {
  const { Attributes = {} } = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: runtime.internals.sqs.queueUrl(runtime.names.queues.compensationDlq),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

/** A EUR 12.50 payment from a wallet holding EUR 5.00: wallet first holds 5.00 and charges the card 7.50. */
const WALLET_BALANCE = 500;
const HELD = 'EUR 5.00';
const CHARGED = 'EUR 7.50';

/** Requests a payment and waits until its saga parked it: CompensationFailed, payment NEEDS_ATTENTION. */
async function parked(
  prefix: string,
  overrides: Partial<PaymentRequested> = {},
  balance = WALLET_BALANCE,
): Promise<PaymentRequested> {
  const detail = paymentRequest(await fundedWallet(ledger, balance), {
    paymentId: `${prefix}${randomUUID().slice(0, 10)}`,
    ...overrides,
  });
  await putPaymentRequested(clients.events, runtime.names.eventBus, detail);
  await waitFor(
    `the saga of ${detail.paymentId} to end`,
    async () => {
      const execution = await clients.sfn
        .send(new DescribeExecutionCommand({ executionArn: executionArnOf(detail.paymentId) }))
        .catch(() => undefined);
      return execution && execution.status !== 'RUNNING' ? execution : undefined;
    },
    60_000,
  );
  runtime.sandbox?.setDown(false);
  expect((await payments.get(detail.paymentId))?.status).toBe('NEEDS_ATTENTION');
  return detail;
}

interface Discrepancy {
  kind: string;
  paymentId?: string;
  resolution?: { action: string; outcome: string; by: string; resolvedAt: string; reason?: string };
  resolved?: { by: string; at: string; reason?: string };
}
/** Reconcile's findings on one payment, and how many it counted as resolved by hand. */
async function reconcileOf(paymentId: string) {
  const run = await payctl('--json', 'reconcile', '--from', today(), '--to', today());
  const { discrepancies, summary } = run.json<{
    discrepancies: Discrepancy[];
    summary: { resolved: number };
  }>();
  return { mine: discrepancies.filter((d) => d.paymentId === paymentId), resolved: summary.resolved };
}

/** Every notification queued so far (received once: the tests run one after the other), kept here. */
const queued: MerchantNotification[] = [];
async function notificationsOf(paymentId: string): Promise<MerchantNotification[]> {
  const QueueUrl = runtime.internals.sqs.queueUrl(runtime.names.queues.notification);
  for (;;) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
    );
    if (Messages.length === 0) break;
    for (const m of Messages) queued.push(MerchantNotification.parse(JSON.parse(m.Body ?? '')));
  }
  return queued.filter((n) => 'paymentId' in n && n.paymentId === paymentId && !('refundId' in n));
}

const auditOf = async (paymentId: string) =>
  (await payctl('--json', 'audit', '--since', '1h'))
    .json<Array<{ action: string; target: string; outcome: string; message?: string }>>()
    .filter((r) => r.target === `payment ${paymentId}`);

const resolveEvents = (paymentId: string) =>
  opsEvents.filter(
    (e) =>
      (e.detail as { action?: string }).action === 'payments.resolve' &&
      (e.detail as { target?: string }).target === `payment ${paymentId}`,
  );

describe('payctl payments resolve against the local runtime', () => {
  it('--refund after the gateway recovers: one refund at the gateway, hold released, DLQ empty, reconcile clean, audited; twice does nothing more', async () => {
    // Prepare: Settle failed for good and RefundCharge kept failing while the gateway was down.
    const detail = await parked(SETTLE_FAILS_GATEWAY_DOWN);
    const { paymentId, walletId } = detail;
    const dlqBefore = await compensationDlqDepth();
    const before = await reconcileOf(paymentId);
    const refusedRelease = await payctl('--yes', 'payments', 'resolve', paymentId, '--release');
    const dryRun = await payctl('--json', 'payments', 'resolve', paymentId, '--refund', '--dry-run');

    // Act
    const resolved = await payctl('--yes', 'payments', 'resolve', paymentId, '--refund');
    const again = await payctl('--yes', 'payments', 'resolve', paymentId, '--refund');

    // Assess: before, the books disagreed; --release was refused while the charge stood.
    expect(before.mine.map((d) => d.kind).sort()).toEqual(['charged_not_refunded', 'hold_open_after_saga']);
    expect(refusedRelease.code).toBe(EXIT.failure);
    expect(refusedRelease.stderr).toMatch(/stands unrefunded at the gateway.*use --refund/);
    expect(dryRun.code).toBe(EXIT.ok);
    const plan = dryRun.json<{
      plan: { steps: string[]; ledger: { hold: string }; dlq: { messages: number } };
    }>().plan;
    expect(plan.dlq.messages).toBe(1);
    expect(plan.ledger.hold).toBe(`PENDING ${HELD}`);
    expect(plan.steps[0]).toMatch(
      new RegExp(`^refund pi_\\w+ ${CHARGED} at the gateway .*key refund:${paymentId}`),
    );
    expect(plan.steps[1]).toMatch(new RegExp(`^release the hold of ${HELD}`));
    // The resolve: exactly one refund, the hold released, the DLQ message gone, the books clean.
    expect(resolved.code, resolved.stderr).toBe(EXIT.ok);
    expect(resolved.stdout).toMatch(/refunded: re_\w+ \(succeeded\)/);
    expect(runtime.sandbox?.refundsFor(paymentId)).toHaveLength(1);
    expect((await reader.holdOf(walletId, paymentId))?.state).toBe('VOIDED');
    expect(await compensationDlqDepth()).toBe(dlqBefore - 1);
    const after = await reconcileOf(paymentId);
    expect(after.mine).toEqual([]);
    expect((await payments.get(paymentId))?.resolution).toMatchObject({ action: 'refund', by: actor });
    const audit = await payctl('--json', 'audit', '--since', '1h');
    expect(
      audit
        .json<Array<{ action: string; target: string; outcome: string }>>()
        .filter((r) => r.target === `payment ${paymentId}`),
    ).toEqual([expect.objectContaining({ action: 'payments.resolve', outcome: 'succeeded' })]);
    expect(resolveEvents(paymentId)).toHaveLength(1);
    // Twice: nothing more is done, and it says so.
    expect(again.code).toBe(EXIT.ok);
    expect(again.stdout).toMatch(new RegExp(`${paymentId} was resolved already \\(refund by ${actor}`));
    expect(runtime.sandbox?.refundsFor(paymentId)).toHaveLength(1);
    expect(resolveEvents(paymentId)).toHaveLength(1);
  }, 120_000);

  it('--release of a declined payment whose ReleaseFunds kept failing: hold released, nothing refunded, reconcile clean', async () => {
    // Prepare
    const detail = await parked(RELEASE_FAILS, { paymentMethod: 'pm_card_chargeDeclined' });
    const { paymentId, walletId } = detail;
    const held = await reader.holdOf(walletId, paymentId);

    // Act
    const resolved = await payctl('--yes', '--json', 'payments', 'resolve', paymentId, '--release');

    // Assess
    expect(held?.state).toBe('PENDING');
    expect(resolved.code, resolved.stderr).toBe(EXIT.ok);
    expect(resolved.json()).toMatchObject({
      paymentId,
      action: 'release',
      alreadyResolved: false,
      release: { outcome: 'released', releasedAmount: 500 },
      dlqMessagesDeleted: 1,
    });
    expect(runtime.sandbox?.refundsFor(paymentId)).toEqual([]);
    expect((await reader.holdOf(walletId, paymentId))?.state).toBe('VOIDED');
    expect((await reconcileOf(paymentId)).mine).toEqual([]);
    expect(resolveEvents(paymentId)).toHaveLength(1);
  }, 120_000);

  it('--mark-resolved --outcome failed moves no money, queues payment.failed, and reconcile still counts the money standing taken, by the resolution; --reason is required', async () => {
    // Prepare: the charge stands; finance agreed with the customer to keep it (say).
    const detail = await parked(SETTLE_FAILS_GATEWAY_DOWN);
    const { paymentId } = detail;

    // Act
    const noReason = await payctl('--yes', 'payments', 'resolve', paymentId, '--mark-resolved');
    const marked = await payctl(
      '--yes',
      'payments',
      'resolve',
      paymentId,
      '--mark-resolved',
      '--outcome',
      'failed',
      '--reason',
      'refunded by cheque, ticket OPS-17',
    );
    const reconciled = await reconcileOf(paymentId);
    const human = await payctl('reconcile', '--from', today(), '--to', today());

    // Assess
    expect(noReason.code).toBe(EXIT.usage);
    expect(marked.code, marked.stderr).toBe(EXIT.ok);
    expect(runtime.sandbox?.refundsFor(paymentId)).toEqual([]);
    // The payment is judged by its outcome (failed): the charge standing and the hold open contradict it.
    expect(reconciled.mine.map((d) => d.kind).sort()).toEqual([
      'charged_not_refunded',
      'hold_open_after_saga',
    ]);
    for (const found of reconciled.mine) {
      expect(found.resolved).toBeUndefined();
      expect(found.resolution).toMatchObject({
        action: 'mark_resolved',
        outcome: 'failed',
        by: actor,
        reason: 'refunded by cheque, ticket OPS-17',
      });
    }
    expect(human.code).toBe(EXIT.discrepancies);
    expect(human.stdout).toMatch(
      new RegExp(
        `\\[charged_not_refunded\\] payment ${paymentId}: .* but it was resolved failed \\(mark_resolved by ${actor} at [^)]*: refunded by cheque, ticket OPS-17\\)\\n\\s+-> the merchant was told it failed`,
      ),
    );
    expect(resolveEvents(paymentId)).toHaveLength(1);
    expect((await notificationsOf(paymentId)).map((n) => n.kind)).toEqual(['payment.failed']);
  }, 120_000);

  it('--mark-resolved where the charge stands: refused without --outcome; --outcome succeeded queues payment.succeeded, and the audit record names it', async () => {
    // Prepare: a card-only payment (an empty wallet): Settle failed for good, the refund kept failing.
    const detail = await parked(SETTLE_FAILS_GATEWAY_DOWN, {}, 0);
    const { paymentId } = detail;
    const reason = 'merchant shipped; settled by hand, ticket OPS-18';
    const mark = (...more: string[]) =>
      payctl('--yes', 'payments', 'resolve', paymentId, '--mark-resolved', '--reason', reason, ...more);

    // Act
    const unsaid = await mark();
    const dryRun = await payctl(
      '--json',
      'payments',
      'resolve',
      paymentId,
      '--mark-resolved',
      '--reason',
      reason,
      '--outcome',
      'succeeded',
      '--dry-run',
    );
    const marked = await mark('--json', '--outcome', 'succeeded');

    // Assess: without --outcome nothing was recorded, queued or audited.
    expect(unsaid.code).toBe(EXIT.failure);
    expect(unsaid.stderr).toMatch(
      /money stands taken \(gateway: pi_\w+, EUR 12.50 not refunded.*--outcome succeeded/,
    );
    expect(dryRun.json<{ plan: { merchant: { outcome: string } } }>().plan.merchant.outcome).toBe(
      'succeeded',
    );
    expect(marked.code, marked.stderr).toBe(EXIT.ok);
    const charges = runtime.sandbox?.chargesFor(paymentId) ?? [];
    expect(marked.json()).toMatchObject({
      action: 'mark_resolved',
      notified: { kind: 'payment.succeeded', notificationId: notificationId('payment.succeeded', paymentId) },
    });
    expect(charges).toHaveLength(1);
    expect(runtime.sandbox?.refundsFor(paymentId)).toEqual([]);
    const notifications = await notificationsOf(paymentId);
    expect(notifications).toEqual([
      expect.objectContaining({
        kind: 'payment.succeeded',
        notificationId: notificationId('payment.succeeded', paymentId),
        amount: { value: 1250, currency: 'EUR', exponent: 2 },
        chargeId: charges[0]?.id,
      }),
    ]);
    expect((await payments.get(paymentId))?.resolution).toMatchObject({
      action: 'mark_resolved',
      outcome: 'succeeded',
      reason,
    });
    const audit = await auditOf(paymentId);
    expect(audit).toHaveLength(1);
    expect(audit[0]?.message).toMatch(/^mark_resolved: outcome payment\.succeeded queued/);
    // Reconcile judges it succeeded: the charge taken is what it says; only the card part's settlement,
    // done by hand, is missing from the ledger, reported as resolved by them, not counted.
    const reconciled = await reconcileOf(paymentId);
    expect(reconciled.mine.map((d) => [d.kind, d.resolved?.by])).toEqual([['succeeded_not_settled', actor]]);
    expect(resolveEvents(paymentId)).toHaveLength(1);
  }, 120_000);
});
