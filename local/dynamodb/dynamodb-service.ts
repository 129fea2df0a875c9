import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InProcessAnswer, InProcessRequest, RawAwsService } from '../edge/raw-service';
import {
  DYNALITE_REQUEST_HEADERS,
  type DynaliteRequest,
  type DynaliteResponse,
  type DynaliteWorkerOptions,
  type FromDynaliteWorker,
  type ToDynaliteWorker,
} from './dynalite-protocol';
import { inFlightRequests } from './in-flight';
import type { LocalTableStream } from './table-stream';

export interface DynamoDbService extends RawAwsService {
  /** One request from a client in this process, answered as dynalite answers it over HTTP. */
  exchange(request: InProcessRequest): Promise<InProcessAnswer>;
  close(): Promise<void>;
}

/** The DynamoDB worker failed to start, or stopped without being asked to (`cause`: what it threw). */
export class DynamoDbWorkerError extends Error {
  override readonly name = 'DynamoDbWorkerError';
}

/** How long close() waits for requests in flight before closing the store anyway. */
const CLOSE_DRAIN_MS = 5_000;
const JSON_1_0 = 'application/x-amz-json-1.0';

/** Where an answer goes: the HTTP response, or the in-process caller's promise. */
type Reply = (status: number, headers: DynaliteResponse['headers'], body: string) => void;

/** A request posted to the worker: where its answer goes, and the stream changes to settle when it answers. */
interface Pending {
  readonly reply: Reply;
  readonly captured: readonly { readonly stream: LocalTableStream; readonly seqs: number[] }[];
}

/**
 * DynamoDB, all of it, by dynalite on a worker thread (local/dynamodb/dynalite-worker.ts), so that its
 * request parsing, validation and LevelDB calls run on the second core, not on the thread every saga
 * step shares (issue 18 goal 3). The edge hands this service the raw HTTP exchange; the body is read
 * here, the outbox stream's writes are logged (before the worker, so before dynalite applies them),
 * and the exchange is posted to the worker, whose answer (dynalite's status, headers, body) is written
 * back as it came.
 */
