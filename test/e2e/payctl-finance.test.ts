import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/errors';
import type { PaymentHistory } from '../../cli/finance/history';
import type { ReportSummary } from '../../cli/finance/report';
import { PutCommand } from '../../core/aws/dynamodb';
import { LedgerInvariantError } from '../../core/errors';
import type { Discrepancy } from '../../core/finance/discrepancy';
import type { ReconcileSummary } from '../../core/finance/reconcile';
import { LedgerSettlementTotals } from '../../core/finance/report';
import { journalDayPk, journalKey, Ledger, LedgerReader } from '../../core/ledger';
import type { Currency } from '../../core/money';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import { DETAIL_TYPES } from '../../events/envelope';
import { importHandler, type LambdaHandler } from '../../local/functions/registry';
import { runPayctl } from '../helpers/payctl';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';
import { runtimeHistoryArchive } from '../helpers/s3';

/**
 * Finance through payctl against the local runtime: a seeded mix of saga
 * outcomes, their history (live, then from the archive once the execution is
 * forgotten), the period report, and reconciliation, clean first and then
 * with each discrepancy injected into the gateway or the ledger. The tests run
 * in order: the injections come last.
 */
let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let ledger: Ledger;
const today = () => new Date().toISOString().slice(0, 10);
/** The day the seeding began: the period runs from it to today, so a run crossing UTC midnight still covers everything. */
let firstDay = today();

beforeAll(async () => {
  // Settle fails for good (as when the hold vanished) for payments that ask for it, to get compensations.
  // The real handler loads on first use, once the runtime has set the functions' environment.
  let realSettle: LambdaHandler | undefined;
  runtime = await startTestRuntime({
    functionOverrides: {
      settle: async (event: unknown, context: Context) => {
        const scenario = (event as { payment?: { metadata?: { scenario?: string } } }).payment?.metadata
          ?.scenario;
        if (scenario === 'settle-fails') {
          throw new LedgerInvariantError('settle found no hold to post (reason: ledger_invariant)');
        }
        realSettle ??= await importHandler('settle');
        return realSettle(event, context);
      },
    },
  });
  clients = sdkClients(runtime);
  ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
  await seed();
});
afterAll(async () => {
  await runtime?.dispose();
});

function payctl(...argv: string[]) {
  return runPayctl(runtime, ...argv);
}

async function wallet(currency: Currency, deposit: number): Promise<string> {
  const walletId = `wal_${randomUUID().slice(0, 12)}`;
  await ledger.openWallet(walletId, currency);
  await ledger.deposit(walletId, { value: deposit, currency }, `dep-${walletId}`);
  return walletId;
}

interface Seeded {
  readonly paymentId: string;
  readonly walletId: string;
  readonly amount: number;
  readonly currency: string;
}

async function pay(
  walletId: string,
  options: {
    amount?: number;
    currency?: string;
    paymentMethod?: string;
    scenario?: string;
    funding?: 'wallet_only';
  } = {},
): Promise<Seeded> {
  const paymentId = `pay_${randomUUID().slice(0, 12)}`;
  const currency = options.currency ?? 'EUR';
  const amount = options.amount ?? 1250;
  const exponent = { EUR: 2, JPY: 0, BHD: 3 }[currency] ?? 2;
  const result = await clients.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: runtime.names.eventBus,
          Source: 'shop.checkout',
          DetailType: DETAIL_TYPES.paymentRequested,
          Detail: JSON.stringify({
            schemaVersion: '1',
            paymentId,
            walletId,
            merchantId: 'mer_bookshop',
            amount: { value: amount, currency, exponent },
            paymentMethod: options.paymentMethod ?? 'pm_card_visa',
            ...(options.funding && { funding: options.funding }),
            requestedAt: new Date().toISOString(),
            ...(options.scenario && { metadata: { scenario: options.scenario } }),
          }),
        },
      ],
    }),
  );
  expect(result.FailedEntryCount).toBe(0);
  return { paymentId, walletId, amount, currency };
}

const executionArnOf = (paymentId: string) =>
  `${runtime.env.STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${paymentId}`;

