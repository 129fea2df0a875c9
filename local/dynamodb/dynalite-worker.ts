import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import type {
  DynaliteRequest,
  DynaliteResponse,
  DynaliteWorkerOptions,
  FromDynaliteWorker,
  ToDynaliteWorker,
} from './dynalite-protocol';

/**
 * dynalite, with its LevelDB, on a thread of its own (issue 18 goal 3): parsing, validating and applying
 * DynamoDB requests was 20-40 % of the runtime's main thread. The main thread (dynamodb-service.ts)
 * reads each request, logs the outbox's writes, and posts the exchange here; this thread hands it to
 * dynalite's own request handler (the function its HTTP server calls) and posts back what dynalite
 * answered, byte for byte. Loaded by Node itself (type stripping, or tsx's loader under `npm start`):
 * no runtime imports besides Node's and dynalite, `import type` only, no TypeScript-only syntax.
 */

const port = parentPort;
if (!port) throw new Error('dynalite-worker.ts runs as a worker thread (new Worker), not on its own');
const options = workerData as DynaliteWorkerOptions;
const server: Server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(options.path && { path: options.path }),
});
const send = (message: FromDynaliteWorker) => port.postMessage(message);

/** How long close waits for requests dynalite has not answered yet (the main thread already drained). */
const CLOSE_DRAIN_MS = 5_000;
let inFlight = 0;
let drained: (() => void) | undefined;

/** What dynalite's handler uses of a request: its line, headers and body events. */
function requestOf(message: DynaliteRequest): EventEmitter {
  return Object.assign(new EventEmitter(), {
    method: message.method,
    url: message.url,
    headers: message.headers,
  });
}

/** Answers gathered in this turn of the loop, posted together at its end (see flushAnswers). */
let answers: DynaliteResponse[] = [];

function flushAnswers(): void {
  const responses = answers;
  answers = [];
  send({ type: 'responses', responses });
}

/** What dynalite's handler uses of a response: status, setHeader, end; `end` queues the answer. */
function responseOf(id: number) {
  const headers: Record<string, string | number> = {};
  let answered = false;
  return {
    statusCode: 200,
    /** dynalite keeps the request's content type here. */
    contentType: '',
    setHeader(name: string, value: string | number): void {
      headers[name] = value;
    },
    end(body?: string): void {
      if (answered) return;
      answered = true;
      if (answers.length === 0) setImmediate(flushAnswers);
      answers.push({ id, status: this.statusCode, headers, body: body ?? '' });
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    },
  };
}

function handle(message: DynaliteRequest): void {
  inFlight += 1;
  const request = requestOf(message);
  server.emit('request', request, responseOf(message.id));
  const body = message.body;
  if (body.byteLength > 0) request.emit('data', Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  request.emit('end');
}

async function close(): Promise<void> {
  if (inFlight > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_DRAIN_MS);
      drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  if (answers.length > 0) flushAnswers();
  // dynalite's close() stops its (idle, loopback) server and then closes LevelDB gracefully.
  await new Promise<void>((resolve) =>
    server.close((error?: Error) => {
      send({ type: 'closed', ...(error && { error: error.message }) });
      resolve();
    }),
  );
}

port.on('message', (message: ToDynaliteWorker) => {
  if (message.type === 'requests') for (const request of message.requests) handle(request);
  else void close();
});

// dynalite's close() closes LevelDB only after its HTTP server closes, which must be listening first.
server.listen(0, '127.0.0.1', () => send({ type: 'ready' }));
