import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleAssets } from '../../cli/console/assets';
import type { ConsoleServer } from '../../cli/console/server';
import { Ledger, LedgerReader } from '../../core/ledger';
import { newWalletIdForTest } from '../helpers/wallets';
import { ARTIFACTS_DIR, launchBrowser, type TestBrowser } from './browser';
import { startConsoleFor } from './console-fixture';
import { type Seeded, seedRuntime } from './seed';

let seeded: Seeded;
let consoleServer: ConsoleServer;
let readOnly: ConsoleServer;
let browser: TestBrowser;
let assetsDir: string;

beforeAll(async () => {
  // The assets under test are built from the current sources into a private directory: not a stale
  // console/dist, and never emptied by another run building at the same time.
  assetsDir = await buildConsoleAssets(mkdtempSync(join(tmpdir(), 'paysaga-console-assets-')));
  [seeded, browser] = await Promise.all([seedRuntime(), launchBrowser()]);
  consoleServer = await startConsoleFor(seeded.runtime, { allowActions: true, assetsDir });
  readOnly = await startConsoleFor(seeded.runtime, { allowActions: false, assetsDir });
});
afterAll(async () => {
  await browser?.close();
  await consoleServer?.close();
  await readOnly?.close();
  await seeded?.runtime.dispose();
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

/** A loaded 2-core machine can take seconds for a saga or a move task: poll longer than vitest's 1 s default. */
const poll = <T>(check: () => Promise<T> | T) => expect.poll(check, { timeout: 20_000, interval: 100 });

const rowIds = async (page: Page) =>
  page
    .getByTestId('payments-table')
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-payment-id')));

describe('payctl console: payments list', () => {
  it('lists the seeded payments and filters them by status, currency, amount and paymentId, with paging', async () => {
    // Prepare
    const { ids } = seeded;
    const page = await open('payments');
    await page.getByTestId('payments-table').waitFor();
    // Assess: everything but the rejected poison message, which never became a payment
    const all = await rowIds(page);
    expect(all).toHaveLength(8);
    expect(all).not.toContain(ids.poison);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'payments.png'), fullPage: true });

    // Act: status FAILED, through the labelled form
    await page.getByLabel('Status').selectOption('FAILED');
    await page.getByRole('button', { name: 'Apply' }).click();
    await poll(() => rowIds(page)).toHaveLength(2);
    expect((await rowIds(page)).sort()).toEqual([ids.declined, ids.settle].sort());
    // The form shows the filter it applied (it is rebuilt from the address)
    expect(await page.getByLabel('Status').inputValue()).toBe('FAILED');

    // Act: currency USD (status back to any)
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Currency').selectOption('USD');
    await page.getByRole('button', { name: 'Apply' }).click();
    await poll(() => rowIds(page)).toEqual([ids.usd]);

    // Act: amounts between 5.00 and 7.00 inclusive, any currency
    await page.getByLabel('Currency').selectOption('');
    await page.getByLabel('Min amount').fill('5');
    await page.getByLabel('Max amount').fill('7.00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await poll(async () => (await rowIds(page)).sort()).toEqual([ids.notify, ids.stopped].sort());

    // Act: search by paymentId
    await page.goto(`${consoleServer.url}#/payments?q=${ids.retried}`);
    await poll(() => rowIds(page)).toEqual([ids.retried]);

    // Act: pages of 3
    await page.goto(`${consoleServer.url}#/payments?limit=3`);
    await poll(() => rowIds(page)).toHaveLength(3);
    const first = await rowIds(page);
    await page.getByRole('link', { name: 'Next →' }).click();
    await poll(() => rowIds(page)).not.toEqual(first);
    const second = await rowIds(page);
    expect(second).toHaveLength(3);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    await expect(page.getByTestId('payments-count').textContent()).resolves.toContain('showing 4–6');
    await page.close();
  });
});

