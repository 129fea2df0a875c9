/**
 * The messages between the local DynamoDB service (main thread) and dynalite's worker thread
 * (local/dynamodb/dynalite-worker.ts). In-process and trusted on both ends: plain types, no parsing
 * (a zod parse per message would put back on the main thread part of what the worker takes off it).
 */

/** What the worker is started with (`workerData`). */
export interface DynaliteWorkerOptions {
  /** LevelDB's directory; in memory without it. */
  readonly path?: string;
}

/**
 * The request headers dynalite reads (dynalite/index.js: CORS, content type, target, signature, date);
 * only these are posted: cloning a request's whole header set was a third of a message's cost.
 */
export const DYNALITE_REQUEST_HEADERS = [
  'content-type',
  'x-amz-target',
  'authorization',
  'x-amz-date',
  'date',
  'origin',
  'access-control-request-headers',
  'access-control-request-method',
] as const;

/**
 * One HTTP exchange, whole. The body is its bytes as a latin1 string (one character per byte, so
 * lossless whatever the bytes): a string is cloned by a copy, where transferring a buffer cost ~3x
 * as much CPU per message (measured: 19 -> 7 us per message of a 600-byte request, both threads).
 */
export interface DynaliteRequest {
  readonly id: number;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Partial<Record<(typeof DYNALITE_REQUEST_HEADERS)[number], string>>>;
  readonly body: string;
}

/** Stop: answer what is in flight, then close LevelDB (dynalite's server close). */
export interface DynaliteCloseMessage {
  readonly type: 'close';
}

/**
 * The requests that arrived in one turn of the main thread's event loop, in one message: a message
 * costs a wake-up of the other thread, whatever its size.
 */
export interface DynaliteRequestsMessage {
  readonly type: 'requests';
  readonly requests: readonly DynaliteRequest[];
}

export type ToDynaliteWorker = DynaliteRequestsMessage | DynaliteCloseMessage;

/** dynalite's answer: status, headers as dynalite set them (names in its case), body as it wrote it. */
export interface DynaliteResponse {
  readonly id: number;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | number>>;
  readonly body: string;
}

export type FromDynaliteWorker =
  /** dynalite is loaded and its store can take requests (startDynamoDb resolves on it). */
  | { readonly type: 'ready' }
  /** The answers dynalite gave in one turn of the worker's event loop. */
  | { readonly type: 'responses'; readonly responses: readonly DynaliteResponse[] }
  | { readonly type: 'closed'; readonly error?: string };
