import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleData } from '../../../cli/console/data/port';
import { type ConsoleServer, startConsoleServer } from '../../../cli/console/server';
import { CliError, UsageError } from '../../../cli/errors';
import { InvalidPeriodError } from '../../../core/finance/period';

/** The console server with stub data functions: routing, validation, the read-only gate, host checks, assets. */

const calls: Array<[string, unknown[]]> = [];
const stub = (name: keyof ConsoleData, answer: (...args: never[]) => unknown) =>
  (async (...args: unknown[]) => {
    calls.push([name, args]);
    return answer(...(args as never[]));
  }) as never;

const data: ConsoleData = {
  listPayments: stub('listPayments', () => ({ items: [], matched: 0, scanned: 0, truncated: false })),
  paymentDetail: stub('paymentDetail', (id: string) => (id === 'pay_known' ? { history: {} } : undefined)),
  listDlqs: stub('listDlqs', () => []),
  peekDlq: stub('peekDlq', (queue: string) => {
    if (queue === 'nope') throw new UsageError('unknown queue "nope"');
    return { queue: {}, messages: [] };
  }),
  planDlqRedrive: stub('planDlqRedrive', () => ({})),
  redriveDlq: stub('redriveDlq', (queue: string) => {
    if (queue === 'compensation-dlq') throw new CliError('not redriven by moving messages');
    return { ok: true, summary: 'moved' };
  }),
  failedSagas: stub('failedSagas', () => []),
  redriveSaga: stub('redriveSaga', () => ({ ok: true, summary: 'redriven' })),
  dailyVolume: stub('dailyVolume', () => {
    throw new InvalidPeriodError('--to 2026-01-01 is before --from 2026-02-01');
  }),
  auditLog: stub('auditLog', () => {
    throw new Error('DynamoDB is down');
  }),
  walletDetail: stub('walletDetail', (id: string) => (id === 'wal_known' ? { walletId: id } : undefined)),
  walletStatement: stub('walletStatement', () => ({ walletId: 'wal_known', lines: [] })),
  adjustWallet: stub('adjustWallet', () => ({ ok: true, summary: 'adjusted' })),
  planResolve: stub('planResolve', () => ({ steps: ['release the hold'] })),
  resolvePayment: stub('resolvePayment', (id: string) => {
    if (id === 'pay_charged') throw new CliError('not resolving: a charge stands unrefunded; use --refund');
    return { ok: true, summary: 'resolved' };
  }),
  planResolveRefund: stub('planResolveRefund', () => ({ steps: ['ReleaseRefund'] })),
  resolveRefund: stub('resolveRefund', (_id: string, request: { refundId: string }) => {
    if (request.refundId === 'rf_refunded')
      throw new CliError('the gateway refunded re_1: finish it (--finish)');
    return { ok: true, summary: 'resolved' };
  }),
  webhookDeliveries: stub('webhookDeliveries', () => [
    { event: undefined, deliveries: [], attempts: [{ attempt: 1, statusCode: 200, latencyMs: 12 }] },
  ]),
  resendWebhook: stub('resendWebhook', () => ({ ok: true, summary: 'queued' })),
  paymentRefunds: stub('paymentRefunds', () => ({ plan: { refundable: { total: 1250 } }, refunds: [] })),
  refundPayment: stub('refundPayment', (id: string) => {
    if (id === 'pay_spent') throw new CliError('only EUR 7.50 is still refundable');
    return { ok: true, summary: 'requested' };
  }),
};

let assets: string;
let actions: ConsoleServer;
let readOnly: ConsoleServer;