async function ended(paymentId: string) {
  return waitFor(
    `the saga of ${paymentId} to end`,
    async () => {
      const execution = await clients.sfn
        .send(new DescribeExecutionCommand({ executionArn: executionArnOf(paymentId) }))
        .catch(() => undefined);
      return execution && execution.status !== 'RUNNING' ? execution : undefined;
    },
    30_000,
  );
}

const seeded = {} as Record<
  'ok' | 'retried' | 'declined' | 'insufficient' | 'compensated' | 'yen' | 'dinar',
  Seeded
>;

async function seed(): Promise<void> {
  firstDay = today();
  // Wallet first: each payment's wallet holds 10.00 (1000 JPY, 10.000 BHD), so the wallet pays that
  // and the gateway charges the rest (2.50 of 12.50): every payment has both parts.
  const eur = () => wallet('EUR', 1000);
  const poor = await wallet('EUR', 100);
  const [yen, dinar] = await Promise.all([wallet('JPY', 1000), wallet('BHD', 10_000)]);
  Object.assign(seeded, {
    ok: await pay(await eur()),
    retried: await pay(await eur(), { paymentMethod: 'pm_sandbox_unavailable_4' }),
    declined: await pay(await eur(), { paymentMethod: 'pm_card_chargeDeclined' }),
    insufficient: await pay(poor, { funding: 'wallet_only' }),
    compensated: await pay(await eur(), { scenario: 'settle-fails' }),
    yen: await pay(yen, { currency: 'JPY', amount: 1250 }),
    // BHD 12.340: Stripe takes three-decimal amounts only with a last digit of 0 (the card part 2.340 too).
    dinar: await pay(dinar, { currency: 'BHD', amount: 12_340 }),
  });
  const archive = runtimeHistoryArchive(runtime);
  await Promise.all(
    Object.values(seeded).map(async ({ paymentId }) => {
      await ended(paymentId);
      // The runtime delivers the terminal status change to the archiver Lambda.
      await waitFor(`the archive of ${paymentId}`, () => archive.latest(paymentId), 30_000);
    }),
  );
}

async function history(paymentId: string): Promise<PaymentHistory> {
  const result = await payctl('--json', 'history', paymentId);
  expect(result.code, result.stderr).toBe(EXIT.ok);
  return result.json<PaymentHistory>();
}

const statesOf = (h: PaymentHistory) => h.timeline.steps.map((s) => s.state);

