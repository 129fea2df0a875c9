import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../cli/console/api-types';
import { type LocalIssuer, startLocalIssuer } from '../../cli/console/auth/local-issuer';
import { startEmbeddedConsole } from '../../cli/console/embedded';
import type { ConsoleServer } from '../../cli/console/server';
import { Ledger, LedgerReader } from '../../core/ledger';
import { fundedWallet } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime } from '../helpers/runtime';

/**
 * The hosted console's group rules over the real data functions and the
 * local runtime: finance cannot adjust a wallet (nothing written, nothing
 * audited); operations can, and the audit record names the person (Cognito
 * username and sub), not a role or the OS user.
 */

let runtime: TestRuntime;
let issuer: LocalIssuer;
let server: ConsoleServer;
let ledger: Ledger;
let reader: LedgerReader;
let assets: string;

beforeAll(async () => {
  assets = mkdtempSync(join(tmpdir(), 'console-people-e2e-'));
  writeFileSync(join(assets, 'index.html'), '<!doctype html><title>console</title>');
  [runtime, issuer] = await Promise.all([startTestRuntime({ frontDoor: false }), startLocalIssuer()]);
  const { documents } = sdkClients(runtime);
  ledger = new Ledger({ doc: documents, tableName: runtime.names.tables.ledger });
  reader = new LedgerReader(documents, runtime.names.tables.ledger);
  server = await startEmbeddedConsole({
    endpoint: runtime.endpoint,
    region: runtime.region,
    stage: runtime.names.stage,
    port: 0,
    allowActions: false,
    assetsDir: assets,
    signIn: issuer,
  });
});
afterAll(async () => {
  await server?.close();
  await issuer?.close();
  await runtime?.dispose();
  rmSync(assets, { recursive: true, force: true });
});

const adjust = (token: string, walletId: string, reason: string) =>
  fetch(`${server.url}api/wallets/${walletId}/adjust`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount: '-1.25', reason }),
  });

const auditOf = async (token: string, walletId: string): Promise<AuditEntry[]> => {
  const answer = await fetch(`${server.url}api/audit?days=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as AuditEntry[]).filter((e) => e.target.includes(walletId));
};

describe('hosted console over the local runtime: who may adjust a wallet, and who the audit names', () => {
  it('refuses finance (403, balance unchanged, nothing audited) and lets operations adjust, audited as the person', async () => {
    // Prepare
    const walletId = await fundedWallet(ledger, 10_000);
    const reason = `goodwill ${walletId}`;
    const finance = await issuer.issue({ username: `fin-${walletId}`, groups: ['finance'] });
    const operator = `ops-${walletId}`;
    const operations = await issuer.issue({ username: operator, groups: ['operations'] });

    // Act
    const refused = await adjust(finance, walletId, reason);
    const afterRefusal = (await reader.getWallet(walletId))?.available;
    const auditAfterRefusal = await auditOf(finance, walletId);
    const done = await adjust(operations, walletId, reason);
    const audit = await auditOf(finance, walletId);

    // Assess
    expect(refused.status).toBe(403);
    expect(afterRefusal).toBe(10_000);
    expect(auditAfterRefusal).toEqual([]);
    expect(done.status).toBe(200);
    expect((await reader.getWallet(walletId))?.available).toBe(10_000 - 125);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'wallets.adjust',
      outcome: 'succeeded',
      actor: expect.stringMatching(new RegExp(`^cognito:${operator} \\(sub [0-9a-f]{8}-[0-9a-f-]{27}\\)$`)),
    });
  });
});
