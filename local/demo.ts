import { flagsOrExit } from './command-line';
import { progressLine, renderSummary } from './demo/report';
import { runDemo } from './demo/run';
import { connectTarget, type DemoTarget } from './demo/target';
import { jsonLineLog } from './edge/runtime-log';
import { type Runtime, startRuntime } from './runtime';

const USAGE = `usage: npm run demo -- [--events 1000] [--seed 42] [--endpoint URL] [--stage local] [--timeout 600] [--json]

Seeds wallets and sends a stream of PaymentRequested events through PutEvents (approvals,
declines, short wallets, gateway faults, duplicates, malformed requests and card numbers),
waits for every saga to end, prints a summary and checks it against the ledger and the
sandbox gateway. Exits 1 when a check fails.
  --endpoint  a running runtime (default: $AWS_ENDPOINT_URL, else http://127.0.0.1:4566 if
              paysaga answers there, else a runtime started in this process, in memory)
  --events    events put on the bus, duplicates and bad ones included
  --seed      the stream is deterministic per seed
  --json      the summary as one JSON object on stdout`;

const DEFAULT_ENDPOINT = 'http://127.0.0.1:4566';

function parseOptions() {
  return flagsOrExit(
    {
      events: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '42' },
      endpoint: { type: 'string' },
      stage: { type: 'string', default: 'local' },
      region: { type: 'string', default: process.env.AWS_REGION ?? 'us-east-1' },
      timeout: { type: 'string', default: '600' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer, got ${value}\n`);
    process.exit(2);
  }
  return n;
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** The runtime to use: the one asked for, one already running on the default port, or one of our own. */
async function target(
  options: ReturnType<typeof parseOptions>,
): Promise<{ target: DemoTarget; own?: Runtime }> {
  const asked = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  if (asked) return { target: await connectTarget(asked, options.region, options.stage) };
  if (await answers(DEFAULT_ENDPOINT)) {
    process.stderr.write(`using the runtime at ${DEFAULT_ENDPOINT}\n`);
    return { target: await connectTarget(DEFAULT_ENDPOINT, options.region, options.stage) };
  }
  process.stderr.write('no runtime at the default endpoint: starting one in this process (memory)\n');
  // Saga outcome lines would drown the progress bar; errors still show.
  const stderrLog = jsonLineLog((line) => process.stderr.write(`${line}\n`));
  // The handlers' own WARN lines (declines, faults) are the demo's expected traffic: keep errors only.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const own = await startRuntime({
    port: 0,
    memory: true,
    stage: options.stage,
    region: options.region,
    log: { info: () => undefined, error: stderrLog.error },
  });
  return { target: await connectTarget(own.endpoint, own.region, options.stage), own };
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const events = positiveInt('events', options.events);
  const seed = positiveInt('seed', options.seed);
  const timeoutMs = positiveInt('timeout', options.timeout) * 1000;
  const { target: demoTarget, own } = await target(options);
  const tty = process.stderr.isTTY;
  let lastShown = -1;
  try {
    const { summary } = await runDemo(demoTarget, {
      events,
      seed,
      timeoutMs,
      onPhase: (phase) => process.stderr.write(`${tty ? '\n' : ''}${phase}…\n`),
      onProgress: (p) => {
        // A live bar on a terminal; in a log, a line per tenth.
        const tenth = Math.floor((10 * p.terminal) / Math.max(1, p.expected));
        if (tty) process.stderr.write(`\r${progressLine(p)}`);
        else if (tenth !== lastShown && p.terminal > 0) {
          lastShown = tenth;
          process.stderr.write(`${progressLine(p)}\n`);
        }
      },
    });
    if (tty) process.stderr.write('\n');
    process.stdout.write(
      options.json ? `${JSON.stringify(summary)}\n` : `${renderSummary(summary, demoTarget.names)}\n`,
    );
    return summary.checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    await own?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `demo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
    process.exit(1);
  },
);
