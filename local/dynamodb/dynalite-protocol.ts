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

/** One HTTP exchange, whole: the body as bytes whose buffer is transferred, not copied. */
export interface DynaliteRequestMessage {
  readonly type: 'request';
  readonly id: number;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

/** Stop: answer what is in flight, then close LevelDB (dynalite's server close). */
export interface DynaliteCloseMessage {
  readonly type: 'close';
}

export type ToDynaliteWorker = DynaliteRequestMessage | DynaliteCloseMessage;

/** dynalite's answer: status, headers as dynalite set them (names in its case), body as it wrote it. */
export interface DynaliteResponseMessage {
  readonly type: 'response';
  readonly id: number;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | number>>;
  readonly body: string;
}

export type FromDynaliteWorker =
  | { readonly type: 'ready' }
  | DynaliteResponseMessage
  | { readonly type: 'closed'; readonly error?: string };
