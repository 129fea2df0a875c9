import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../core/frontdoor/contract';
import { Ledger } from '../../core/ledger';
import type {
  StatementLine,
  StatementResponse,
  WalletOpenedResponse,
  WalletResponse,
} from '../../core/wallets/contract';
import { captureOutput } from '../helpers/fuzz/capture-output';
import { sdkClients, startTestRuntime, type TestRuntime } from '../helpers/runtime';
import { apiClient, newWalletIdForTest, newWalletKey, walletApi } from '../helpers/wallets';

// Info lines on, so the log scan below reads what the handlers really write.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';

const acme = apiClient('acme');
const globex = apiClient('globex');
const paymentsOnly = apiClient('payments-only', { scopes: ['write', 'read'] });
const PAN = '4242424242424242';

let runtime: TestRuntime;
let documents: ReturnType<typeof sdkClients>['documents'];
let api: ReturnType<typeof walletApi>;

beforeAll(async () => {
  runtime = await startTestRuntime({ frontDoor: { port: 0, clients: [acme, globex, paymentsOnly] } });
  api = walletApi(runtime.frontDoor?.url ?? '');
  documents = sdkClients(runtime).documents;
});
afterAll(async () => {
  await runtime?.dispose();
});

const ledgerAt = (now: () => Date = () => new Date()) =>
  new Ledger({ doc: documents, tableName: runtime.names.tables.ledger, now });

async function openedWallet(currency = 'EUR'): Promise<string> {
  const walletId = newWalletIdForTest();
  const opened = await api.open(acme, newWalletKey(), { walletId, currency });
  if (opened.status !== 201) throw new Error(`open answered ${opened.status}`);
  return walletId;
}

describe('POST /v1/wallets', () => {
  it('opens a wallet (201), answers a repeat the same (Idempotent-Replayed), another body with 409', async () => {
    // Prepare
    const walletId = newWalletIdForTest();
    const key = newWalletKey();

    // Act
    const first = await api.open(acme, key, { walletId, currency: 'EUR' });
    const again = await api.open(acme, key, { walletId, currency: 'EUR' });
    const other = await api.open(acme, key, { walletId, currency: 'USD' });

    // Assess
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      walletId,
      currency: 'EUR',
      exponent: 2,
      walletUrl: `/v1/wallets/${walletId}`,
    });
    expect(first.headers.get('location')).toBe(`/v1/wallets/${walletId}`);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(other.status).toBe(409);
    expect((other.json as Problem).type).toMatch(/idempotency_key_reused$/);
  });

  it('makes a wal_ id when the body has none, and a repeat of the key finds the same wallet', async () => {
    // Prepare
    const key = newWalletKey();

    // Act
    const first = await api.open(acme, key, { currency: 'JPY' });
    const again = await api.open(acme, key, { currency: 'JPY' });

    // Assess
    const opened = first.json as WalletOpenedResponse;
    expect(first.status).toBe(201);
    expect(opened.walletId).toMatch(/^wal_[a-z0-9]{20}$/);
    expect(opened.exponent).toBe(0);
    expect((again.json as WalletOpenedResponse).walletId).toBe(opened.walletId);
  });

  it('refuses a walletId another client, another key or operations already opened (409)', async () => {
    // Prepare
    const walletId = await openedWallet();
    const byOperations = newWalletIdForTest();
    await ledgerAt().openWallet(byOperations, 'EUR');

    // Act
    const byGlobex = await api.open(globex, newWalletKey(), { walletId, currency: 'EUR' });
    const byAcmeAgain = await api.open(acme, newWalletKey(), { walletId, currency: 'EUR' });
    const claimed = await api.open(acme, newWalletKey(), { walletId: byOperations, currency: 'EUR' });

    // Assess
    for (const answer of [byGlobex, byAcmeAgain, claimed]) {
      expect(answer.status).toBe(409);
      expect((answer.json as Problem).type).toMatch(/wallet_id_in_use$/);
    }
    expect((await api.get(globex, walletId)).status).toBe(404);
  });

  it('needs the wallets.write scope (403 without it)', async () => {
    // Act
    const answer = await api.open(paymentsOnly, newWalletKey(), { currency: 'EUR' });

    // Assess
    expect(answer.status).toBe(403);
  });

  it('refuses bad input with 400 and field paths, a card number by path only, and never logs it', async () => {
    // Prepare
    const output = captureOutput();
    let answers: Awaited<ReturnType<typeof api.open>>[];

    // Act
    try {
      answers = [
        await api.open(acme, newWalletKey(), { walletId: 'bad id!', currency: 'EUR' }),
        await api.open(acme, newWalletKey(), { currency: 'XYZ' }),
        await api.open(acme, newWalletKey(), { currency: 'EUR', colour: 'blue' }),
        await api.open(acme, newWalletKey(), '{"currency":"EUR","__proto__":{"x":1}}'),
        await api.open(acme, undefined, { currency: 'EUR' }),
        await api.open(acme, newWalletKey(), { walletId: `wal_${PAN}`, currency: 'EUR' }),
        await api.open(acme, `k_${PAN}`, { currency: 'EUR' }),
        await api.open(acme, newWalletKey(), '[1,2]'),
        await api.open(acme, newWalletKey(), 'not json'),
      ];
    } finally {
      output.restore();
    }

    // Assess
    const paths = answers.map((a) => ((a.json as Problem).errors ?? []).map((e) => e.path));
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400, 400, 400, 400, 400]);
    expect(paths).toEqual([
      ['walletId'],
      ['currency'],
      ['(body)'],
      ['(root) (__proto__)'],
      ['header:Idempotency-Key'],
      ['walletId'],
      ['header:Idempotency-Key'],
      ['(body)'],
      ['(body)'],
    ]);
    expect(answers.map((a) => (a.json as Problem).type.split('/').pop())).toEqual([
      'invalid_request',
      'invalid_request',
      'invalid_request',
      'invalid_request',
      'invalid_request',
      'card_data_refused',
      'card_data_refused',
      'invalid_request',
      'invalid_request',
    ]);
    const logged = [...output.lines, ...runtime.log.lines.map((line) => JSON.stringify(line))].join('\n');
    expect(logged).toContain('request answered');
    for (const text of [logged, JSON.stringify(answers.map((a) => a.json))]) expect(text).not.toContain(PAN);
  });
});

