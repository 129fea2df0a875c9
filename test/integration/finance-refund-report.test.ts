import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../cli/context';
import { writeReport } from '../../cli/finance/report';
import { parsePeriod } from '../../core/finance/period';
import type { PaymentGateway } from '../../core/gateway/port';
import { createStripeGateway } from '../../core/gateway/stripe-adapter';
import { Ledger } from '../../core/ledger';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import type { RefundStepDeps } from '../../core/refunds/steps';
import type { LocalDynamo } from '../helpers/dynalite';
import { financeContext, startFinanceDynalite } from '../helpers/finance-context';
import { seedSettledPayment, succeedRefund } from '../helpers/refund-outcomes';
import { refundRequest, type SeededPayment, type SeedOptions } from '../helpers/refunds';
import { type StartedSandbox, startSandbox } from '../helpers/sandbox';

/**
 * payctl report's refund columns (issue 16): per payment the amount refunded after success, its
 * wallet and card parts and the net (captured - refunded); per currency and status their totals;
 * the ledger check compares the SUCCEEDED net with the journal's net settlement (which counts
 * refund_part). Table, CSV and JSON.
 */

const stage = `rr${randomUUID().slice(0, 6)}`;
let dynamo: LocalDynamo;
let sandbox: StartedSandbox;
let gateway: PaymentGateway;
let ledger: Ledger;
let deps: RefundStepDeps & { gateway: PaymentGateway };
let context: CliContext;

beforeAll(async () => {
  dynamo = await startFinanceDynalite(stage);
  sandbox = await startSandbox();
  gateway = createStripeGateway({ apiKey: sandbox.apiKey, apiBase: sandbox.url, maxNetworkRetries: 0 });
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger });
  const payments = new PaymentsRepository(dynamo.doc, dynamo.tables.payments);
  const refunds = new PaymentRefundStore(dynamo.doc, dynamo.tables.payments);
  deps = { refunds, payments, ledger, gateway, now: () => new Date() };
  context = financeContext(stage, dynamo);
});

afterAll(async () => {
  await sandbox?.stop();
  await dynamo?.stop();
});

const seed = (options: SeedOptions) => seedSettledPayment(dynamo, ledger, gateway, options);

/** Today's report in `format`: its text and summary (the table is in this file's dynalite only). */
async function report(format: 'table' | 'csv' | 'json') {
  const today = new Date().toISOString().slice(0, 10);
  let text = '';
  const summary = await writeReport(context, {
    period: parsePeriod(today, today),
    format,
    archiveBefore: '1970-01-01',
    write: (chunk) => {
      text += chunk;
    },
  });
  return { text, summary };
}

describe('payctl report and refunds', () => {
  let split: SeededPayment;
  let walletOnly: SeededPayment;
  let untouched: SeededPayment;

  beforeAll(async () => {
    split = await seed({ walletAmount: 3000, gatewayAmount: 2000 });
    walletOnly = await seed({ walletAmount: 1000, gatewayAmount: 0 });
    untouched = await seed({ walletAmount: 700, gatewayAmount: 0 });
    await succeedRefund(deps, refundRequest(split.paymentId, { amount: 1500 })); // card first: 15.00 card
    await succeedRefund(deps, refundRequest(split.paymentId, { amount: 1000 })); // 5.00 card + 5.00 wallet
    await succeedRefund(deps, refundRequest(walletOnly.paymentId));
  });

  it('JSON: each row has refunded (wallet, card) and net; totals sum them; the ledger agrees on the net', async () => {
    // Act
    const { text, summary } = await report('json');
    // Assess
    const parsed = JSON.parse(text) as { rows: Record<string, unknown>[]; totals: Record<string, unknown>[] };
    const row = (id: string) => parsed.rows.find((r) => r.paymentId === id);
    expect(row(split.paymentId)).toMatchObject({
      amountMinor: 5000,
      refundedMinor: 2500,
      refundedWalletMinor: 500,
      refundedGatewayMinor: 2000,
      refunded: '25.00',
      netMinor: 2500,
      net: '25.00',
    });
    expect(row(walletOnly.paymentId)).toMatchObject({
      refundedMinor: 1000,
      refundedWalletMinor: 1000,
      netMinor: 0,
    });
    expect(row(untouched.paymentId)).toMatchObject({ refundedMinor: 0, netMinor: 700 });
    expect(parsed.totals.find((t) => t.status === 'SUCCEEDED')).toMatchObject({
      count: 3,
      amountMinor: 6700,
      refundedMinor: 3500,
      refundedWalletMinor: 1500,
      refundedGatewayMinor: 2000,
      netMinor: 3200,
      net: '32.00',
    });
    expect(summary.ledger).toEqual([
      {
        currency: 'EUR',
        succeededMinor: 6700,
        succeededRefundedMinor: 3500,
        succeededNetMinor: 3200,
        ledgerNetSettledMinor: 3200,
        matches: true,
      },
    ]);
  });

  it('CSV: the refund columns are appended after the existing ones', async () => {
    // Act
    const { text } = await report('csv');
    // Assess
    const [header, ...lines] = text.trim().split('\r\n');
    expect(
      header?.endsWith(',refunded,refunded_minor,refunded_wallet_minor,refunded_gateway_minor,net,net_minor'),
    ).toBe(true);
    expect(
      lines.find((l) => l.startsWith(split.paymentId))?.endsWith(',25.00,2500,500,2000,25.00,2500'),
    ).toBe(true);
  });

  it('table: REFUNDED and NET columns', async () => {
    // Act
    const { text } = await report('table');
    // Assess
    const [header] = text.split('\n');
    expect(header).toMatch(/REFUNDED\s+NET\s+TOOK$/);
    expect(text.split('\n').find((l) => l.startsWith(walletOnly.paymentId))).toMatch(/\s10\.00\s+0\.00\s/);
  });
});
