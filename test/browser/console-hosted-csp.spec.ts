import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleAssets } from '../../cli/console/assets';
import { type LocalIssuer, startLocalIssuer } from '../../cli/console/auth/local-issuer';
import { consoleResponseHeaders } from '../../core/config/console';
import { consoleApiAdapters, type HostedSite, startHostedSite } from '../helpers/console-hosted';
import { launchBrowser, type TestBrowser } from './browser';
import { type Seeded, seedRuntime } from './seed';

/**
 * The hosted console under the CSP CloudFront sends (stacks/ConsoleHosting.ts
 * reads its headers from core/config/console.ts, as this test does): the built
 * app served with exactly those response headers, /api/* through the console
 * API's Lambda adapters over a seeded local runtime, sign-in at a local token
 * issuer. The app must load, sign in and draw every page (charts included)
 * without the browser refusing anything.
 */

let seeded: Seeded;
let issuer: LocalIssuer;
let browser: TestBrowser;
let site: HostedSite;
let assetsDir: string;
let headers: Readonly<Record<string, string>>;

beforeAll(async () => {
  assetsDir = await buildConsoleAssets(mkdtempSync(join(tmpdir(), 'paysaga-console-csp-')));
  [seeded, issuer, browser] = await Promise.all([seedRuntime(), startLocalIssuer(), launchBrowser()]);
  headers = consoleResponseHeaders(new URL(issuer.url).origin);
  site = await startHostedSite({ assetsDir, headers, api: consoleApiAdapters(seeded.runtime, issuer) });
});
afterAll(async () => {
  await site?.close();
  await browser?.close();
  await issuer?.close();
  await seeded?.runtime.dispose();
  if (assetsDir) rmSync(assetsDir, { recursive: true, force: true });
});

interface Refusals {
  /** securitypolicyviolation events: the directive and what was blocked. */
  readonly events: string[];
  /** Console messages of a refusal ("Refused to load ...", "Refused to apply inline style ..."). */
  readonly messages: string[];
}

/** A page that records every CSP refusal, from before the app's first script runs. */
async function watchedPage(): Promise<{ page: Page; refusals: Refusals }> {
  const page = await browser.context.newPage();
  const refusals: Refusals = { events: [], messages: [] };
  await page.exposeFunction('__paysagaCspViolation', (text: string) => refusals.events.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __paysagaCspViolation: (text: string) => void })
        .__paysagaCspViolation;
      report(`${event.effectiveDirective} ${event.blockedURI}`);
    });
  });
  page.on('console', (message) => {
    if (/Refused to|Content Security Policy/i.test(message.text())) refusals.messages.push(message.text());
  });
  return { page, refusals };
}

/** Opens the app and waits for sign-in; a refusal that stops it is reported with the refusals, not as a time-out. */
async function signIn(page: Page, refusals: Refusals): Promise<void> {
  await page.goto(`${site.url}#/payments`);
  const signedIn = await page
    .getByTestId('stage')
    .waitFor({ timeout: 20_000 })
    .then(
      () => true,
      () => false,
    );
  expect({ signedIn, refusals }).toEqual({ signedIn: true, refusals: { events: [], messages: [] } });
}

/** Goes to a hash route and waits for its main content. */
async function visit(page: Page, route: string, ready: string): Promise<void> {
  await page.evaluate((hash) => {
    location.hash = hash;
  }, `#/${route}`);
  await page.locator(ready).first().waitFor();
}

describe('hosted console under the distribution CSP', () => {
  it('is served with exactly the response headers the ConsoleHosting stack sets', async () => {
    // Act
    const answers = await Promise.all([fetch(site.url), fetch(new URL('console-config.json', site.url))]);
    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      for (const [name, value] of Object.entries(headers)) expect(answer.headers.get(name)).toBe(value);
    }
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  it('loads, signs operations in, draws every page and opens an action dialog with no CSP refusal', async () => {
    // Prepare
    const { page, refusals } = await watchedPage();
    issuer.signInAs({ username: `ops-csp-${Date.now()}`, groups: ['operations'] });
    const payments = page.waitForResponse((r) => r.url().includes('/api/payments')).catch(() => undefined);
    // Act
    await signIn(page, refusals);
    const paymentsStatus = (await payments)?.status();
    const stage = await page.getByTestId('stage').textContent();
    await visit(page, `payments/${seeded.ids.settle}`, '[data-testid="timeline-chart"]');
    await visit(page, 'volume', '[data-testid="volume-table"]');
    const volumeCharts = await page.locator('main canvas').count();
    await visit(page, 'wallets', 'main form');
    await visit(page, 'sagas', '[data-testid="sagas-table"]');
    await visit(page, 'audit', '[data-testid="audit-table"], main p.muted');
    await visit(page, 'dlqs/intake-dlq', '[data-testid="dlq-messages"]');
    // The redrive dialog's plan comes from the act function (an action plan).
    const plan = page.waitForResponse((r) => r.url().includes('/api/dlqs/intakeDlq/plan'));
    await page.getByRole('button', { name: `Redrive ${seeded.runtime.names.queues.intakeDlq}` }).click();
    const planStatus = (await plan).status();
    await page.getByTestId('redrive-plan').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    // Assess
    expect([paymentsStatus, planStatus]).toEqual([200, 200]);
    expect(stage).toContain('actions allowed');
    // The charts drew under the CSP (Chart.js sizes its canvas through element.style, which CSP allows).
    expect(volumeCharts).toBeGreaterThan(0);
    expect(refusals).toEqual({ events: [], messages: [] });
    expect(browser.blocked).toEqual([]);
    await page.close();
  });

  it('signs finance in with no CSP refusal, and the watcher does see a refusal when one happens', async () => {
    // Prepare
    const { page, refusals } = await watchedPage();
    issuer.signInAs({ username: `fin-csp-${Date.now()}`, groups: ['finance'] });
    await signIn(page, refusals);
    await visit(page, `payments/${seeded.ids.ok}`, '[data-testid="timeline-chart"]');
    const beforeInjection = { events: [...refusals.events], messages: [...refusals.messages] };
    // Act: what the CSP must refuse: an inline style element and an inline script.
    await page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'body { outline: 1px solid red; }';
      document.head.append(style);
      const script = document.createElement('script');
      script.textContent = 'document.title = "injected";';
      document.head.append(script);
    });
    await expect.poll(() => refusals.events.length).toBeGreaterThanOrEqual(2);
    // Assess
    expect(beforeInjection).toEqual({ events: [], messages: [] });
    expect(refusals.events.map((event) => event.split(' ')[0]).sort()).toEqual([
      'script-src-elem',
      'style-src-elem',
    ]);
    expect(await page.title()).not.toBe('injected');
    await page.close();
  });
});
