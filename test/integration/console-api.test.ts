import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, ConsoleMeta } from '../../cli/console/api-types';
import { type LocalIssuer, startLocalIssuer } from '../../cli/console/auth/local-issuer';
import { localHostedConfig } from '../../cli/console/auth/people';
import { CONSOLE_CONFIG_FILE, type ConsoleGroup } from '../../core/config/console';
import { Ledger, LedgerReader } from '../../core/ledger';
import type { StatementResponse } from '../../core/wallets/contract';
import type { ConsoleProxyHandler } from '../../functions/commons/console-adapter';
import { claimsOf, type ProxyRequest, proxyEvent } from '../helpers/api-gateway';
import { consoleApiAdapters } from '../helpers/console-hosted';
import { fundedWallet } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime } from '../helpers/runtime';

/**
 * The hosted console's Lambda adapter (functions/commons/console-adapter.ts,
 * what functions/console-api.ts runs) over the local runtime: API Gateway
 * proxy events in, as the Cognito authorizer passes them (Authorization
 * header and claims), the real data functions and audit log behind, proxy
 * results out. The token's claims decide the person and their groups, the
 * route its function and group, and the audit names the person.
 */

let runtime: TestRuntime;
let issuer: LocalIssuer;
let ledger: Ledger;
let reader: LedgerReader;
let read: ConsoleProxyHandler;
let act: ConsoleProxyHandler;

beforeAll(async () => {
  [runtime, issuer] = await Promise.all([startTestRuntime({ frontDoor: false }), startLocalIssuer()]);
  const { documents } = sdkClients(runtime);
  ledger = new Ledger({ doc: documents, tableName: runtime.names.tables.ledger });
  reader = new LedgerReader(documents, runtime.names.tables.ledger);
  ({ read, act } = consoleApiAdapters(runtime, issuer));
}, 120_000);
afterAll(async () => {
  await issuer?.close();
  await runtime?.dispose();
});

/** A person's request as API Gateway passes it on after its authorizer: the bearer token and its claims. */
async function signedIn(
  username: string,
  groups: ConsoleGroup[],
): Promise<(request: ProxyRequest) => ProxyRequest> {
  const token = await issuer.issue({ username, groups });
  return (request) => ({
    ...request,
    headers: { Authorization: `Bearer ${token}`, ...request.headers },
    claims: claimsOf(token),
  });
}

const json = <T>(result: { body: string }): T => JSON.parse(result.body) as T;
const adjustment = (walletId: string, body: string, base64 = false): ProxyRequest => ({
  method: 'POST',
  path: `/api/wallets/${walletId}/adjust`,
  headers: { 'content-type': 'application/json' },
  body,
  base64,
});