describe('payctl console: payment detail', () => {
  it('draws the settle failure as steps then compensations (RefundCharge, ReleaseFunds) with the journal', async () => {
    // Prepare
    const page = await open(`payments/${seeded.ids.settle}`);
    const chart = page.getByTestId('timeline-chart');
    await chart.waitFor();
    // Act
    const description = (await chart.getAttribute('aria-label')) ?? '';
    // Assess: the chart's text alternative names every bar in order, with its kind
    const order = [
      'Reserve (step)',
      'Charge (step)',
      'Settle (step, caught)',
      'RefundCharge (compensation)',
      'ReleaseFunds (compensation)',
    ];
    const positions = order.map((part) => description.indexOf(part));
    expect(
      positions.every((p) => p >= 0),
      description,
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(description).toContain('Outcome: failed (settlement_failed)');
    expect(await page.locator('[data-testid="steps-table"] tr[data-kind="compensation"]').count()).toBe(2);
    await expect(page.getByTestId('saga-outcome').textContent()).resolves.toContain(
      'compensations: RefundCharge, ReleaseFunds',
    );
    const operations = await page
      .getByTestId('journal-table')
      .locator('tbody tr td:nth-child(2)')
      .allTextContents();
    expect(operations.filter(Boolean)).toEqual(['reserve', 'release']);
    // The chart really drew something: the canvas is not blank
    const inked = await chart.evaluate((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const pixels =
        c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      return pixels.some((value, i) => i % 4 === 3 && value > 0);
    });
    expect(inked).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'payment-detail.png'), fullPage: true });
    await page.close();
  });

  it('marks the retries of a step and the release of a declined card', async () => {
    // Prepare
    const retried = await open(`payments/${seeded.ids.retried}`);
    const declined = await open(`payments/${seeded.ids.declined}`);
    // Act
    const retriedText = (await retried.getByTestId('timeline-chart').getAttribute('aria-label')) ?? '';
    const declinedText = (await declined.getByTestId('timeline-chart').getAttribute('aria-label')) ?? '';
    // Assess
    // pm_sandbox_unavailable_2: two 503s (the SDK's own retry counts as one), then approved
    const attempts = Number(/Charge \(step, (\d+) attempts\)/.exec(retriedText)?.[1]);
    expect(attempts, retriedText).toBeGreaterThanOrEqual(2);
    expect(
      await retried.locator('[data-testid="steps-table"] tr[data-state="Charge"]').textContent(),
    ).toContain('GatewayUnavailableError');
    expect(retriedText).toContain('Outcome: succeeded');
    expect(retriedText).not.toContain('compensation');
    expect(declinedText).toContain('Charge (step, caught)');
    // A decline goes through RefundCharge, which asks the gateway for a charge (none here), then ReleaseFunds.
    expect(declinedText).toContain('RefundCharge (compensation)');
    expect(declinedText).toContain('ReleaseFunds (compensation)');
    expect(declinedText.indexOf('RefundCharge')).toBeLessThan(declinedText.indexOf('ReleaseFunds'));
    await retried.screenshot({ path: join(ARTIFACTS_DIR, 'payment-detail-retries.png'), fullPage: true });
    await retried.close();
    await declined.close();
  });
});

describe('payctl console: dead-letter queues', () => {
  it('shows depth and the poison message, and redrives a DLQ through the confirmation dialog with an audit record', async () => {
    // Prepare
    const page = await open('dlqs/intake-dlq');
    const row = (key: string) => page.locator(`[data-testid="dlq-table"] tr[data-queue="${key}"]`);
    await poll(() => row('notificationDlq').getByTestId('depth').textContent()).toBe('1');
    expect(await row('intakeDlq').getByTestId('depth').textContent()).toBe('1');
    await poll(() => page.getByTestId('dlq-messages').textContent()).toContain(seeded.ids.poison);
    expect(await page.getByTestId('dlq-messages').textContent()).toContain('invalid_event');

    // Act: the poison message is an intake rejection: redriving it is refused unless ticked, as payctl's --include-rejected
    await page.getByRole('button', { name: 'Redrive paysaga-local-intake-dlq' }).click();
    const intakeDialog = page.getByRole('dialog');
    await poll(() => intakeDialog.getByTestId('redrive-rejections').textContent()).toContain(
      'invalid_event: 1',
    );
    await intakeDialog.getByRole('button', { name: 'Redrive', exact: true }).click();
    await poll(() => intakeDialog.getByRole('alert').textContent()).toContain('intake rejections');
    await intakeDialog.getByRole('button', { name: 'Cancel' }).click();
    await intakeDialog.waitFor({ state: 'detached' });
    expect(await row('intakeDlq').getByTestId('depth').textContent()).toBe('1');

    // Act: by keyboard, open the dialog and cancel it with Escape: nothing moves
    const redrive = page.getByRole('button', { name: 'Redrive paysaga-local-notification-dlq' });
    await redrive.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(
      await dialog.getByRole('button', { name: 'Cancel' }).evaluate((b) => b === document.activeElement),
    ).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await row('notificationDlq').getByTestId('depth').textContent()).toBe('1');

    // Act: open it again; it says what will move before anything moves
    await redrive.click();
    await poll(() => dialog.getByTestId('redrive-plan').textContent()).toContain('moves 1 message(s)');
    expect(await dialog.textContent()).toContain(seeded.ids.notify);
    expect(await dialog.textContent()).toContain('paysaga-local-notification');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'dlq-redrive-dialog.png'), fullPage: true });
    expect(seeded.notificationsConsumed.some((body) => body.includes(seeded.ids.notify))).toBe(false);
    await dialog.getByRole('button', { name: 'Redrive', exact: true }).click();

    // Assess: moved, the depth is 0, the message went back to the notification queue (whose consumer,
    // webhook-fanout, takes it at once: it is seen there, not left waiting), the audit log has it
    await poll(() => page.getByTestId('action-result').textContent()).toContain('COMPLETED: moved 1');
    await poll(() => row('notificationDlq').getByTestId('depth').textContent()).toBe('0');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'dlqs.png'), fullPage: true });
    await poll(() => seeded.notificationsConsumed.some((body) => body.includes(seeded.ids.notify))).toBe(
      true,
    );
    await page.goto(`${consoleServer.url}#/audit`);
    const audit = page.locator('[data-testid="audit-table"] tr[data-action="dlq.redrive"]');
    await audit.first().waitFor();
    expect(await audit.first().textContent()).toContain(
      'paysaga-local-notification-dlq -> paysaga-local-notification',
    );
    expect(await audit.first().textContent()).toContain('succeeded');
    await page.close();
  });

  it('is read-only without --allow-actions: no redrive buttons, and the API refuses actions with 403', async () => {
    // Prepare
    const page = await open('dlqs', readOnly);
    await page.getByTestId('dlq-table').waitFor();
    // Act
    const buttons = await page.getByRole('button', { name: /^Redrive/ }).count();
    const refused = await page.evaluate(async () => {
      const response = await fetch('api/dlqs/intake-dlq/redrive', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return { status: response.status, body: (await response.json()) as { error: string } };
    });
    // Assess
    expect(buttons).toBe(0);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toContain('--allow-actions');
    await page.close();
  });
});

