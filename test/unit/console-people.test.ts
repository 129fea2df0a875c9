import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIssuer, startLocalIssuer } from '../../cli/console/auth/local-issuer';
import { localHostedConfig } from '../../cli/console/auth/people';
import type { ConsoleData } from '../../cli/console/data/port';
import { type ConsoleServer, startConsoleServer } from '../../cli/console/server';
import { CONSOLE_CONFIG_FILE } from '../../core/config/console';

/**
 * The console's group rules in hosted mode, over the loopback server with a
 * local token issuer and the production verifier: finance reads everything
 * and is refused every action (403, the data function never called);
 * operations may act; the data functions run as the person.
 */

const calls: Array<{ fn: string; actor: string }> = [];
/** Every data function answers; a call is recorded with the actor it runs as. */
const dataAs = (actor: string): ConsoleData =>
  new Proxy({} as ConsoleData, {
    get: (_target, fn) => async () => {
      calls.push({ fn: String(fn), actor });
      return { ok: true, summary: 'done' };
    },
  });

let issuer: LocalIssuer;
let server: ConsoleServer;
let assets: string;

beforeAll(async () => {
  assets = mkdtempSync(join(tmpdir(), 'console-people-'));
  writeFileSync(join(assets, 'index.html'), '<!doctype html><title>console</title>');
  issuer = await startLocalIssuer();
  server = await startConsoleServer({
    data: dataAs('the loopback caller'),
    stage: 'local',
    local: true,
    allowActions: false,
    assetsDir: assets,
    people: {
      verify: issuer.verifier(),
      dataFor: (_person, actor) => dataAs(actor),
      hosted: localHostedConfig(issuer),
    },
  });
});
afterAll(async () => {
  await server?.close();
  await issuer?.close();
  rmSync(assets, { recursive: true, force: true });
});

const READS = [
  'meta',
  'payments?from=2026-01-01&to=2026-01-07',
  'payments/pay_read_1',
  'payments/pay_read_1/refunds',
  'dlqs',
  'dlqs/intake-dlq',
  'sagas/failed',
  'volume',
  'wallets/wal_read_1',
  'wallets/wal_read_1/transactions',
  'audit',
];

/** The audited actions as the console posts them (refund, resolve and resend included, whatever their route). */
const ACTIONS: ReadonlyArray<[string, unknown]> = [
  ['dlqs/intake-dlq/redrive', { includeRejected: false }],
  ['sagas/pay_act_1/redrive', {}],
  ['wallets/wal_act_1/adjust', { amount: '1.00', reason: 'goodwill' }],
  ['payments/pay_act_1/refunds', { amount: '1.00', reason: 'customer asked' }],
  ['payments/pay_act_1/resolve', { resolution: 'refunded', reason: 'checked' }],
  ['payments/pay_act_1/resolve-refund', { refundId: 'rf_act_1', action: 'finish' }],
  ['payments/pay_act_1/webhooks/resend', {}],
];

const api = (path: string, token?: string, body?: unknown) =>
  fetch(`${server.url}api/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      accept: 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });

describe('console people mode: sign-in', () => {
  it('refuses a request without a token, with a forged or expired token, or from another issuer (401)', async () => {
    // Prepare
    const other = await startLocalIssuer({ clientId: issuer.clientId });
    const user = { username: `ops-${Date.now()}`, groups: ['operations'] as const };
    const expired = await issuer.issue(user, { expiresInSeconds: -60 });
    const foreign = await other.issue(user);
    // A finance token whose groups were edited to operations, its signature kept.
    const [header, payload, signature] = (await issuer.issue({ ...user, groups: ['finance'] })).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const edited = Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['operations'] }));
    const tampered = `${header}.${edited.toString('base64url')}.${signature}`;
    calls.length = 0;
    // Act
    const answers = await Promise.all(
      [undefined, 'not-a-jwt', expired, foreign, tampered].map((token) => api('payments', token)),
    );
    await other.close();
    // Assess
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    expect(calls).toEqual([]);
  });

  it('serves the app its sign-in settings (the issuer and the client)', async () => {
    // Act
    const answer = await fetch(`${server.url}${CONSOLE_CONFIG_FILE}`);
    const page = await fetch(server.url);
    // Assess
    expect(await answer.json()).toEqual({
      authority: issuer.url,
      clientId: issuer.clientId,
      scopes: 'openid',
    });
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ${issuer.url}`);
  });
});

describe('console people mode: group rules', () => {
  it('lets finance read every page and refuses it every audited action (403), calling nothing', async () => {
    // Prepare
    const token = await issuer.issue({ username: `fin-${Date.now()}`, groups: ['finance'] });
    calls.length = 0;
    // Act
    const reads = await Promise.all(READS.map((path) => api(path, token)));
    const readCalls = calls.length;
    const actions = await Promise.all(ACTIONS.map(([path, body]) => api(path, token, body)));
    const meta = (await (await api('meta', token)).json()) as { allowActions: boolean };
    // Assess
    expect(reads.map((a) => a.status)).toEqual(READS.map(() => 200));
    expect(readCalls).toBe(READS.length - 1);
    expect(actions.map((a) => a.status)).toEqual(ACTIONS.map(() => 403));
    expect(calls).toHaveLength(readCalls);
    expect(meta.allowActions).toBe(false);
  });

  it('lets operations read and act, the data functions acting as the person (sub and username)', async () => {
    // Prepare
    const username = `ops-${Date.now()}`;
    const token = await issuer.issue({ username, groups: ['operations'] });
    calls.length = 0;
    // Act
    const reads = await Promise.all(READS.map((path) => api(path, token)));
    const actions = await Promise.all(ACTIONS.map(([path, body]) => api(path, token, body)));
    const meta = (await (await api('meta', token)).json()) as { allowActions: boolean };
    // Assess
    expect(reads.map((a) => a.status)).toEqual(READS.map(() => 200));
    expect(actions.slice(0, 4).map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // Routes other engineers add (resolve, resend) answer 200/400/404 for operations, never 403.
    for (const answer of actions) expect(answer.status).not.toBe(403);
    expect(calls.map((c) => c.fn)).toEqual(
      expect.arrayContaining(['redriveDlq', 'redriveSaga', 'adjustWallet', 'refundPayment']),
    );
    expect(new Set(calls.map((c) => c.actor))).toEqual(
      new Set([expect.stringMatching(new RegExp(`^cognito:${username} \\(sub [0-9a-f-]{36}\\)$`))]),
    );
    expect(meta.allowActions).toBe(true);
  });

  it('refuses a signed-in person in neither group, even reads (403)', async () => {
    // Prepare
    const token = await issuer.issue({ username: `nobody-${Date.now()}`, groups: [] });
    // Act
    const read = await api('payments', token);
    const act = await api('sagas/pay_x/redrive', token, {});
    // Assess
    expect([read.status, act.status]).toEqual([403, 403]);
  });
});