describe('console API adapter: API Gateway proxy events to the console pipeline', () => {
  it('answers a read: the claims name the groups, the query reaches the route, JSON with no-store', async () => {
    // Prepare
    const walletId = await fundedWallet(ledger, 5_000);
    await ledger.deposit(walletId, { value: 700, currency: 'EUR' }, `dep2-${walletId}`);
    const finance = await signedIn(`fin-${walletId}`, ['finance']);
    const operations = await signedIn(`ops-${walletId}`, ['operations']);
    // Act
    const financeMeta = await read(proxyEvent(finance({ method: 'GET', path: '/api/meta' })));
    const operationsMeta = await read(proxyEvent(operations({ method: 'GET', path: '/api/meta' })));
    const page = await read(
      proxyEvent(
        finance({ method: 'GET', path: `/api/wallets/${walletId}/transactions`, query: { limit: ['1'] } }),
      ),
    );
    // Assess
    expect([financeMeta.statusCode, operationsMeta.statusCode, page.statusCode]).toEqual([200, 200, 200]);
    expect(json<ConsoleMeta>(financeMeta).allowActions).toBe(false);
    expect(json<ConsoleMeta>(operationsMeta).allowActions).toBe(true);
    expect(page.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
    const statement = json<StatementResponse>(page);
    expect(statement.walletId).toBe(walletId);
    expect(statement.lines.map((line) => line.amount)).toEqual([700]);
    expect(statement.nextCursor).toBeDefined();
  });

  it('refuses a request without a token (401) and finance an action (403): nothing written, nothing audited', async () => {
    // Prepare
    const walletId = await fundedWallet(ledger, 10_000);
    const finance = await signedIn(`fin-${walletId}`, ['finance']);
    const body = JSON.stringify({ amount: '-1.25', reason: `goodwill ${walletId}` });
    // Act
    const anonymous = await act(proxyEvent(adjustment(walletId, body)));
    const anonymousRead = await read(proxyEvent({ method: 'GET', path: '/api/payments' }));
    const refused = await act(proxyEvent(finance(adjustment(walletId, body))));
    const audit = await read(
      proxyEvent(finance({ method: 'GET', path: '/api/audit', query: { days: ['1'] } })),
    );
    // Assess
    expect([anonymous.statusCode, anonymousRead.statusCode, refused.statusCode]).toEqual([401, 401, 403]);
    expect(json<{ error: string }>(refused).error).toContain(`fin-${walletId} (finance) may not POST`);
    expect((await reader.getWallet(walletId))?.available).toBe(10_000);
    expect(json<AuditEntry[]>(audit).filter((entry) => entry.target.includes(walletId))).toEqual([]);
  });

  it("passes an action's body through (plain or base64) and audits it as cognito:<username>", async () => {
    // Prepare
    const walletId = await fundedWallet(ledger, 10_000);
    const username = `ops-${walletId}`;
    const operations = await signedIn(username, ['operations']);
    // Act
    const plain = await act(
      proxyEvent(operations(adjustment(walletId, JSON.stringify({ amount: '-1.25', reason: 'goodwill' })))),
    );
    const encoded = await act(
      proxyEvent(
        operations(adjustment(walletId, JSON.stringify({ amount: '0.50', reason: 'fee back' }), true)),
      ),
    );
    const notJson = await act(proxyEvent(operations(adjustment(walletId, '{"amount":'))));
    const audit = await read(
      proxyEvent(operations({ method: 'GET', path: '/api/audit', query: { days: ['1'] } })),
    );
    // Assess
    expect([plain.statusCode, encoded.statusCode, notJson.statusCode]).toEqual([200, 200, 400]);
    expect(json<{ ok: boolean }>(plain).ok).toBe(true);
    expect((await reader.getWallet(walletId))?.available).toBe(10_000 - 125 + 50);
    const entries = json<AuditEntry[]>(audit).filter((entry) => entry.target.includes(walletId));
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        action: 'wallets.adjust',
        outcome: 'succeeded',
        actor: expect.stringMatching(new RegExp(`^cognito:${username} \\(sub [0-9a-f]{8}-[0-9a-f-]{27}\\)$`)),
      });
    }
  });

  it('serves each function only its own routes: an action plan is an action (operations, the act function)', async () => {
    // Prepare
    const finance = await signedIn(`fin-plan-${Date.now()}`, ['finance']);
    const operations = await signedIn(`ops-plan-${Date.now()}`, ['operations']);
    const plan: ProxyRequest = { method: 'GET', path: '/api/dlqs/intake-dlq/plan' };
    // Act
    const planByOperations = await act(proxyEvent(operations(plan)));
    const planByFinance = await act(proxyEvent(finance(plan)));
    const planAtRead = await read(proxyEvent(operations(plan)));
    const readAtAct = await act(proxyEvent(operations({ method: 'GET', path: '/api/dlqs' })));
    const actionAtRead = await read(proxyEvent(operations(adjustment('wal_x', '{}'))));
    const settings = await read(proxyEvent({ method: 'GET', path: `/${CONSOLE_CONFIG_FILE}` }));
    // Assess
    expect([planByOperations.statusCode, planByFinance.statusCode]).toEqual([200, 403]);
    expect(json<{ queue: string }>(planByOperations).queue).toBe(runtime.names.queues.intakeDlq);
    expect([planAtRead.statusCode, readAtAct.statusCode, actionAtRead.statusCode]).toEqual([405, 405, 405]);
    expect(settings.statusCode).toBe(200);
    expect(json(settings)).toEqual(localHostedConfig(issuer));
  });
});