beforeAll(async () => {
  assets = mkdtempSync(join(tmpdir(), 'console-assets-'));
  mkdirSync(join(assets, 'assets'));
  writeFileSync(join(assets, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(assets, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'console-secret.txt'), 'TOP-SECRET-CONTENT');
  const common = { data, stage: 'local', local: true, assetsDir: assets };
  actions = await startConsoleServer({ ...common, allowActions: true });
  readOnly = await startConsoleServer({ ...common, allowActions: false });
});
afterAll(async () => {
  await actions?.close();
  await readOnly?.close();
  rmSync(assets, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP, so Host and Origin can be whatever a hostile page would send. */
function call(
  server: ConsoleServer,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        headers: { host: `127.0.0.1:${server.port}`, ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };

describe('console server: API', () => {
  it('routes the wallet page: detail, statement query, adjustment body, and refuses adjustments read-only', async () => {
    // Prepare
    calls.length = 0;
    // Act
    const known = await call(actions, 'GET', '/api/wallets/wal_known');
    const unknown = await call(actions, 'GET', '/api/wallets/wal_nope');
    const page = await call(
      actions,
      'GET',
      '/api/wallets/wal_known/transactions?from=2026-05-01&to=&limit=25&cursor=abc',
    );
    const badLimit = await call(actions, 'GET', '/api/wallets/wal_known/transactions?limit=1000');
    const adjust = await call(
      actions,
      'POST',
      '/api/wallets/wal_known/adjust',
      json,
      '{"amount":"-3.00","reason":"fee"}',
    );
    const badBody = await call(
      actions,
      'POST',
      '/api/wallets/wal_known/adjust',
      json,
      '{"amount":"3e2","reason":"x"}',
    );
    const readOnlyAdjust = await call(
      readOnly,
      'POST',
      '/api/wallets/wal_known/adjust',
      json,
      '{"amount":"1","reason":"x"}',
    );
    // Assess
    expect([known.status, unknown.status, page.status, badLimit.status]).toEqual([200, 404, 200, 400]);
    expect([adjust.status, badBody.status, readOnlyAdjust.status]).toEqual([200, 400, 403]);
    expect(calls).toEqual([
      ['walletDetail', ['wal_known']],
      ['walletDetail', ['wal_nope']],
      ['walletStatement', ['wal_known', { from: '2026-05-01', limit: 25, cursor: 'abc' }]],
      ['adjustWallet', ['wal_known', { amount: '-3.00', reason: 'fee' }]],
    ]);
  });

  it('routes the resolve action: the plan as a read, the resolve as an action (read-only: 403), bodies checked', async () => {
    // Prepare
    calls.length = 0;
    // Act
    const plan = await call(actions, 'GET', '/api/payments/pay_parked/resolve?action=refund&reason=');
    const badPlan = await call(actions, 'GET', '/api/payments/pay_parked/resolve?action=undo');
    const resolve = await call(
      actions,
      'POST',
      '/api/payments/pay_parked/resolve',
      json,
      '{"action":"mark_resolved","reason":"refunded by cheque"}',
    );
    const refused = await call(
      actions,
      'POST',
      '/api/payments/pay_charged/resolve',
      json,
      '{"action":"release"}',
    );
    const badBody = await call(
      actions,
      'POST',
      '/api/payments/pay_parked/resolve',
      json,
      '{"action":"refund","x":1}',
    );
    const readOnlyPlan = await call(readOnly, 'GET', '/api/payments/pay_parked/resolve?action=release');
    const readOnlyResolve = await call(
      readOnly,
      'POST',
      '/api/payments/pay_parked/resolve',
      json,
      '{"action":"refund"}',
    );
    // Assess
    expect([plan.status, badPlan.status, resolve.status, refused.status, badBody.status]).toEqual([
      200, 400, 200, 409, 400,
    ]);
    expect(JSON.parse(refused.body).error).toContain('a charge stands unrefunded');
    expect([readOnlyPlan.status, readOnlyResolve.status]).toEqual([200, 403]);
    expect(calls).toEqual([
      ['planResolve', ['pay_parked', { action: 'refund' }]],
      ['resolvePayment', ['pay_parked', { action: 'mark_resolved', reason: 'refunded by cheque' }]],
      ['resolvePayment', ['pay_charged', { action: 'release' }]],
      ['planResolve', ['pay_parked', { action: 'release' }]],
    ]);
  });

  it('routes the refund resolve action: the plan as a read, the resolve as an action (read-only: 403), bodies checked', async () => {
    // Prepare
    calls.length = 0;
    const path = '/api/payments/pay_refunded/resolve-refund';
    // Act
    const plan = await call(actions, 'GET', `${path}?refundId=rf_parked&action=finish&reason=`);
    const badPlan = await call(actions, 'GET', `${path}?refundId=rf_parked&action=refund`);
    const resolve = await call(
      actions,
      'POST',
      path,
      json,
      '{"refundId":"rf_parked","action":"release","reason":"the gateway holds none"}',
    );
    const refused = await call(actions, 'POST', path, json, '{"refundId":"rf_refunded","action":"release"}');
    const badBody = await call(actions, 'POST', path, json, '{"refundId":"rf parked","action":"finish"}');
    const readOnlyPlan = await call(readOnly, 'GET', `${path}?refundId=rf_parked&action=release`);
    const readOnlyResolve = await call(
      readOnly,
      'POST',
      path,
      json,
      '{"refundId":"rf_parked","action":"finish"}',
    );
    // Assess
    expect([plan.status, badPlan.status, resolve.status, refused.status, badBody.status]).toEqual([
      200, 400, 200, 409, 400,
    ]);
    expect(JSON.parse(refused.body).error).toContain('finish it (--finish)');
    expect([readOnlyPlan.status, readOnlyResolve.status]).toEqual([200, 403]);
    expect(calls).toEqual([
      ['planResolveRefund', ['pay_refunded', { refundId: 'rf_parked', action: 'finish' }]],
      [
        'resolveRefund',
        ['pay_refunded', { refundId: 'rf_parked', action: 'release', reason: 'the gateway holds none' }],
      ],
      ['resolveRefund', ['pay_refunded', { refundId: 'rf_refunded', action: 'release' }]],
      ['planResolveRefund', ['pay_refunded', { refundId: 'rf_parked', action: 'release' }]],
    ]);
  });

  it('routes the webhook panel: the delivery log as a read, resend as an action (read-only: 403), ids and bodies checked', async () => {
    // Prepare
    calls.length = 0;
    const eventId = `ntf_${'ab'.repeat(16)}`;
    // Act
    const log = await call(actions, 'GET', '/api/payments/pay_known/webhooks');
    const resendAll = await call(actions, 'POST', `/api/webhooks/${eventId}/resend`, json, '{}');
    const resendOne = await call(
      actions,
      'POST',
      `/api/webhooks/${eventId}/resend`,
      json,
      '{"endpointId":"we_1"}',
    );
    const badId = await call(actions, 'POST', '/api/webhooks/pay_known/resend', json, '{}');
    const badBody = await call(actions, 'POST', `/api/webhooks/${eventId}/resend`, json, '{"x":1}');
    const readOnlyLog = await call(readOnly, 'GET', '/api/payments/pay_known/webhooks');
    const readOnlyResend = await call(readOnly, 'POST', `/api/webhooks/${eventId}/resend`, json, '{}');
    // Assess
    expect([log.status, resendAll.status, resendOne.status, badId.status, badBody.status]).toEqual([
      200, 200, 200, 400, 400,
    ]);
    expect(JSON.parse(log.body)[0].attempts[0]).toMatchObject({ statusCode: 200, latencyMs: 12 });
    expect([readOnlyLog.status, readOnlyResend.status]).toEqual([200, 403]);
    expect(calls).toEqual([
      ['webhookDeliveries', ['pay_known']],
      ['resendWebhook', [eventId, {}]],
      ['resendWebhook', [eventId, { endpointId: 'we_1' }]],
      ['webhookDeliveries', ['pay_known']],
    ]);
  });

  it('routes the refunds panel: the list and plan as a read, the refund as an action (read-only: 403), bodies checked', async () => {
    // Prepare
    calls.length = 0;
    // Act
    const list = await call(actions, 'GET', '/api/payments/pay_known/refunds');
    const plan = await call(actions, 'GET', '/api/payments/pay_known/refunds?amount=7.50');
    const badPlan = await call(actions, 'GET', '/api/payments/pay_known/refunds?amount=-1');
    const all = await call(actions, 'POST', '/api/payments/pay_known/refunds', json, '{"reason":"returned"}');
    const part = await call(
      actions,
      'POST',
      '/api/payments/pay_known/refunds',
      json,
      '{"reason":"one item","amount":"7.50","refundId":"rf_1"}',
    );
    const refused = await call(
      actions,
      'POST',
      '/api/payments/pay_spent/refunds',
      json,
      '{"reason":"again"}',
    );
    const noReason = await call(
      actions,
      'POST',
      '/api/payments/pay_known/refunds',
      json,
      '{"amount":"1.00"}',
    );
    const badId = await call(
      actions,
      'POST',
      '/api/payments/pay_known/refunds',
      json,
      '{"reason":"x","refundId":"no spaces"}',
    );
    const readOnlyList = await call(readOnly, 'GET', '/api/payments/pay_known/refunds');
    const readOnlyRefund = await call(
      readOnly,
      'POST',
      '/api/payments/pay_known/refunds',
      json,
      '{"reason":"x"}',
    );
    // Assess
    expect([list.status, plan.status, badPlan.status, all.status, part.status]).toEqual([
      200, 200, 400, 200, 200,
    ]);
    expect([refused.status, noReason.status, badId.status]).toEqual([409, 400, 400]);
    expect(JSON.parse(refused.body).error).toContain('only EUR 7.50 is still refundable');
    expect([readOnlyList.status, readOnlyRefund.status]).toEqual([200, 403]);
    expect(calls).toEqual([
      ['paymentRefunds', ['pay_known', undefined]],
      ['paymentRefunds', ['pay_known', '7.50']],
      ['refundPayment', ['pay_known', { reason: 'returned' }]],
      ['refundPayment', ['pay_known', { reason: 'one item', amount: '7.50', refundId: 'rf_1' }]],
      ['refundPayment', ['pay_spent', { reason: 'again' }]],
      ['paymentRefunds', ['pay_known', undefined]],
    ]);
  });

  it('answers meta with the read-only flag and parses list queries into the data call', async () => {
    // Prepare
    calls.length = 0;
    // Act
    const meta = await call(readOnly, 'GET', '/api/meta');
    const list = await call(
      actions,
      'GET',
      '/api/payments?status=FAILED&currency=EUR&minAmount=5&from=2026-11-01&to=2026-11-22&limit=3&offset=6&q=',
    );
    // Assess
    expect(meta.status).toBe(200);
    expect(JSON.parse(meta.body)).toMatchObject({ stage: 'local', allowActions: false });
    expect(list.status).toBe(200);
    expect(calls).toEqual([
      [
        'listPayments',
        [
          {
            status: 'FAILED',
            currency: 'EUR',
            minAmount: '5',
            from: '2026-11-01',
            to: '2026-11-22',
            limit: 3,
            offset: 6,
          },
        ],
      ],
    ]);
  });

  it('refuses bad queries with 400 and says what was wrong', async () => {
    // Prepare, Act
    const day = await call(actions, 'GET', '/api/payments?from=22-11-2026');
    const amount = await call(actions, 'GET', '/api/payments?minAmount=1e3');
    const status = await call(actions, 'GET', '/api/payments?status=LOST');
    const period = await call(actions, 'GET', '/api/volume?from=2026-02-01&to=2026-01-01');
    // Assess
    expect([day.status, amount.status, status.status, period.status]).toEqual([400, 400, 400, 400]);
    expect(JSON.parse(day.body).error).toContain('from: a day is yyyy-mm-dd');
    expect(JSON.parse(amount.body).error).toContain('an amount is a decimal number like 12.50');
    expect(JSON.parse(period.body).error).toContain('is before --from');
  });

  it('maps unknown payments to 404, usage errors to 400, refused actions to 409 and failures to 500', async () => {
    // Prepare, Act
    const known = await call(actions, 'GET', '/api/payments/pay_known');
    const unknown = await call(actions, 'GET', '/api/payments/pay_unknown');
    const queue = await call(actions, 'GET', '/api/dlqs/nope');
    const refused = await call(actions, 'POST', '/api/dlqs/compensation-dlq/redrive', json, '{}');
    const broken = await call(actions, 'GET', '/api/audit');
    const route = await call(actions, 'GET', '/api/nothing');
    const badEscape = await call(actions, 'GET', '/api/payments/%E0%A4%A');
    // Assess
    expect([known.status, unknown.status, queue.status, refused.status, broken.status, route.status]).toEqual(
      [200, 404, 400, 409, 500, 404],
    );
    expect(JSON.parse(unknown.body).error).toBe('no payment pay_unknown: check the paymentId');
    expect(badEscape.status).toBe(400);
    expect(JSON.parse(broken.body).error).toBe('Error: DynamoDB is down');
  });
});

describe('console server: actions and origins', () => {
  it('refuses every action with 403 when started without --allow-actions, before calling anything', async () => {
    // Prepare
    calls.length = 0;
    // Act
    const dlq = await call(readOnly, 'POST', '/api/dlqs/intake-dlq/redrive', json, '{}');
    const saga = await call(readOnly, 'POST', '/api/sagas/pay_1/redrive', json, '{}');
    // Assess
    expect([dlq.status, saga.status]).toEqual([403, 403]);
    expect(JSON.parse(dlq.body).error).toContain('payctl console --allow-actions');
    expect(calls).toEqual([]);
  });

  it('passes a DLQ redrive its includeRejected choice and refuses any other body with 400', async () => {
    // Prepare
    calls.length = 0;
    // Act
    const plain = await call(actions, 'POST', '/api/dlqs/intake-dlq/redrive', json, '');
    const included = await call(
      actions,
      'POST',
      '/api/dlqs/intake-dlq/redrive',
      json,
      '{"includeRejected":true}',
    );
    const wrong = await call(
      actions,
      'POST',
      '/api/dlqs/intake-dlq/redrive',
      json,
      '{"includeRejected":"yes"}',
    );
    const notJson = await call(actions, 'POST', '/api/dlqs/intake-dlq/redrive', json, '{oops');
    const huge = await call(
      actions,
      'POST',
      '/api/dlqs/intake-dlq/redrive',
      json,
      `{"x":"${'a'.repeat(20_000)}"}`,
    );
    // Assess
    expect([plain.status, included.status, wrong.status, notJson.status, huge.status]).toEqual([
      200, 200, 400, 400, 413,
    ]);
    expect(calls).toEqual([
      ['redriveDlq', ['intake-dlq', { includeRejected: false }]],
      ['redriveDlq', ['intake-dlq', { includeRejected: true }]],
    ]);
  });

  it('runs actions with --allow-actions only as JSON from its own origin', async () => {
    // Prepare
    calls.length = 0;
    const own = { ...json, origin: `http://127.0.0.1:${actions.port}` };
    // Act
    const ok = await call(actions, 'POST', '/api/sagas/pay_1/redrive', own, '{}');
    const form = await call(
      actions,
      'POST',
      '/api/sagas/pay_1/redrive',
      { 'content-type': 'text/plain' },
      '{}',
    );
    const foreign = await call(
      actions,
      'POST',
      '/api/sagas/pay_1/redrive',
      { ...json, origin: 'http://evil.example' },
      '{}',
    );
    // Assess
    expect([ok.status, form.status, foreign.status]).toEqual([200, 415, 403]);
    expect(calls).toEqual([['redriveSaga', ['pay_1']]]);
  });

  it('answers only to its own host names (DNS rebinding)', async () => {
    // Prepare, Act
    const rebound = await call(actions, 'GET', '/api/meta', { host: `attacker.example:${actions.port}` });
    const localhost = await call(actions, 'GET', '/api/meta', { host: `localhost:${actions.port}` });
    // Assess
    expect(rebound.status).toBe(421);
    expect(localhost.status).toBe(200);
  });
});

describe('console server: assets', () => {
  it('serves the app, falls back to index.html for app paths, and never leaves the assets directory', async () => {
    // Prepare, Act
    const index = await call(actions, 'GET', '/');
    const script = await call(actions, 'GET', '/assets/app-1234.js');
    const appPath = await call(actions, 'GET', '/payments/pay_1');
    const missing = await call(actions, 'GET', '/assets/missing.js');
    const dotdot = await call(actions, 'GET', '/../console-secret.txt');
    const encoded = await call(actions, 'GET', '/%2e%2e/console-secret.txt');
    // Assess
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(script.headers['content-type']).toContain('text/javascript');
    expect(script.headers['cache-control']).toContain('immutable');
    expect(appPath.body).toContain('<title>console</title>');
    expect(missing.status).toBe(404);
    expect(dotdot.body).not.toContain('TOP-SECRET-CONTENT');
    expect(encoded.body).not.toContain('TOP-SECRET-CONTENT');
  });
});
