/**
 * Runs the sandbox gateway on its own:
 *   npx tsx local/sandbox-gateway/main.ts [--port 12111] [--data .paysaga/sandbox-gateway.jsonl] [--slow-ms 1500] [--json]
 * Point the gateway secret at it: { "apiKey": "sk_test_<anything>", "apiBase": "<printed url>" }.
 */
import { parseArgs } from 'node:util';
import { startSandboxGateway } from './server';
import { SANDBOX_PAYMENT_METHODS } from './test-methods';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    data: { type: 'string' },
    'slow-ms': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
const slowMs = values['slow-ms'] === undefined ? undefined : Number(values['slow-ms']);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be 0-65535, got ${values.port}`);
  process.exit(2);
}
if (slowMs !== undefined && !(Number.isInteger(slowMs) && slowMs >= 0)) {
  console.error(`--slow-ms must be a whole number of milliseconds, got ${values['slow-ms']}`);
  process.exit(2);
}

const sandbox = await startSandboxGateway({
  port,
  ...(values.data ? { dataFile: values.data } : {}),
  ...(slowMs === undefined ? {} : { slowMs }),
});

if (values.json) {
  console.log(JSON.stringify({ url: sandbox.url, dataFile: values.data ?? null }));
} else {
  console.log(
    `sandbox gateway listening on ${sandbox.url} (${values.data ? `journal ${values.data}` : 'in memory'})`,
  );
  console.log(
    'accepts any sk_test_ key; admin routes under /_sandbox/ (health, charges, refunds, requests, down)',
  );
  console.log('');
  console.log('payment method                            outcome');
  for (const row of SANDBOX_PAYMENT_METHODS) console.log(`${row.paymentMethod.padEnd(41)} ${row.outcome}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    sandbox.stop().then(() => process.exit(0));
  });
}
