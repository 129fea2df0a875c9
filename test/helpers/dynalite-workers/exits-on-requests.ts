import { parentPort } from 'node:worker_threads';

/**
 * The real DynamoDB worker (local/dynamodb/dynalite-worker.ts), which ends without an error as soon as
 * requests reach it, before dynalite answers them: as a worker whose code calls process.exit, or whose
 * event loop runs dry, would. Loaded by Node as the worker is (no TypeScript-only syntax).
 */
await import(new URL('../../../local/dynamodb/dynalite-worker.ts', import.meta.url).href);
parentPort?.on('message', (message: { readonly type: string }) => {
  if (message.type === 'requests') process.exit(0);
});