describe('payctl history', () => {
  it('shows every step, retry and compensation in order, with amounts in major units', async () => {
    // Act
    const [ok, retried, declined, insufficient, compensated, yen] = await Promise.all(
      [seeded.ok, seeded.retried, seeded.declined, seeded.insufficient, seeded.compensated, seeded.yen].map(
        (s) => history(s.paymentId),
      ),
    );
    // Assess: the happy path, with the hold, the charge and the journal.
    expect(ok?.source).toBe('execution');
    expect(statesOf(ok as PaymentHistory)).toEqual([
      'Reserve',
      'Charge',
      'Settle',
      'Notify',
      'RecordSuccess',
      'PublishSuccess',
      'Succeeded',
    ]);
    expect(ok?.timeline.steps[0]?.result?.held).toEqual({ minor: 1000, currency: 'EUR', major: '10.00' });
    expect(ok?.timeline.steps[1]?.result?.chargeId).toMatch(/^pi_/);
    expect(ok?.timeline.journal.map((e) => e.operation)).toEqual(['reserve', 'settle', 'settle_card']);
    expect(ok?.timeline.money?.captured.major).toBe('12.50');
    expect(ok?.timeline.outcome).toMatchObject({ summary: 'succeeded', paymentStatus: 'SUCCEEDED' });
    // Retries: each failed attempt with its error, then the success.
    const charge = retried?.timeline.steps.find((s) => s.state === 'Charge');
    expect(charge?.attempts.length).toBeGreaterThanOrEqual(2);
    expect(charge?.attempts.at(-1)?.outcome).toBe('succeeded');
    for (const attempt of charge?.attempts.slice(0, -1) ?? []) {
      expect(attempt).toMatchObject({ outcome: 'failed', error: 'GatewayUnavailableError' });
      expect(attempt.cause).toContain('503');
    }
    // A decline: the gateway asked for a charge (none), the hold released, nothing charged.
    expect(statesOf(declined as PaymentHistory)).toEqual([
      'Reserve',
      'Charge',
      'RefundCharge',
      'ReleaseFunds',
      'RecordFailure',
      'PublishFailure',
      'Failed',
    ]);
    expect(declined?.timeline.steps[1]).toMatchObject({
      status: 'caught',
      attempts: [{ error: 'CardDeclinedError' }],
    });
    expect(declined?.timeline.steps[2]?.result).toMatchObject({ refundStatus: 'nothing_charged' });
    expect(declined?.timeline.money).toMatchObject({ captured: { minor: 0 }, released: { major: '10.00' } });
    expect(declined?.timeline.outcome).toMatchObject({
      summary: 'failed',
      reasonCode: 'card_declined',
      failedState: 'Charge',
      compensations: ['RefundCharge', 'ReleaseFunds'],
    });
    // Insufficient funds: nothing to undo.
    expect(statesOf(insufficient as PaymentHistory)).toEqual([
      'Reserve',
      'RecordFailure',
      'PublishFailure',
      'Failed',
    ]);
    expect(insufficient?.timeline.outcome).toMatchObject({
      reasonCode: 'insufficient_funds',
      compensations: [],
    });
    // Settle fails: refund, then release, in reverse order of the forward steps.
    expect(statesOf(compensated as PaymentHistory)).toEqual([
      'Reserve',
      'Charge',
      'Settle',
      'RefundCharge',
      'ReleaseFunds',
      'RecordFailure',
      'PublishFailure',
      'Failed',
    ]);
    const refund = compensated?.timeline.steps.find((s) => s.state === 'RefundCharge');
    expect(refund?.result?.refundId).toMatch(/^re_/);
    expect(compensated?.timeline.outcome).toMatchObject({
      summary: 'failed',
      reasonCode: 'settlement_failed',
      compensations: ['RefundCharge', 'ReleaseFunds'],
    });
    // Exponent 0.
    expect(yen?.timeline.payment?.amount).toEqual({ minor: 1250, currency: 'JPY', major: '1250' });
    // Step times are in order.
    const entered = compensated?.timeline.steps.map((s) => s.enteredAt) ?? [];
    expect([...entered].sort()).toEqual(entered);
  });

  it('prints a timeline a person can read', async () => {
    // Act
    const result = await payctl('history', seeded.compensated.paymentId);
    // Assess
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout).toContain(`Payment   ${seeded.compensated.paymentId}  EUR 12.50`);
    expect(result.stdout).toMatch(/Settle\s+step.*failed -> caught/);
    expect(result.stdout).toMatch(/attempt 1 failed after .*: LedgerInvariantError — settle found no hold/);
    expect(result.stdout).toContain('Outcome   FAILED (settlement_failed) at Settle');
    expect(result.stdout).toContain('compensations: RefundCharge, ReleaseFunds');
    // Wallet first: the hold was the 10.00 wallet part (the 2.50 card part was refunded at the gateway).
    expect(result.stdout).toMatch(/release\s+\S+\s+EUR\s+holds:\S+ -10\.00, wallet:\S+ \+10\.00/);
  });

  it('still answers from the archive after Step Functions forgot the execution', async () => {
    // Prepare
    const { paymentId } = seeded.retried;
    const live = await history(paymentId);
    runtime.internals.saga.service.forgetExecution(executionArnOf(paymentId));
    await expect(
      clients.sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf(paymentId) })),
    ).rejects.toThrow(/does not exist/i);
    // Act
    const archived = await history(paymentId);
    const human = await payctl('history', paymentId);
    // Assess
    expect(archived.source).toBe('archive');
    expect(archived.archiveId).toBe(`${paymentId}#0000`);
    expect(archived.timeline).toEqual(live.timeline);
    expect(human.stdout).toContain(`history archive ${paymentId}#0000`);
  });

  it('says what to check for a payment it does not know', async () => {
    // Act
    const unknown = await payctl('history', 'pay_never_heard_of');
    const malformed = await payctl('history', 'not a payment id');
    // Assess
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toMatch(/no payment pay_never_heard_of .*check the id/);
    expect(malformed.code).toBe(EXIT.usage);
    expect(malformed.stderr).toContain('malformed paymentId');
  });
});