describe('payctl console: failed sagas, volume, offline', () => {
  it('lists the saga stopped at Charge as redrivable, not the compensated one (a business outcome), and redrives it', async () => {
    // Prepare
    const page = await open('sagas');
    const table = page.getByTestId('sagas-table');
    await table.waitFor();
    // Act
    const stopped = table.locator(`tr[data-payment-id="${seeded.ids.stopped}"]`);
    const settle = table.locator(`tr[data-payment-id="${seeded.ids.settle}"]`);
    // Assess
    expect(await stopped.textContent()).toContain('GatewayUnavailableError');
    expect(await stopped.getByRole('button', { name: /Redrive/ }).count()).toBe(1);
    // The settle failure ended compensated in Failed, a Succeed-type state: not a stopped saga.
    expect(await settle.count()).toBe(0);

    // Act: redrive the stopped saga through the dialog (the gateway is still down: it fails again)
    await stopped.getByRole('button', { name: /Redrive/ }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('re-runs Charge');
    await dialog.getByRole('button', { name: 'Redrive', exact: true }).click();
    // Assess: redriven, and audited as payctl sagas redrive audits it
    await poll(() => page.getByTestId('action-result').textContent()).toContain(seeded.ids.stopped);
    await page.goto(`${consoleServer.url}#/audit`);
    const audit = page.locator('[data-testid="audit-table"] tr[data-action="sagas.redrive"]');
    await audit.first().waitFor();
    expect(await audit.first().textContent()).toContain(
      `execution:paysaga-local-payment-saga:${seeded.ids.stopped}`,
    );
    await page.close();
  });

  it('charts the daily volume per currency and status, and never reached off the loopback server', async () => {
    // Prepare
    const page = await open('volume');
    await page.getByTestId('volume-table').waitFor();
    // Act
    const text = (await page.getByTestId('volume-table').textContent()) ?? '';
    // Assess: EUR succeeded = 12.50 + 250.00 + 30.00 + 5.00
    expect(text).toContain('297.50');
    expect(text).toContain('USD');
    expect(await page.getByRole('img', { name: /Daily volume in EUR/ }).count()).toBe(1);
    await page.getByLabel('Currency').selectOption('USD');
    await page.getByRole('img', { name: /Daily volume in USD/ }).waitFor();
    expect(await page.getByLabel('Currency').inputValue()).toBe('USD');
    expect(browser.blocked).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'volume.png'), fullPage: true });
    await page.close();
  });
});

