import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
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

/** The LevelDB class dynalite's store is made of (`level`'s Level, classic-level's ClassicLevel, on disk). */
interface LevelDb {
  readonly status: string;
  get(key: unknown, options?: unknown): Promise<unknown>;
  getSync(key: unknown, options?: unknown): unknown;
}

/**
 * LevelDB reads on this thread, synchronously (classic-level's getSync): an asynchronous get queues a work
 * item on libuv's pool and wakes this thread again with its answer, two cross-thread hand-offs per read
 * for a lookup in LevelDB's memtable or block cache of microseconds. This thread does nothing but serve
 * dynalite, so waiting there costs no other work. dynalite still sees a promise (its callbacks stay
 * asynchronous, in the same order); a store not open yet (still opening) is read as before.
 */
function readSynchronously(): void {
  const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = requireFromDynalite('level') as { Level: { prototype: LevelDb } };
  const asyncGet = Level.prototype.get;
  Level.prototype.get = function get(this: LevelDb, ...args: unknown[]): Promise<unknown> {
    if (this.status !== 'open') return asyncGet.apply(this, args as [unknown, unknown]);
    try {
      return Promise.resolve(this.getSync(args[0], args[1]));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
if (options.path) readSynchronously();

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
  if (message.body.length > 0) request.emit('data', Buffer.from(message.body, 'latin1'));
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