interface ReportDocument extends ReportSummary {
  readonly rows: never;
}

describe('payctl report', () => {
  it('writes RFC 4180 CSV that round-trips through a CSV parser, one row per payment', async () => {
    // Act
    const result = await payctl('report', '--from', firstDay, '--to', today(), '--format', 'csv');
    // Assess
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.endsWith('\r\n')).toBe(true);
    const rows = parse(result.stdout, { columns: true, record_delimiter: '\r\n' }) as Record<
      string,
      string
    >[];
    const byId = new Map(rows.map((row) => [row.payment_id, row]));
    expect(rows).toHaveLength(Object.keys(seeded).length);
    expect(byId.get(seeded.ok.paymentId)).toMatchObject({
      payer_wallet: seeded.ok.walletId,
      payee_merchant: 'mer_bookshop',
      amount: '12.50',
      amount_minor: '1250',
      currency: 'EUR',
      status: 'SUCCEEDED',
      failure_reason: '',
      execution_name: seeded.ok.paymentId,
    });
    expect(byId.get(seeded.ok.paymentId)?.gateway_charge_id).toMatch(/^pi_/);
    expect(byId.get(seeded.ok.paymentId)?.requested_at).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    );
    expect(byId.get(seeded.compensated.paymentId)).toMatchObject({
      status: 'FAILED',
      reason_code: 'settlement_failed',
      compensations: 'RefundCharge ReleaseFunds',
    });
    expect(byId.get(seeded.compensated.paymentId)?.refund_id).toMatch(/^re_/);
    expect(byId.get(seeded.yen.paymentId)).toMatchObject({
      amount: '1250',
      amount_minor: '1250',
      currency: 'JPY',
    });
    expect(byId.get(seeded.dinar.paymentId)).toMatchObject({
      amount: '12.340',
      amount_minor: '12340',
      currency: 'BHD',
    });
    expect(Number(byId.get(seeded.retried.paymentId)?.duration_ms)).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/report \[#{30}\] (\d+)\/\1 /);
  });

  it("has totals per currency and status that equal the ledger's", async () => {
    // Prepare: the ledger's own net settlement for the day, read directly.
    const settled = new LedgerSettlementTotals();
    for await (const entry of new LedgerReader(
      clients.documents,
      runtime.names.tables.ledger,
    ).entriesInPeriod(firstDay, today())) {
      settled.add(entry);
    }
    // Act
    const result = await payctl('--json', 'report', '--from', firstDay, '--to', today());
    const eurOnly = await payctl(
      '--json',
      'report',
      '--from',
      firstDay,
      '--to',
      today(),
      '--currency',
      'eur',
    );
    // Assess
    expect(result.code, result.stderr).toBe(EXIT.ok);
    const report = result.json<ReportDocument>();
    const succeeded = report.totals.filter((t) => t.status === 'SUCCEEDED');
    expect(succeeded.map((t) => [t.currency, t.amountMinor])).toEqual(
      settled.rows().map((r) => [r.currency, r.netMinor]),
    );
    expect(succeeded.map((t) => [t.currency, t.count, t.amount])).toEqual([
      ['BHD', 1, '12.340'],
      ['EUR', 2, '25.00'],
      ['JPY', 1, '1250'],
    ]);
    expect(report.totals.find((t) => t.currency === 'EUR' && t.status === 'FAILED')).toMatchObject({
      count: 3,
      amountMinor: 3750,
    });
    expect(report.ledger.every((check) => check.matches)).toBe(true);
    const eur = eurOnly.json<ReportDocument>();
    expect(new Set(eur.totals.map((t) => t.currency))).toEqual(new Set(['EUR']));
  });

  it('prints a table with totals and the ledger check for people, and refuses a malformed period', async () => {
    // Act
    const table = await payctl('report', '--from', firstDay, '--to', today());
    const reversed = await payctl('report', '--from', '2026-11-02', '--to', '2026-11-01');
    // Assess
    expect(table.code, table.stderr).toBe(EXIT.ok);
    expect(table.stdout).toMatch(
      new RegExp(
        `${seeded.ok.paymentId}\\s+\\S+\\s+${seeded.ok.walletId}\\s+mer_bookshop\\s+12\\.50\\s+EUR\\s+SUCCEEDED`,
      ),
    );
    expect(table.stdout).toMatch(/EUR\s+ALL\s+5\s+62\.50\s+6250/);
    expect(table.stdout).toContain(
      'ledger EUR: succeeded 2500, journal net settled 2500 (minor units): agree',
    );
    expect(reversed.code).toBe(EXIT.usage);
    expect(reversed.stderr).toContain('--to 2026-11-01 is before --from 2026-11-02');
  });
});

