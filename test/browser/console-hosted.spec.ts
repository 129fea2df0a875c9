import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleAssets } from '../../cli/console/assets';
import { type LocalIssuer, startLocalIssuer } from '../../cli/console/auth/local-issuer';
import { startEmbeddedConsole } from '../../cli/console/embedded';
import type { ConsoleServer } from '../../cli/console/server';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime';
import { launchBrowser, type TestBrowser } from './browser';

/**
 * The console in hosted mode against a local token issuer: the app signs in
 * with the authorization code + PKCE, keeps the ID token in memory, sends it
 * to the console API, and the group rules of the hosted API decide.
 */

let runtime: TestRuntime;
let issuer: LocalIssuer;
let server: ConsoleServer;
let browser: TestBrowser;
let assetsDir: string;

beforeAll(async () => {
  assetsDir = await buildConsoleAssets(mkdtempSync(join(tmpdir(), 'paysaga-console-hosted-')));
  [runtime, issuer, browser] = await Promise.all([startTestRuntime(), startLocalIssuer(), launchBrowser()]);
  server = await startEmbeddedConsole({
    endpoint: runtime.endpoint,
    region: runtime.region,
    stage: runtime.names.stage,
    port: 0,
    allowActions: false,
    assetsDir,
    signIn: issuer,
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await issuer?.close();
  await runtime?.dispose();
  if (assetsDir) rmSync(assetsDir, { recursive: true, force: true });
});

/** Opens the console signed in as a person: the issuer answers the authorize redirect for them. */
async function openAs(username: string, groups: readonly ('operations' | 'finance')[]): Promise<Page> {
  issuer.signInAs({ username, groups });
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const payments = page.waitForResponse((r) => r.url().includes('/api/payments'));
  await page.goto(`${server.url}#/payments`);
  await page.getByTestId('stage').waitFor();
  expect((await payments).status()).toBe(200);
  expect(errors).toEqual([]);
  return page;
}

describe('hosted console: sign-in with a local token issuer', () => {
  it('signs finance in with PKCE, reads, is offered no action, and keeps the token out of storage', async () => {
    // Act
    const page = await openAs(`fin-${Date.now()}`, ['finance']);
    const stage = await page.getByTestId('stage').textContent();
    const storage = await page.evaluate(() => ({
      local: Object.keys(localStorage),
      session: Object.keys(sessionStorage),
      address: location.href,
    }));
    const withoutToken = await page.evaluate(async () => (await fetch('api/payments')).status);
    const forgedAction = await page.evaluate(
      async () =>
        (
          await fetch('api/sagas/pay_x/redrive', {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer x.y.z' },
            body: '{}',
          })
        ).status,
    );
    // Assess
    expect(stage).toContain('read-only');
    expect(storage.local).toEqual([]);
    expect(storage.session).toEqual([]);
    // The code and state are gone from the address after the exchange.
    expect(storage.address).not.toContain('code=');
    expect([withoutToken, forgedAction]).toEqual([401, 401]);
    await page.close();
  });

  it('signs operations in with actions offered', async () => {
    // Act
    const page = await openAs(`ops-${Date.now()}`, ['operations']);
    // Assess
    expect(await page.getByTestId('stage').textContent()).toContain('actions allowed');
    await page.close();
  });

  it('answers a person in neither group with the refusal, not the data', async () => {
    // Prepare
    issuer.signInAs({ username: `nobody-${Date.now()}`, groups: [] });
    const page = await browser.context.newPage();
    // Act
    const meta = page.waitForResponse((r) => r.url().endsWith('/api/meta'));
    await page.goto(`${server.url}#/payments`);
    // Assess
    expect((await meta).status()).toBe(403);
    await page.close();
  });
});
