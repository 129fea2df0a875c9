import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDocumentClient,
  PutCommand,
} from '../core/aws/dynamodb';
import { API } from '../core/config/names';
import { depositEntry } from '../core/ledger/postings';
import { LedgerJournalStore } from '../core/ledger/store-journal';
import { STATEMENT_MAX_LIMIT, type StatementResponse } from '../core/wallets/contract';
import { flagsOrExit } from '../local/command-line';
import type { RuntimeLog } from '../local/edge/runtime-log';
import { newApiKey } from '../local/frontdoor/api-clients';
import { type Runtime, startRuntime } from '../local/runtime';

const USAGE = `usage: npm run bench:statement -- [--entries 10000,100000]

Statement memory (issue 15): for each size, one wallet opened over the front door gets that many
journal entries (deposits, written by the ledger's journal store), then its whole statement is
read twice: GET /v1/wallets/{walletId}/transactions page by page (limit ${STATEMENT_MAX_LIMIT}, in this
process with the runtime, whose tables are on disk in a temp dir) and \`payctl wallets statement
--format csv\` in a child process (bench/heap-sampler.mjs). For each: the heap's peak (garbage
included, so it follows V8's collection schedule) and the largest heap left after a forced
collection (what the reader really holds), over the heap before the read for the API. Memory is
flat when the retained heap does not grow with the entries (ratio ~1).`;

const say = (line: string) => process.stderr.write(`${line}\n`);
const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;
const gc = (globalThis as { gc?: () => void }).gc;

/** The runtime's own lines are not what is measured: drop them (a memory log would grow with the pages). */
const quietLog: RuntimeLog = { info: () => undefined, error: (message) => say(`runtime error: ${message}`) };

export interface StatementRow {
  readonly entries: number;
  readonly seedSeconds: number;
  readonly apiPages: number;
  readonly apiLines: number;
  readonly apiHeapPeakMb: number;
  readonly apiHeapRetainedMb: number;
  readonly apiSeconds: number;
  readonly cliLines: number;
  readonly cliHeapPeakMb: number;
  readonly cliHeapRetainedMb: number;
  readonly cliSeconds: number;
}

/**
 * While `work` runs: the heap's high-water mark, and the largest heap left after a forced collection
 * (`collect`, which the work calls between pages), both over a baseline taken after a collection.
 */
async function heapOver<T>(
  work: (collect: () => void) => Promise<T>,
): Promise<{ result: T; peak: number; retained: number }> {
  gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let retained = baseline;
  const sample = () => {
    const used = process.memoryUsage().heapUsed;
    if (used > peak) peak = used;
  };
  const collect = () => {
    sample();
    gc?.();
    const used = process.memoryUsage().heapUsed;
    if (used > retained) retained = used;
  };
  const timer = setInterval(sample, 5);
  try {
    const result = await work(collect);
    collect();
    return { result, peak: peak - baseline, retained: retained - baseline };
  } finally {
    clearInterval(timer);
  }
}

