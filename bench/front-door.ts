import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API } from '../core/config/names';
import { type LocalApiClient, newApiKey } from '../local/frontdoor/api-clients';
import { startRuntime } from '../local/runtime';
import { type LevelResult, measureLevel } from './measure';

export interface FrontDoorRow extends LevelResult {
  readonly what: string;
  readonly unit: string;
  readonly note?: string;
}

/** One client whose throttle is out of the way: this measures the door, not the limit. */
const benchClient = (): LocalApiClient => ({
  clientId: 'bench',
  source: 'partner.bench',
  apiKey: newApiKey(),
  scopes: ['write', 'read'],
  throttle: { rateLimit: 1_000_000, burstLimit: 1_000_000 },
});

/**
 * POST /v1/payments through the local front door (HTTP, API-key check,
 * throttle, the apiSubmit handler: validation, request record, PutEvents into
 * the intake queue), closed loop at each concurrency, then GET of the
 * accepted payments. The sagas the requests start run meanwhile, as they
 * would: the figures are the door's latency under that load.
 */
export async function frontDoorLevels(
  levels: readonly number[],
  requests: number,
  storage: 'disk' | 'memory',
  rows: FrontDoorRow[],
  say: (line: string) => void,
): Promise<void> {
  // First the door alone (intake paused: events wait in the intake queue), then with the sagas running.
  // Handlers build their SDK clients once per process, so the second runtime takes the first one's edge port.
  const port = await frontDoorRun(levels, requests, storage, rows, say, false, 0);
  await frontDoorRun(levels, requests, storage, rows, say, true, port);
}

async function frontDoorRun(
  levels: readonly number[],
  requests: number,
  storage: 'disk' | 'memory',
  rows: FrontDoorRow[],
  say: (line: string) => void,
  sagas: boolean,
  port: number,
): Promise<number> {
  const dataDir = storage === 'disk' ? mkdtempSync(join(tmpdir(), 'paysaga-bench-api-')) : undefined;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const client = benchClient();
  const runtime = await startRuntime({
    port,
    ...(dataDir ? { dataDir } : { memory: true }),
    frontDoor: { port: 0, clients: [client] },
    intake: sagas,
    log: { info: () => undefined, error: () => undefined },
  });
  const base = runtime.frontDoor?.url ?? '';
  const run = Date.now().toString(36);
  let sequence = 0;
  const accepted: string[] = [];
  const unexpected: string[] = [];
  const submit = async () => {
    const paymentId = `bench-${run}-${sequence++}`;
    const response = await fetch(`${base}${API.routes.submitPayment.path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': client.apiKey,
        [API.idempotencyHeader]: paymentId,
      },
      body: JSON.stringify({
        walletId: `wal_bench_${run}`,
        merchantId: 'mer_bench',
        amount: { value: 1250, currency: 'EUR', exponent: 2 },
        paymentMethod: 'pm_card_visa',
      }),
    });
    await response.arrayBuffer();
    if (response.status === 202) accepted.push(paymentId);
    else unexpected.push(String(response.status));
  };
  const read = async () => {
    const paymentId = accepted[sequence++ % accepted.length];
    const response = await fetch(`${base}/v1/payments/${paymentId}`, {
      headers: { 'x-api-key': client.apiKey },
    });
    await response.arrayBuffer();
    if (response.status !== 200) unexpected.push(String(response.status));
  };
  try {
    const label = `${storage}, ${sagas ? 'sagas running' : 'intake paused'}`;
    say(`front door on the local runtime (${label}): POST /v1/payments -> 202, then GET /v1/payments/{id}`);
    await measureLevel(4, 40, submit); // warm-up: handler modules, JIT, keep-alive sockets
    for (const c of levels) {
      const before = unexpected.length;
      const row: FrontDoorRow = {
        what: `front door POST /v1/payments (${label})`,
        unit: 'req/s',
        ...(await measureLevel(c, Math.max(requests, 10 * c), submit)),
      };
      const failed = unexpected.length - before;
      rows.push(failed > 0 ? { ...row, note: `${failed} not 202` } : row);
      say(`  POST c=${c}: ${row.perSecond} req/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms`);
    }
    for (const c of levels) {
      const row: FrontDoorRow = {
        what: `front door GET /v1/payments/{id} (${label})`,
        unit: 'req/s',
        ...(await measureLevel(c, Math.max(requests, 10 * c), read)),
      };
      rows.push(row);
      say(`  GET  c=${c}: ${row.perSecond} req/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms`);
    }
    if (unexpected.length > 0) say(`unexpected answers: ${unexpected.length}, e.g. ${unexpected[0]}`);
    return Number(new URL(runtime.endpoint).port);
  } finally {
    await runtime.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