interface ReconcileDocument {
  readonly discrepancies: Discrepancy[];
  readonly summary: ReconcileSummary;
}

async function reconcileJson(...extra: string[]) {
  const result = await payctl('--json', 'reconcile', '--from', firstDay, '--to', today(), ...extra);
  return { ...result, doc: result.json<ReconcileDocument>() };
}

const found = (doc: ReconcileDocument, kind: Discrepancy['kind'], paymentId?: string) =>
  doc.discrepancies.filter((d) => d.kind === kind && (paymentId === undefined || d.paymentId === paymentId));

describe('payctl reconcile', () => {
  it('is clean on a healthy run', async () => {
    // Act
    const result = await payctl('reconcile', '--from', firstDay, '--to', today());
    // Assess
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(EXIT.ok);
    expect(result.stdout).toMatch(
      /^clean: 7 payments \(0 in flight\), 5 gateway charges, 1 refunds, \d+ journal entries/m,
    );
    expect(result.stderr).toMatch(/reconcile \[#{30}\] (\d+)\/\1 /);
  });

  it('catches a charge kept after the saga failed (injected at the gateway)', async () => {
    // Prepare
    const { paymentId } = seeded.declined;
    // Its card part: 2.50 of 12.50 (the wallet held the other 10.00).
    const charge = runtime.sandbox?.injectCharge({ paymentId, amount: 250, currency: 'eur' });
    // Act
    const result = await payctl('reconcile', '--from', firstDay, '--to', today());
    // Assess
    expect(result.code).toBe(EXIT.discrepancies);
    expect(result.stdout).toContain(
      `[charged_not_refunded] payment ${paymentId}: EUR 2.50 charged at the gateway (${charge?.id})`,
    );
    expect(result.stdout).toContain(`    -> refund ${charge?.id} at the gateway`);
    expect(result.stderr).toContain('reconcile found 1 discrepancies (charged_not_refunded 1)');
  });

  it('catches a second refund (injected at the gateway)', async () => {
    // Prepare
    const { paymentId } = seeded.compensated;
    const chargeId = runtime.sandbox?.chargesFor(paymentId)[0]?.id ?? '';
    const extra = runtime.sandbox?.injectRefund({ chargeId, amount: 100 });
    // Act
    const { code, doc } = await reconcileJson();
    // Assess
    expect(code).toBe(EXIT.discrepancies);
    const [twice] = found(doc, 'refunded_twice', paymentId);
    expect(twice?.refundIds).toContain(extra?.id);
    // The card part refunded (2.50) plus the injected 1.00.
    expect(twice?.message).toContain('EUR 3.50');
  });

  it('catches a hold left open after the saga ended, and past its expiry (injected into the ledger)', async () => {
    // Prepare: the insufficient-funds payment failed at Reserve; a hold for it appears anyway.
    const { paymentId, walletId } = seeded.insufficient;
    await ledger.deposit(walletId, { value: 5000, currency: 'EUR' }, `dep-late-${paymentId}`);
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    await ledger.reserve({ paymentId, walletId, amount: { value: 1250, currency: 'EUR' }, expiresAt });
    // Act
    const now = await reconcileJson();
    const later = await reconcileJson('--as-of', new Date(Date.now() + 7200_000).toISOString());
    // Assess
    expect(found(now.doc, 'hold_open_after_saga', paymentId)).toHaveLength(1);
    expect(found(now.doc, 'hold_open_after_saga', paymentId)[0]?.message).toContain('(EUR 12.50)');
    expect(found(later.doc, 'hold_open_past_expiry', paymentId)).toHaveLength(1);
    expect(found(later.doc, 'hold_open_after_saga', paymentId)).toHaveLength(0);
  });

  it('catches a journal entry that does not sum to zero (injected into the ledger)', async () => {
    // Prepare
    const { paymentId, walletId } = seeded.ok;
    const effectiveAt = new Date().toISOString();
    const entry = {
      entryId: `${paymentId}#refund`,
      ref: paymentId,
      operation: 'refund',
      walletId,
      merchantId: 'mer_bookshop',
      currency: 'EUR',
      lines: [
        { account: 'merchant:mer_bookshop', amount: -1250 },
        { account: `wallet:${walletId}`, amount: 1200 },
      ],
      effectiveAt,
    };
    await clients.documents.send(
      new PutCommand({
        TableName: runtime.names.tables.ledger,
        Item: {
          ...journalKey(paymentId, 'refund'),
          kind: 'journal',
          ...entry,
          gsi1pk: journalDayPk(effectiveAt.slice(0, 10), entry.entryId),
          gsi1sk: `${effectiveAt}#${entry.entryId}`,
        },
      }),
    );
    // Act
    const { code, doc } = await reconcileJson();
    // Assess
    expect(code).toBe(EXIT.discrepancies);
    const unbalanced = found(doc, 'journal_unbalanced', paymentId);
    expect(unbalanced).toHaveLength(1);
    expect(unbalanced[0]?.message).toContain('lines sum to EUR -0.50, not 0');
    expect(doc.summary.journalTotals.EUR).toBe(-50);
  });

  it('catches a payment that succeeded without a gateway charge (injected into the payments table and ledger)', async () => {
    // Prepare: a SUCCEEDED payment, settled in the ledger, whose charge the gateway never made.
    const walletId = await wallet('EUR', 10_000);
    const paymentId = `pay_${randomUUID().slice(0, 12)}`;
    const log = new DynamoPaymentLog(clients.documents, runtime.names.tables.payments);
    await log.open(
      {
        schemaVersion: '1',
        paymentId,
        walletId,
        merchantId: 'mer_bookshop',
        amount: { value: 900, currency: 'EUR', exponent: 2 },
        paymentMethod: 'pm_card_visa',
        requestedAt: new Date().toISOString(),
      },
      executionArnOf(paymentId),
    );
    await ledger.reserve({
      paymentId,
      walletId,
      amount: { value: 900, currency: 'EUR' },
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    await ledger.settle({
      paymentId,
      walletId,
      merchantId: 'mer_bookshop',
      amount: { value: 900, currency: 'EUR' },
    });
    await log.advance(paymentId, 'RESERVED', {});
    await log.advance(paymentId, 'SUCCEEDED', { chargeId: 'pi_vanished' });
    // Act
    const human = await payctl('reconcile', '--from', firstDay, '--to', today());
    const { doc } = await reconcileJson();
    // Assess
    expect(found(doc, 'succeeded_without_charge', paymentId)).toHaveLength(1);
    expect(human.stdout).toContain(
      `[succeeded_without_charge] payment ${paymentId} (EUR 9.00, ${walletId} -> mer_bookshop) SUCCEEDED but the gateway has no charge for it (the saga recorded pi_vanished)`,
    );
    // Everything injected so far is still reported, each once.
    expect(Object.keys(doc.summary.byKind).sort()).toEqual([
      'charged_not_refunded',
      'hold_open_after_saga',
      'journal_unbalanced',
      'refunded_twice',
      'succeeded_without_charge',
    ]);
    expect(doc.summary.discrepancies).toBe(5);
  });
});
