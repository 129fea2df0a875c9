import { parentPort } from 'node:worker_threads';

/**
 * A DynamoDB worker that takes requests and never answers them (as dynalite stuck on a request would),
 * then closes when asked: the service's close() must give up on them after its drain. Same protocol as
 * local/dynamodb/dynalite-worker.ts; loaded by Node as the worker is (no TypeScript-only syntax).
 */
parentPort?.on('message', (message: { readonly type: string }) => {
  if (message.type === 'close') parentPort?.postMessage({ type: 'closed' });
});
parentPort?.postMessage({ type: 'ready' });
