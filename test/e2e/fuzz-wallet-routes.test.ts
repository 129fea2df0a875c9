/**
 * Fuzzed requests against the wallet routes of the front door over plain HTTP (issue 15): POST
 * /v1/wallets, GET /v1/wallets/{walletId}, GET .../transactions (cursor, from/to, limit), POST
 * .../top-ups and GET .../top-ups/{topUpId}, on a local runtime. Every answer is below 500, never
 * holds a generated card number, refuses prototype keys, and a 400 names its fields; another client's
 * wallet is a 404 identical to an unknown one. Nothing logged holds a card number either.
 *
 *   npx vitest run test/e2e/fuzz-wallet-routes.test.ts     (FUZZ_SEED, FUZZ_CASES override)
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../core/config/names';
import type { Problem } from '../../core/frontdoor/contract';
import { OpenWalletBody } from '../../core/wallets/contract';
import { StatementQuerySchema } from '../../core/wallets/statement-query';
import { leakedPan } from '../helpers/arbitraries/pan';
import { type CapturedOutput, captureOutput } from '../helpers/fuzz/capture-output';
import { type RouteCase, VALID_TOP_UP, walletRouteCaseArbitrary } from '../helpers/fuzz/wallet-routes';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime';
import { newTopUpId, topUpApi } from '../helpers/top-ups';
import { apiClient, newWalletIdForTest, newWalletKey, walletApi } from '../helpers/wallets';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_204);
const CASES = Number(process.env.FUZZ_CASES ?? 400);

/** The fuzz judges validation, not throttling (test/e2e/frontdoor.test.ts has that): on a quiet machine 400 cases outrun the default 50/s. */
const UNTHROTTLED = { throttle: { rateLimit: 100_000, burstLimit: 100_000 } };
const acme = apiClient('acme', UNTHROTTLED);
const globex = apiClient('globex', UNTHROTTLED);
let runtime: TestRuntime;
let output: CapturedOutput;
let base: string;
const ids = { own: '', theirs: '', unknown: newWalletIdForTest(), ownTopUp: '' };
/** What the door answers for a wallet nobody opened, per route: another client's must look the same. */
const notFound: Partial<Record<RouteCase['route'], string>> = {};

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  output = captureOutput();
  runtime = await startTestRuntime({ frontDoor: { port: 0, clients: [acme, globex] } });
  base = runtime.frontDoor?.url ?? '';
  const wallets = walletApi(base);
  ids.own = newWalletIdForTest();
  ids.theirs = newWalletIdForTest();
  expect((await wallets.open(acme, newWalletKey(), { walletId: ids.own, currency: 'EUR' })).status).toBe(201);
  expect((await wallets.open(globex, newWalletKey(), { walletId: ids.theirs, currency: 'EUR' })).status).toBe(
    201,
  );
  ids.ownTopUp = newTopUpId();
  expect((await topUpApi(base).submit(acme, ids.ownTopUp, ids.own, VALID_TOP_UP)).status).toBe(202);
  for (const route of ['wallet', 'statement', 'topUp', 'topUpStatus'] as const) {
    const answer = await send({
      label: 'reference',
      route,
      wallet: { role: 'unknown' },
      pans: [],
      expect: 'not_found',
      topUpId: { own: true },
      key: newTopUpId(),
      body: JSON.stringify(VALID_TOP_UP),
    });
    expect(answer.status, route).toBe(404);
    notFound[route] = answer.text;
  }
}, 120_000);

afterAll(async () => {
  output?.restore();
  await runtime?.dispose();
});

function walletSegment(c: RouteCase): string {
  const wallet = c.wallet ?? { role: 'own' };
  return segment('raw' in wallet ? wallet.raw : ids[wallet.role]);
}

/** A path segment as a client can send it: a lone surrogate has no UTF-8 form, so it goes as U+FFFD. */
const segment = (text: string): string =>
  encodeURIComponent(
    text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );

