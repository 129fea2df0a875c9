import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { flagsOrExit } from '../command-line';
import { ChaosRatesSchema } from './rates';
import { renderChaosSummary } from './report';
import { runChaos } from './run';
import { stopAllRuntimes } from './supervisor';

const USAGE = `usage: npm run chaos -- [--payments 10000] [--seed 1] [--kills K] [--data-dir DIR] [--json] [--keep]
                         [--retry-scale 1] [--timeout 3600]

Drives the local runtime (a child process, killed with SIGKILL and restarted on the same
data dir) with N payments while injecting seeded faults: gateway 5xx, rate limits, timeouts,
slow answers, charges and refunds applied but their answer lost, refused settles (refunds),
handler crashes just before / just after their side effect, intake redeliveries, duplicate,
reordered and malformed PaymentRequested events. Then it quiesces, redrives what operations
would (payctl sagas / payctl dlq functions) and checks: lost = 0, double charges = 0,
unreleased holds = 0, money conserved, reconciliation clean. Exit 0 only when all hold.
  --kills        kill -9 count (default 1, 3 from 5,000 payments)
  --data-dir     a new or empty dir for the runtime (default: a temp dir, removed after a pass
                 or an interruption: Ctrl-C / SIGTERM stop the runtime first)
  --keep         keep the data dir after a pass (it is always kept after a failure, its path printed)
  --retry-scale  multiplies the saga's Retry intervals (default 1: as deployed)
  --timeout      seconds before the run gives up waiting for quiet
  --json         print only the summary as one JSON line`;

function parseOptions() {
  return flagsOrExit(
    {
      payments: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      kills: { type: 'string' },
      'data-dir': { type: 'string' },
      'retry-scale': { type: 'string', default: '1' },
      timeout: { type: 'string', default: '3600' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
}

function wholeNumber(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer >= ${min}, got ${value}\n`);
    process.exit(2);
  }
  return n;
}

function dataDirOf(asked: string | undefined): { dir: string; temporary: boolean } {
  if (!asked) return { dir: mkdtempSync(join(tmpdir(), 'paysaga-chaos-')), temporary: true };
  const dir = resolve(asked);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    process.stderr.write(`--data-dir ${dir} is not empty: the chaos run needs a fresh runtime\n`);
    process.exit(2);
  }
  return { dir, temporary: false };
}

/**
 * Ctrl-C or SIGTERM (a CI timeout, say): the run has no verdict, so its temp data dir (gigabytes for a big
 * run) goes, after the runtime child is stopped; a --data-dir or --keep one stays, its path printed.
 */
function onInterrupt(dir: string, removable: boolean): void {
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`chaos run interrupted (${signal}): stopping the runtime\n`);
    stopAllRuntimes()
      .catch(() => undefined)
      .then(() => {
        if (removable) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
        process.stderr.write(`data dir ${removable ? 'removed' : 'kept'}: ${dir}\n`);
      })
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const payments = wholeNumber('payments', options.payments, 1);
  const seed = wholeNumber('seed', options.seed, 0);
  const kills = wholeNumber('kills', options.kills ?? (payments >= 5000 ? '3' : '1'), 0);
  const retryScale = Number(options['retry-scale']);
  if (!(retryScale > 0)) {
    process.stderr.write(`--retry-scale must be a positive number, got ${options['retry-scale']}\n`);
    return 2;
  }
  const timeoutMs = wholeNumber('timeout', options.timeout, 1) * 1000;
  const { dir, temporary } = dataDirOf(options['data-dir']);
  const removable = temporary && !options.keep;
  onInterrupt(dir, removable);
  const reproduce = `npm run chaos -- --payments ${payments} --seed ${seed} --kills ${kills}${retryScale === 1 ? '' : ` --retry-scale ${retryScale}`}`;
  const started = Date.now();
  const summary = await runChaos({
    payments,
    seed,
    kills,
    dataDir: dir,
    rates: ChaosRatesSchema.parse({}),
    retryScale,
    timeoutMs,
    reproduce,
    onProgress: (line) =>
      process.stderr.write(`chaos [${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`),
  }).catch((error: unknown) => {
    // A run that broke is a failure: its data is what there is to inspect.
    process.stderr.write(`data dir kept: ${dir}\n`);
    throw error;
  });
  if (!options.json) process.stdout.write(`${renderChaosSummary(summary)}\n`);
  process.stdout.write(`${JSON.stringify({ ...summary, dataDir: dir })}\n`);
  if (summary.ok && removable) rmSync(dir, { recursive: true, force: true });
  else process.stderr.write(`data dir kept: ${dir}\n`);
  return summary.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `chaos run failed: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error)}\n`,
    );
    process.exit(1);
  },
);
