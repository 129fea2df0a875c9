/**
 * The runtime the chaos run drives, as a child process so a kill -9 is real:
 * `startRuntime` exactly as `npm start` calls it, plus the seeded fault hooks
 * and scaled Retry intervals. Spawned by supervisor.ts, not meant for people.
 * stdout: JSON lines (the `started` banner, saga outcomes, injected faults).
 */
import { parseArgs } from 'node:util';
import { jsonLineLog } from '../edge/runtime-log';
import { startRuntime } from '../runtime';
import { chaosFaults } from './hooks';
import { ChaosRatesSchema } from './rates';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string' },
    seed: { type: 'string' },
    rates: { type: 'string', default: '{}' },
    'retry-scale': { type: 'string', default: '1' },
  },
  strict: true,
});
if (!values['data-dir'] || values.seed === undefined) {
  process.stderr.write('usage: tsx local/chaos/child.ts --data-dir DIR --seed S [--port P] [--rates JSON]\n');
  process.exit(2);
}

const write = (line: string) => process.stdout.write(`${line}\n`);
const log = jsonLineLog(write);
// Declines, faults and retries are the run's expected traffic: the handlers' own lines stay at ERROR.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
const runtime = await startRuntime({
  port: Number(values.port),
  dataDir: values['data-dir'],
  retryIntervalScale: Number(values['retry-scale']),
  // The run drives the bus, not the HTTP API; a fixed front-door port would collide between runs.
  frontDoor: false,
  log,
  faults: chaosFaults(
    Number(values.seed),
    ChaosRatesSchema.parse(JSON.parse(values.rates)),
    (line) => write(JSON.stringify(line)),
    Number(values['retry-scale']),
  ),
});
write(
  JSON.stringify({
    event: 'started',
    endpoint: runtime.endpoint,
    sandbox: runtime.sandbox?.url ?? null,
    pid: process.pid,
  }),
);

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  runtime.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