/** The HTTP request a case stands for, as a client sends it. */
async function send(c: RouteCase): Promise<{ status: number; text: string; location: string }> {
  const headers: Record<string, string> = { 'x-api-key': acme.apiKey };
  const post = (body: string | undefined) => {
    headers['content-type'] = 'application/json';
    if (c.key !== undefined) headers[API.idempotencyHeader] = c.key;
    return { method: 'POST', headers, body: body ?? '' };
  };
  const wallet = `${base}/v1/wallets/${walletSegment(c)}`;
  const topUpId = typeof c.topUpId === 'string' ? c.topUpId : ids.ownTopUp;
  const request: Record<RouteCase['route'], () => [string, RequestInit]> = {
    open: () => [`${base}${API.routes.openWallet.path}`, post(c.body)],
    wallet: () => [wallet, { headers }],
    statement: () => [`${wallet}/transactions?${new URLSearchParams(c.query ?? {})}`, { headers }],
    topUp: () => [`${wallet}/top-ups`, post(c.body)],
    topUpStatus: () => [`${wallet}/top-ups/${segment(topUpId)}`, { headers }],
  };
  const [url, init] = request[c.route]();
  const response = await fetch(url, init);
  return {
    status: response.status,
    text: await response.text(),
    location: response.headers.get('location') ?? '',
  };
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** A 400 names the fields it refused: at least one error, each with a path. */
function expectFieldPaths(c: RouteCase, text: string): void {
  const problem = parsed(text) as Problem | undefined;
  expect(problem?.errors?.length ?? 0, c.label).toBeGreaterThan(0);
  for (const error of problem?.errors ?? []) expect(error.path, c.label).toMatch(/\S/);
}

/** Junk a generator meant as bad input may still be a valid request (limit=7, {"currency":"EUR"}). */
function validAfterAll(c: RouteCase): boolean {
  if (c.route === 'open')
    return OpenWalletBody.safeParse(parsed(c.body ?? '')).success && c.key !== undefined;
  if (c.route === 'statement') return StatementQuerySchema.safeParse(c.query ?? {}).success;
  return false;
}

describe('the wallet routes under fuzzed requests over HTTP', () => {
  it(`answer every case below 500, as its generator says, never echoing a card number (seed ${SEED}, ${CASES} cases)`, async () => {
    // Prepare
    const cases = fc.sample(walletRouteCaseArbitrary(), { numRuns: CASES, seed: SEED });
    const seenWalletIds = new Set<string>([ids.own, ids.theirs]);
    const answers = new Map<string, number>();

    // Act + Assess, per case
    for (const c of cases) {
      const answer = await send(c);
      const tally = `${c.route} ${answer.status}`;
      answers.set(tally, (answers.get(tally) ?? 0) + 1);

      expect(answer.status, `${c.label}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
      expect(leakedPan(`${answer.text} ${answer.location}`, c.pans), c.label).toBeUndefined();
      if (answer.status === 400) expectFieldPaths(c, answer.text);
      const body = parsed(c.body ?? '') as { walletId?: unknown } | undefined;
      const repeatsAWallet = typeof body?.walletId === 'string' && seenWalletIds.has(body.walletId);
      if (c.route === 'open' && answer.status === 201 && typeof body?.walletId === 'string')
        seenWalletIds.add(body.walletId);

      switch (c.expect) {
        case 'ok':
          expect(answer.status, c.label).toBe(
            { open: repeatsAWallet ? 409 : 201, wallet: 200, statement: 200, topUp: 202, topUpStatus: 200 }[
              c.route
            ],
          );
          break;
        case 'refused':
          if (answer.status < 400)
            expect(validAfterAll(c), `${c.label} answered ${answer.status}`).toBe(true);
          else if (!(c.route === 'open' && answer.status === 409 && repeatsAWallet))
            expect([400, 413], c.label).toContain(answer.status);
          break;
        case 'card_data_refused':
          expect(answer.status, c.label).toBe(400);
          expect((parsed(answer.text) as Problem).type, c.label).toMatch(/card_data_refused$/);
          break;
        case 'not_found':
          expect(answer.status, c.label).toBe(404);
          expect(answer.text, c.label).toBe(notFound[c.route]);
          break;
        case 'refused_or_not_found':
          expect([400, 404], c.label).toContain(answer.status);
          break;
      }
    }

    // Assess: every route answered both ways, and nothing logged holds a generated card number
    for (const tally of [
      'open 201',
      'open 400',
      'wallet 200',
      'wallet 404',
      'statement 200',
      'statement 400',
      'statement 404',
      'topUp 202',
      'topUp 400',
      'topUp 404',
      'topUpStatus 200',
      'topUpStatus 404',
    ]) {
      expect(answers.get(tally) ?? 0, `${tally} in ${JSON.stringify([...answers])}`).toBeGreaterThan(0);
    }
    const logged = [...output.lines, ...runtime.log.lines.map((line) => JSON.stringify(line))].join('\n');
    expect(logged).toContain('request answered');
    expect(
      leakedPan(
        logged,
        cases.flatMap((c) => c.pans),
      ),
    ).toBeUndefined();
  }, 300_000);
});
