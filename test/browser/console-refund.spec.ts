import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleAssets } from '../../cli/console/assets';
import type { ConsoleServer } from '../../cli/console/server';
import { Ledger } from '../../core/ledger';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import { type RefundBus, succeededCardPayment } from '../helpers/refund-bus';
import { sdkClients, startTestRuntime, type TestRuntime } from '../helpers/runtime';
import { ARTIFACTS_DIR, launchBrowser, type TestBrowser } from './browser';
import { startConsoleFor } from './console-fixture';

/**
 * The payment page's Refunds panel in a real browser: with --allow-actions a
 * refund through the confirmation dialog (the split shown first), audited
 * as payments.refund, then listed with its parts as the refund saga ends it;
 * read-only, no Refund action and the API refuses it (403).
 */

let runtime: TestRuntime;
let bus: RefundBus;
let consoleServer: ConsoleServer;
let readOnly: ConsoleServer;
let browser: TestBrowser;
let assetsDir: string;

beforeAll(async () => {
  assetsDir = await buildConsoleAssets(mkdtempSync(join(tmpdir(), 'paysaga-console-assets-')));
  [runtime, browser] = await Promise.all([startTestRuntime({ frontDoor: false }), launchBrowser()]);
  const clients = sdkClients(runtime);
  bus = {
    events: clients.events,
    eventBusName: runtime.names.eventBus,
    ledger: new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger }),
    payments: new PaymentsRepository(clients.documents, runtime.names.tables.payments),
    refunds: new PaymentRefundStore(clients.documents, runtime.names.tables.payments),
  };
  consoleServer = await startConsoleFor(runtime, { allowActions: true, assetsDir });
  readOnly = await startConsoleFor(runtime, { allowActions: false, assetsDir });
});
afterAll(async () => {
  await browser?.close();
  await consoleServer?.close();
  await readOnly?.close();
  await runtime?.dispose();
  if (assetsDir) rmSync(assetsDir, { recursive: true, force: true });
});

async function open(path: string, server: ConsoleServer = consoleServer): Promise<Page> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}#/${path}`);
  await page.getByTestId('stage').waitFor();
  expect(errors).toEqual([]);
  return page;
}

/** A loaded 2-core machine can take seconds for a saga: poll longer than vitest's 1 s default. */
const poll = <T>(check: () => Promise<T> | T) => expect.poll(check, { timeout: 30_000, interval: 200 });

describe('payctl console: refunds', () => {
  it('refunds part of a payment from its page through the confirmation dialog; the refund appears with its parts', async () => {
    // Prepare
    const paymentId = await succeededCardPayment(bus, 1250);
    const page = await open(`payments/${paymentId}`);
    await page.getByTestId('refundable').waitFor();
    expect(await page.getByTestId('refundable').textContent()).toContain('12.50 EUR');

    // Act
    await page.getByLabel(/^Amount/).fill('5.00');
    await page.getByLabel('Reason', { exact: true }).fill('one book returned');
    await page.getByRole('button', { name: 'Refund…' }).click();
    const dialog = page.getByRole('dialog');
    const plan = await dialog.getByTestId('refund-plan').textContent();
    await dialog.getByRole('button', { name: 'Refund', exact: true }).click();

    // Assess
    expect(plan).toContain('Card part 5.00 EUR');
    await poll(() => page.getByTestId('refund-action-result').textContent()).toContain('requested');
    const row = page.getByTestId('refunds').locator('tbody tr');
    await poll(() => row.first().textContent()).toContain('SUCCEEDED');
    expect(await row.count()).toBe(1);
    expect(await row.first().textContent()).toContain('5.00 EUR');
    await poll(() => page.getByTestId('refundable').textContent()).toContain('7.50 EUR');
    const [refund] = await bus.refunds.list(paymentId);
    expect(refund).toMatchObject({ status: 'SUCCEEDED', amount: 500, gatewayAmount: 500 });
    expect(refund?.requestedBy).toMatch(/^console:/);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'payment-refund.png'), fullPage: true });
    await page.goto(`${consoleServer.url}#/audit`);
    const audit = page.locator('[data-testid="audit-table"] tr[data-action="payments.refund"]');
    await audit.first().waitFor();
    expect(await audit.first().textContent()).toContain(paymentId);
    await page.close();
  });

  it('is read-only without --allow-actions: the refunds are shown, no Refund action, and the API refuses it with 403', async () => {
    // Prepare
    const paymentId = await succeededCardPayment(bus, 1250);
    const page = await open(`payments/${paymentId}`, readOnly);
    await page.getByTestId('refundable').waitFor();

    // Act
    const buttons = await page.getByRole('button', { name: /^Refund/ }).count();
    const refused = await page.evaluate(async (id) => {
      const response = await fetch(`api/payments/${id}/refunds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'not allowed' }),
      });
      return response.status;
    }, paymentId);

    // Assess
    expect(buttons).toBe(0);
    expect(refused).toBe(403);
    expect(await bus.refunds.list(paymentId)).toEqual([]);
    await page.close();
  });
});