describe('payctl console: wallets', () => {
  it('shows balance, open holds and the statement with paging and a window, linked from a payment', async () => {
    // Prepare: a wallet with 60 statement lines (one per minute on 2026-05-01, then 2026-05-02) and one open hold
    const ledgerAt = (at: string) =>
      new Ledger({
        doc: seeded.clients.documents,
        tableName: seeded.runtime.names.tables.ledger,
        now: () => new Date(at),
      });
    // Ids from newWalletIdForTest: never a 13-digit run such as Date.now(), which is Luhn-valid one time in
    // ten, so refused as card data (the console answered 404 and the page never showed the wallet).
    const walletId = newWalletIdForTest();
    await ledgerAt('2026-05-01T00:00:00.000Z').openWallet(walletId, 'EUR');
    for (let i = 0; i < 60; i++) {
      const day = i < 50 ? '2026-05-01' : '2026-05-02';
      const at = `${day}T10:${String(i % 50).padStart(2, '0')}:00.000Z`;
      await ledgerAt(at).deposit(walletId, { value: 100, currency: 'EUR' }, `dep-${i}`);
    }
    const holdId = `pay_hold_${randomUUID().slice(0, 8)}`;
    await ledgerAt(new Date().toISOString()).reserve({
      paymentId: holdId,
      walletId,
      amount: 700,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const lines = (page: Page) => page.getByTestId('statement-table').locator('tbody tr');

    // Act: from a payment's detail to its wallet
    const payment = await open(`payments/${seeded.ids.ok}`);
    await payment.getByTestId('wallet-link').click();
    await payment.getByTestId('wallet-facts').waitFor();
    const seededWallet = decodeURIComponent(payment.url().split('#/wallets/')[1] ?? '');
    await payment.close();
    const page = await open(`wallets/${walletId}`);
    await page.getByTestId('statement-table').waitFor();

    // Assess: balance, the hold linking to its payment, the first page of 25 lines newest first
    expect(seededWallet).toMatch(/^wal_/);
    const facts = (await page.getByTestId('wallet-facts').textContent()) ?? '';
    expect(facts).toContain('53.00 EUR');
    expect(facts).toContain('7.00 EUR');
    expect(await page.getByTestId('holds-table').getByRole('link', { name: holdId }).count()).toBe(1);
    await poll(() => lines(page).count()).toBe(25);
    const first = await lines(page).allTextContents();
    expect(first[0]).toContain('payment');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'wallet.png'), fullPage: true });

    // Act: older, older, newer
    await page.getByRole('button', { name: 'Older →' }).click();
    await poll(async () => (await lines(page).allTextContents())[0]).not.toBe(first[0]);
    await page.getByRole('button', { name: 'Older →' }).click();
    await poll(() => lines(page).count()).toBe(11);
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← Newer' }).click();
    await poll(() => lines(page).count()).toBe(25);

    // Act: the window of 2026-05-02 only
    await page.getByLabel('From').fill('2026-05-02');
    await page.getByLabel('From').dispatchEvent('change');
    await page.getByLabel('To').fill('2026-05-02');
    await page.getByLabel('To').dispatchEvent('change');
    await poll(() => lines(page).count()).toBe(10);

    // Act: page back to older lines, then go to the payment's wallet on the same page (only the hash changes)
    await page.getByLabel('From').fill('');
    await page.getByLabel('From').dispatchEvent('change');
    await poll(() => lines(page).count()).toBe(25);
    await page.getByRole('button', { name: 'Older →' }).click();
    await poll(async () => (await lines(page).allTextContents())[0]).not.toBe(first[0]);
    await page.goto(`${consoleServer.url}#/wallets/${encodeURIComponent(seededWallet)}`);

    // Assess: that wallet's own facts and first page, not the other wallet's cursor (a 400) or figures
    await poll(() => page.locator('h1').textContent()).toContain(seededWallet);
    await poll(() => lines(page).count()).toBeGreaterThan(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.getByTestId('wallet-facts').textContent()).not.toContain('53.00 EUR');
    expect(await page.getByRole('button', { name: '← Newer' }).isDisabled()).toBe(true);
    await page.close();
  });

  it('adjusts a wallet through the confirmation dialog, audited as wallets.adjust', async () => {
    // Prepare
    const ledger = new Ledger({
      doc: seeded.clients.documents,
      tableName: seeded.runtime.names.tables.ledger,
    });
    const walletId = newWalletIdForTest();
    await ledger.openWallet(walletId, 'EUR');
    const page = await open(`wallets/${walletId}`);
    await page.getByTestId('wallet-facts').waitFor();

    // Act
    await page.getByLabel(/Amount/).fill('4.20');
    await page.getByLabel('Reason').fill('goodwill credit');
    await page.getByRole('button', { name: 'Adjust…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Adjust', exact: true }).click();

    // Assess
    await poll(() => page.getByTestId('wallet-facts').textContent()).toContain('4.20 EUR');
    await poll(() => page.getByTestId('statement-table').locator('tbody tr').count()).toBe(1);
    expect(await walletAvailable(walletId)).toBe(420);
    await page.goto(`${consoleServer.url}#/audit`);
    const audit = page.locator('[data-testid="audit-table"] tr[data-action="wallets.adjust"]');
    await audit.first().waitFor();
    expect(await audit.first().textContent()).toContain(walletId);
    await page.close();
  });
});

async function walletAvailable(walletId: string): Promise<number | undefined> {
  const reader = new LedgerReader(seeded.clients.documents, seeded.runtime.names.tables.ledger);
  return (await reader.getWallet(walletId))?.available;
}