async function openWallet(runtime: Runtime, apiKey: string, walletId: string): Promise<void> {
  const response = await fetch(`${runtime.frontDoor?.url}${API.routes.openWallet.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, [API.idempotencyHeader]: walletId },
    body: JSON.stringify({ walletId, currency: 'EUR' }),
  });
  if (response.status !== 201)
    throw new Error(`open ${walletId}: ${response.status} ${await response.text()}`);
}

/**
 * A document client for seeding only: the journal store's puts (its own items, index keys included) are
 * collected and sent 25 at a time with BatchWriteItem, a fifth of the requests one put each would take.
 * Their condition (attribute_not_exists) is dropped: every seeded entry has a new id.
 */
function batchingClient(doc: DynamoDocumentClient, tableName: string) {
  let items: Record<string, unknown>[] = [];
  const flush = async () => {
    let unprocessed: BatchWriteCommandInput['RequestItems'] = {
      [tableName]: items.map((Item) => ({ PutRequest: { Item } })),
    };
    items = [];
    while (unprocessed && Object.keys(unprocessed).length > 0 && (unprocessed[tableName]?.length ?? 0) > 0) {
      ({ UnprocessedItems: unprocessed } = await doc.send(
        new BatchWriteCommand({ RequestItems: unprocessed }),
      ));
    }
  };
  const send = async (command: unknown) => {
    if (!(command instanceof PutCommand)) throw new Error('seeding sends puts only');
    items.push(command.input.Item as Record<string, unknown>);
    if (items.length === 25) await flush();
    return {};
  };
  return { client: { send } as unknown as DynamoDocumentClient, flush };
}

/** `count` deposits of 1.00 EUR, one second apart, as the ledger's journal store writes them. */
async function seedEntries(runtime: Runtime, walletId: string, count: number) {
  const doc = new DynamoDocumentClient({
    endpoint: runtime.endpoint,
    region: runtime.region,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const batching = batchingClient(doc, runtime.names.tables.ledger);
  const journal = new LedgerJournalStore(batching.client, runtime.names.tables.ledger);
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  for (let i = 0; i < count; i++) {
    const entry = depositEntry({ walletId, currency: 'EUR' }, `${walletId}-dep-${i}`, {
      amount: 100,
      at: new Date(start + i * 1000).toISOString(),
      seq: i + 1,
      balanceAfter: (i + 1) * 100,
    });
    await journal.putJournalEntry(entry);
    if ((i + 1) % 10_000 === 0) say(`  ${i + 1} entries written`);
  }
  await batching.flush();
  doc.destroy();
}

async function pageApi(runtime: Runtime, apiKey: string, walletId: string, collect: () => void) {
  let cursor: string | undefined;
  let pages = 0;
  let lines = 0;
  do {
    const query = new URLSearchParams({ limit: String(STATEMENT_MAX_LIMIT), ...(cursor && { cursor }) });
    const response = await fetch(
      `${runtime.frontDoor?.url}/v1/wallets/${encodeURIComponent(walletId)}/transactions?${query}`,
      { headers: { 'x-api-key': apiKey } },
    );
    if (response.status !== 200) throw new Error(`statement page ${pages + 1}: ${response.status}`);
    const page = (await response.json()) as StatementResponse;
    pages += 1;
    lines += page.lines.length;
    cursor = page.nextCursor;
    if (pages % 10 === 0) collect();
  } while (cursor);
  return { pages, lines };
}

/** payctl wallets statement --format csv in its own process: the lines it printed, its heap peak and retained. */
function runPayctlCsv(
  runtime: Runtime,
  walletId: string,
): Promise<{ lines: number; heapPeak: number; heapRetained: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        new URL('./heap-sampler.mjs', import.meta.url).pathname,
        new URL('../bin/payctl.mjs', import.meta.url).pathname,
        '--stage',
        runtime.names.stage,
        'wallets',
        'statement',
        walletId,
        '--format',
        'csv',
      ],
      { env: { ...process.env, ...runtime.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let lines = 0;
    let heapPeak = 0;
    let heapRetained = 0;
    let stderr = '';
    createInterface({ input: child.stdout }).on('line', () => {
      lines += 1;
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      const match = /^HEAP_PEAK_BYTES (\d+) (\d+)$/.exec(line);
      if (match) {
        heapPeak = Number(match[1]);
        heapRetained = Number(match[2]);
      } else stderr += `${line}\n`;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0)
        resolve({ lines: lines - 1, heapPeak, heapRetained }); // less the CSV header
      else reject(new Error(`payctl exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

export async function statementBench(sizes: readonly number[]): Promise<StatementRow[]> {
  const apiKey = newApiKey();
  // On disk: a memory store would keep every entry in this process's heap, and a larger heap changes how
  // much garbage V8 lets pile up before it collects, whatever the reader does.
  const dataDir = mkdtempSync(join(tmpdir(), 'paysaga-bench-statement-'));
  const runtime = await startRuntime({
    port: 0,
    dataDir,
    log: quietLog,
    sweeper: false,
    frontDoor: {
      port: 0,
      clients: [
        {
          clientId: 'bench-statement',
          source: 'partner.bench',
          apiKey,
          scopes: ['walletsWrite', 'walletsRead'],
        },
      ],
    },
  });
  const rows: StatementRow[] = [];
  try {
    for (const entries of sizes) {
      const walletId = `wal_stmt_${entries}_${randomUUID().slice(0, 8)}`;
      say(`${entries} entries: writing to ${walletId}`);
      await openWallet(runtime, apiKey, walletId);
      const t0 = performance.now();
      await seedEntries(runtime, walletId, entries);
      const seedSeconds = (performance.now() - t0) / 1000;
      say('  paging GET /v1/wallets/{walletId}/transactions');
      const t1 = performance.now();
      const api = await heapOver((collect) => pageApi(runtime, apiKey, walletId, collect));
      const apiSeconds = (performance.now() - t1) / 1000;
      say('  payctl wallets statement --format csv');
      const t2 = performance.now();
      const cli = await runPayctlCsv(runtime, walletId);
      const cliSeconds = (performance.now() - t2) / 1000;
      const row: StatementRow = {
        entries,
        seedSeconds: Math.round(seedSeconds),
        apiPages: api.result.pages,
        apiLines: api.result.lines,
        apiHeapPeakMb: mb(api.peak),
        apiHeapRetainedMb: mb(api.retained),
        apiSeconds: Math.round(apiSeconds * 10) / 10,
        cliLines: cli.lines,
        cliHeapPeakMb: mb(cli.heapPeak),
        cliHeapRetainedMb: mb(cli.heapRetained),
        cliSeconds: Math.round(cliSeconds * 10) / 10,
      };
      if (row.apiLines !== entries || row.cliLines !== entries) {
        throw new Error(`expected ${entries} lines, the API gave ${row.apiLines} and payctl ${row.cliLines}`);
      }
      say(
        `  API: ${row.apiPages} pages, heap +${row.apiHeapPeakMb} MB peak, +${row.apiHeapRetainedMb} MB retained, ${row.apiSeconds} s; payctl csv: ${row.cliHeapPeakMb} MB peak, ${row.cliHeapRetainedMb} MB retained, ${row.cliSeconds} s`,
      );
      rows.push(row);
    }
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

function markdown(rows: readonly StatementRow[]): string {
  const header = [
    '| entries | seed s | API pages | API heap MB over baseline: peak / retained | API s | payctl csv lines | payctl heap MB: peak / retained | payctl s |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const body = rows.map(
    (r) =>
      `| ${r.entries.toLocaleString('en')} | ${r.seedSeconds} | ${r.apiPages} | ${r.apiHeapPeakMb} / ${r.apiHeapRetainedMb} | ${r.apiSeconds} | ${r.cliLines.toLocaleString('en')} | ${r.cliHeapPeakMb} / ${r.cliHeapRetainedMb} | ${r.cliSeconds} |`,
  );
  return [...header, ...body].join('\n');
}

async function main(): Promise<void> {
  const options = flagsOrExit(
    {
      entries: { type: 'string', default: '10000,100000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (options.help) {
    say(USAGE);
    return;
  }
  if (!gc) say('note: run with --expose-gc (npm run bench:statement does) for a post-GC baseline');
  const sizes = options.entries.split(',').map(Number);
  const rows = await statementBench(sizes);
  const first = rows[0];
  const last = rows[rows.length - 1];
  process.stdout.write(`${markdown(rows)}\n`);
  if (first && last && first !== last) {
    const ratio = (a: number, b: number) => Math.round((a / Math.max(b, 0.1)) * 100) / 100;
    process.stdout.write(
      `\n${last.entries.toLocaleString('en')} / ${first.entries.toLocaleString('en')} entries: heap retained API ${ratio(last.apiHeapRetainedMb, first.apiHeapRetainedMb)}, payctl ${ratio(last.cliHeapRetainedMb, first.cliHeapRetainedMb)}; heap peak API ${ratio(last.apiHeapPeakMb, first.apiHeapPeakMb)}, payctl ${ratio(last.cliHeapPeakMb, first.cliHeapPeakMb)}\n`,
    );
  }
}

await main();