export async function startDynamoDb(options: {
  dataDir?: string;
  /** Tables with a stream (the outbox's): their writes are logged before dynalite applies them. */
  streams?: readonly LocalTableStream[];
  /** The worker's script; default dynalite-worker.ts (tests: one that fails as a worker can, same protocol). */
  workerUrl?: URL;
  /**
   * Called once if the worker stops after it was ready without being asked (it failed, or exited on its
   * own): from then on every request is answered 500, so the runtime should stop (local/start.ts does).
   */
  onStopped?: (error: Error) => void;
}): Promise<DynamoDbService> {
  let path: string | undefined;
  if (options.dataDir) {
    path = join(options.dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  const worker = new Worker(options.workerUrl ?? new URL('./dynalite-worker.ts', import.meta.url), {
    workerData: { ...(path && { path }) } satisfies DynaliteWorkerOptions,
    execArgv: workerExecArgv(),
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed: ((error?: string) => void) | undefined;
  let failure: unknown;
  /** Set by close(), which terminates the worker itself: that exit is not a failure. */
  let stopping = false;
  let started: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    started = { resolve, reject };
  });
  /** Before `ready`, a worker that fails or exits rejects startDynamoDb with the cause (nothing was posted). */
  const failStart = (error: Error) => {
    const start = started;
    started = undefined;
    start?.reject(error);
    void worker.terminate();
  };

  const answer = (message: DynaliteResponse) => {
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    for (const { stream, seqs } of request.captured) stream.settle(seqs, message.status === 200);
    request.reply(message.status, message.headers, message.body);
  };
  worker.on('message', (message: FromDynaliteWorker) => {
    if (message.type === 'responses') for (const response of message.responses) answer(response);
    else if (message.type === 'ready') {
      started?.resolve();
      started = undefined;
    } else if (message.type === 'closed') closed?.(message.error);
  });
  // dynalite throwing (a LevelDB error it does not map) ended the process when it ran on this thread;
  // it still does: requests in flight are answered as failed first, so no client waits on a dead store.
  // Failing to start (loading dynalite, its script) rejects startDynamoDb instead.
  worker.on('error', (error) => {
    if (started) {
      failStart(
        new DynamoDbWorkerError(`the local DynamoDB worker failed to start: ${error.message}`, {
          cause: error,
        }),
      );
      return;
    }
    failure = error;
    failPending(pending, 'InternalFailure', 'the local DynamoDB worker failed', 500);
    closed?.(String(error));
    options.onStopped?.(error);
    process.nextTick(() => {
      throw error;
    });
  });
  // A worker that ends without an error (process.exit in it, its loop run dry) answers nothing more: what
  // it had is failed with the reason, later requests are refused, and a close() waiting on it resolves.
  worker.on('exit', (code) => {
    if (started) {
      failStart(
        new DynamoDbWorkerError(`the local DynamoDB worker exited with code ${code} before it was ready`),
      );
      return;
    }
    if (stopping) return;
    const reason = `the local DynamoDB worker exited (code ${code}); whether a request in flight was applied is unknown`;
    const first = failure === undefined;
    if (first) {
      failure = new DynamoDbWorkerError(reason);
      process.emitWarning(reason);
    }
    failPending(pending, 'InternalFailure', reason, 500);
    closed?.(reason);
    if (first) options.onStopped?.(failure as Error);
  });
  // Loading dynalite on the worker (~0.2-0.6 s): the runtime starts its other services meanwhile.
  await ready;

  // Requests read in this turn of the loop, posted together at its end (one wake-up of the worker).
  let outgoing: DynaliteRequest[] = [];
  const post = () => {
    const requests = outgoing;
    outgoing = [];
    worker.postMessage({ type: 'requests', requests } satisfies ToDynaliteWorker);
  };

  // In flight until the worker's answer is written (or the body never arrived): close() waits for them,
  // so LevelDB never closes under a request (dynalite threw "Database is closed" and took the process down).
  const inFlight = inFlightRequests();
  let closing = false;
  /** Why no request is taken now (the worker failed, or close() began), as the error answer to give. */
  const refusal = (): [type: string, message: string, status: number] | undefined => {
    if (failure !== undefined)
      return ['InternalFailure', `the local DynamoDB is down: ${String(failure)}`, 500];
    if (closing) return ['ServiceUnavailable', 'the local DynamoDB is stopping', 503];
    return undefined;
  };
  /** Logs the request's stream writes, then queues it for the worker: the same for both ways in. */
  const submit = (
    method: string,
    url: string,
    headers: DynaliteRequest['headers'],
    body: Buffer,
    reply: Reply,
  ) => {
    const target = headers['x-amz-target'];
    let captured: Pending['captured'] = [];
    try {
      if (options.streams?.length && typeof target === 'string')
        captured = captureWrites(options.streams, target, body);
    } catch (error) {
      // Not logged, so not applied: refused, both ways in alike (a write dynalite applied without its
      // stream change would never reach the outbox consumer).
      const reason = error instanceof Error ? error.message : String(error);
      reply(
        500,
        { 'content-type': JSON_1_0 },
        JSON.stringify({
          __type: 'InternalFailure',
          message: `the local DynamoDB could not log the write to its table stream, so did not apply it: ${reason}`,
        }),
      );
      return;
    }
    const id = nextId++;
    pending.set(id, { reply, captured });
    if (outgoing.length === 0) setImmediate(post);
    outgoing.push({ id, method, url, headers, body: body.toString('latin1') });
  };
  return {
    targetPrefix: 'DynamoDB_20120810',
    handleRaw(request, response) {
      const refused = refusal();
      if (refused) {
        request.resume();
        writeError(response, ...refused);
        return;
      }
      inFlight.track(request, response);
      readBody(request, (body) =>
        submit(
          request.method ?? 'POST',
          request.url ?? '/',
          dynaliteHeaders(request.headers),
          body,
          (status, headers, text) => {
            response.writeHead(status, headers);
            response.end(text);
          },
        ),
      );
    },
    exchange(request: InProcessRequest): Promise<InProcessAnswer> {
      const refused = refusal();
      if (refused) return Promise.resolve(errorAnswer(...refused));
      const finish = inFlight.begin();
      return new Promise((resolve) => {
        submit(
          request.method,
          request.url,
          dynaliteHeaders(request.headers),
          request.body,
          (status, headers, body) => {
            finish();
            // dynalite's answer is text that response.end() would send as UTF-8.
            resolve({ status, headers: lowerCased(headers), body: Buffer.from(body, 'utf8') });
          },
        );
      });
    },
    async close() {
      closing = true;
      await inFlight.drain(CLOSE_DRAIN_MS);
      if (failure === undefined) {
        // The worker answers what it still has (after the drain timed out), then closes LevelDB.
        const error = await new Promise<string | undefined>((resolve) => {
          closed = resolve;
          worker.postMessage({ type: 'close' } satisfies ToDynaliteWorker);
        });
        if (error) process.emitWarning(`the local DynamoDB closed with an error: ${error}`);
      }
      failPending(
        pending,
        'ServiceUnavailable',
        'the local DynamoDB stopped before answering this request: whether it was applied is unknown',
        503,
      );
      stopping = true;
      await worker.terminate();
      for (const stream of options.streams ?? []) stream.close();
    },
  };
}

/**
 * The worker's Node flags: this process's, but tsx's loader when Node strips types itself (the worker is
 * written for that: no TypeScript-only syntax, `import type` only); tsx took ~0.4 s more to start it.
 */
function workerExecArgv(): string[] {
  if (!process.features.typescript) return process.execArgv;
  const flags: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const flag = process.execArgv[i] ?? '';
    const value = process.execArgv[i + 1] ?? '';
    if ((flag === '--require' || flag === '--import') && /^tsx(\/|$)|[\\/]tsx[\\/]dist[\\/]/.test(value)) i++;
    else flags.push(flag);
  }
  return flags;
}

/** The headers dynalite reads, those the request has (names in lower case, as Node gives them). */
function dynaliteHeaders(
  from: Readonly<Record<string, string | string[] | undefined>>,
): DynaliteRequest['headers'] {
  const headers: Record<string, string> = {};
  for (const name of DYNALITE_REQUEST_HEADERS) {
    const value = from[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/** dynalite's answer headers as a client reads them (Node's IncomingMessage lower-cases names). */
function lowerCased(headers: DynaliteResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = String(value);
  return out;
}

/** The whole body. Not called back for a request whose body never fully arrives (never acted on). */
function readBody(request: IncomingMessage, then: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => then(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
}

/** Logs a write's keys to the tables' streams before it is posted to dynalite; settled when it answers. */
function captureWrites(
  streams: readonly LocalTableStream[],
  target: string,
  bytes: Buffer,
): Pending['captured'] {
  const captured: { stream: LocalTableStream; seqs: number[] }[] = [];
  try {
    for (const stream of streams) {
      const seqs = stream.capture(target, bytes);
      if (seqs.length > 0) captured.push({ stream, seqs });
    }
  } catch (error) {
    // The write is refused: what other streams logged of it is settled as never applied.
    for (const { stream, seqs } of captured) stream.settle(seqs, false);
    throw error;
  }
  return captured;
}

function writeError(response: ServerResponse, type: string, message: string, status: number): void {
  response.writeHead(status, { 'content-type': JSON_1_0 });
  response.end(JSON.stringify({ __type: type, message }));
}

function errorAnswer(type: string, message: string, status: number): InProcessAnswer {
  return {
    status,
    headers: { 'content-type': JSON_1_0 },
    body: Buffer.from(JSON.stringify({ __type: type, message })),
  };
}

/**
 * Answers requests the worker will not answer any more (it failed, or it was stopped after the drain).
 * Their stream changes stay unsettled: whether dynalite applied the write is unknown, and an unsettled
 * change is delivered after the next start (with the item as it is then), never dropped.
 */
function failPending(pending: Map<number, Pending>, type: string, message: string, status: number): void {
  for (const [id, { reply }] of pending) {
    pending.delete(id);
    reply(status, { 'content-type': JSON_1_0 }, JSON.stringify({ __type: type, message }));
  }
}