describe('GET /v1/wallets/{walletId}', () => {
  it('answers available, held, currency with exponent and the open holds with their paymentIds', async () => {
    // Prepare
    const walletId = await openedWallet();
    const ledger = ledgerAt();
    await ledger.deposit(walletId, { value: 10_000, currency: 'EUR' }, `dep-${walletId}`);
    const paymentId = `pay_${walletId}`;
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    await ledger.reserve({ paymentId, walletId, amount: { value: 2_500, currency: 'EUR' }, expiresAt });
    const before = Date.now();

    // Act
    const answer = await api.get(acme, walletId);

    // Assess
    expect(answer.status).toBe(200);
    const view = answer.json as WalletResponse;
    expect(view).toMatchObject({ walletId, currency: 'EUR', exponent: 2, available: 7_500, held: 2_500 });
    expect(view.holds).toEqual([expect.objectContaining({ paymentId, amount: 2_500, expiresAt })]);
    expect(Date.parse(view.asOf)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("answers another client's wallet exactly as an unknown one (404)", async () => {
    // Prepare
    const walletId = await openedWallet();

    // Act
    const theirs = await api.get(globex, walletId);
    const unknown = await api.get(globex, newWalletIdForTest());
    const malformed = await api.get(globex, `x ${PAN}`);
    const theirStatement = await api.statement(globex, walletId);

    // Assess
    expect(theirs.status).toBe(404);
    expect(theirs.json).toEqual(unknown.json);
    expect(malformed.json).toEqual(unknown.json);
    expect(theirStatement.status).toBe(404);
    expect(theirStatement.json).toEqual(unknown.json);
    expect(JSON.stringify(malformed.json)).not.toContain(PAN);
  });
});

describe('POST /v1/payments against a wallet', () => {
  it("refuses to pay from another client's wallet (404 as for the wallet routes) and pays from the client's own", async () => {
    // Prepare
    const walletId = await openedWallet();
    await ledgerAt().deposit(walletId, { value: 5_000, currency: 'EUR' }, `dep-${walletId}`);
    const payment = (paymentId: string) => ({
      walletId,
      merchantId: 'mer_bookshop',
      amount: { value: 1250, currency: 'EUR', exponent: 2 },
      paymentMethod: 'pm_card_visa',
      paymentId,
    });
    const post = (who: typeof acme, paymentId: string) =>
      fetch(`${runtime.frontDoor?.url}/v1/payments`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': who.apiKey,
          'Idempotency-Key': paymentId,
        },
        body: JSON.stringify(payment(paymentId)),
      });

    // Act
    const theirs = await post(globex, `pay_g_${walletId}`);
    const own = await post(acme, `pay_a_${walletId}`);

    // Assess
    expect(theirs.status).toBe(404);
    expect(((await theirs.json()) as Problem).type).toMatch(/wallet_not_found$/);
    expect(own.status).toBe(202);
  });
});

describe('GET /v1/wallets/{walletId}/transactions', () => {
  const MINUTE = 60_000;
  const start = Date.parse('2026-01-01T00:00:00.000Z');

  async function walletWithEntries(count: number): Promise<string> {
    const walletId = await openedWallet();
    for (let i = 0; i < count; i++) {
      // Entry i takes effect at start + i minutes and deposits i + 1 units.
      await ledgerAt(() => new Date(start + i * MINUTE)).deposit(
        walletId,
        { value: i + 1, currency: 'EUR' },
        `dep-${i}`,
      );
    }
    return walletId;
  }

  async function allPages(walletId: string, query: Record<string, string | number>) {
    const lines: StatementLine[] = [];
    let pages = 0;
    let cursor: string | undefined;
    do {
      const answer = await api.statement(acme, walletId, { ...query, ...(cursor && { cursor }) });
      expect(answer.status).toBe(200);
      const page = answer.json as StatementResponse;
      lines.push(...page.lines);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    return { lines, pages };
  }

  it('pages 250 entries newest first with balance after each, and a from/to window', async () => {
    // Prepare
    const walletId = await walletWithEntries(250);
    const total = (250 * 251) / 2;

    // Act
    const everything = await allPages(walletId, { limit: 100 });
    const window = await allPages(walletId, {
      limit: 30,
      from: new Date(start + 100 * MINUTE).toISOString(),
      to: new Date(start + 150 * MINUTE).toISOString(),
    });

    // Assess
    expect(everything.pages).toBe(3);
    expect(everything.lines).toHaveLength(250);
    expect(new Set(everything.lines.map((l) => l.entryId)).size).toBe(250);
    expect(everything.lines[0]).toMatchObject({
      type: 'top_up',
      amount: 250,
      balanceAfter: total,
      topUpId: 'dep-249',
    });
    expect(everything.lines[249]).toMatchObject({
      type: 'top_up',
      amount: 1,
      balanceAfter: 1,
      topUpId: 'dep-0',
    });
    const times = everything.lines.map((l) => l.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(window.pages).toBe(2);
    // from and to are both inclusive.
    expect(window.lines.map((l) => l.topUpId)).toEqual(
      Array.from({ length: 51 }, (_, i) => `dep-${150 - i}`),
    );
  });

  it('refuses a bad query with field paths, and a cursor of another wallet or window', async () => {
    // Prepare
    const walletId = await walletWithEntries(3);
    const other = await walletWithEntries(3);
    const first = (await api.statement(acme, other, { limit: 1 })).json as StatementResponse;

    // Act
    const answers = [
      await api.statement(acme, walletId, { limit: 0 }),
      await api.statement(acme, walletId, { from: 'yesterday' }),
      await api.statement(acme, walletId, { sort: 'asc' }),
      await api.statement(acme, walletId, { cursor: first.nextCursor ?? '' }),
      await api.statement(acme, other, {
        limit: 1,
        from: '2020-01-01T00:00:00Z',
        cursor: first.nextCursor ?? '',
      }),
      await api.statement(acme, walletId, { cursor: PAN }),
    ];

    // Assess
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(answers.map((a) => ((a.json as Problem).errors ?? []).map((e) => e.path))).toEqual([
      ['query:limit'],
      ['query:from'],
      ['query:sort'],
      ['query:cursor'],
      ['query:cursor'],
      ['query:cursor'],
    ]);
    expect(JSON.stringify(answers.map((a) => a.json))).not.toContain(PAN);
  });
});
