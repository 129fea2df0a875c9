import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * fauxqs's public entry (`startFauxqs`) always listens on 0.0.0.0 and builds
 * queue URLs with its own port; `buildApp` takes our own stores but its
 * persistence class is not exported. We need both (one loopback endpoint,
 * SQLite durability under our data dir), so we load the store and
 * persistence classes from fauxqs's dist next to its entry. The shapes below
 * are the few members we use (fauxqs 2.4).
 */
export interface FauxqsQueue {
  name: string;
  url: string;
  arn: string;
  attributes: Record<string, string>;
  persistence?: unknown;
  getAttribute(name: string): string | undefined;
}

export interface FauxqsSqsStore {
  host: string;
  region?: string;
  persistence?: unknown;
  queues: Map<string, FauxqsQueue>;
  allQueues(): IterableIterator<FauxqsQueue>;
  getQueueByName(name: string): FauxqsQueue | undefined;
  getQueueByArn(arn: string): FauxqsQueue | undefined;
  inspectQueue(name: string): { messages: { inflight: Array<{ receiptHandle: string }> } } | undefined;
}

export interface FauxqsPersistence {
  loadSqsAndSns(sqsStore: FauxqsSqsStore, snsStore: unknown): void;
  updateMessageReady(messageId: string): void;
  close(): void;
  readonly db: { prepare(sql: string): { run(...values: unknown[]): unknown }; exec(sql: string): void };
}

/**
 * fauxqs 2.4's updateMessageReady (ChangeMessageVisibility to 0) writes NULL
 * into the NOT NULL receive count: the statement throws after the message
 * has left the in-flight set, so it vanishes from memory until a restart.
 * Clearing only the in-flight columns keeps the count, as SQS does.
 */
export function fixUpdateMessageReady(persistence: FauxqsPersistence): void {
  const statement = persistence.db.prepare(
    'UPDATE sqs_messages SET receipt_handle = NULL, visibility_deadline = NULL WHERE message_id = ?',
  );
  persistence.updateMessageReady = (messageId) => {
    statement.run(messageId);
  };
}

/** SQS's character rule, as AWS documents it: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * fauxqs 2.4 checks message bodies UTF-16 unit by unit, so it refuses every character beyond U+FFFF
 * (every emoji) that AWS accepts: a PaymentRequested with an emoji in its description could not reach
 * the intake queue (found by the intake fuzz test). Its check is one shared RegExp used by SendMessage,
 * SendMessageBatch and the app, so its test() is replaced with AWS's rule, which still refuses NUL,
 * other control characters and lone surrogates.
 */
function acceptSupplementaryCharacters(fauxqsRule: RegExp): void {
  fauxqsRule.test = (text: string) => OUTSIDE_SQS_CHARACTERS.test(text);
}

/** fauxqs's error for a refused SQS request: its JSON body, HTTP status and query-protocol error header. */
export interface FauxqsSqsError extends Error {
  readonly statusCode: number;
  readonly queryErrorHeader: string;
  toJSON(): { __type: string; message: string };
}

/** An SQS action as fauxqs's router calls it: (parsed JSON body, store, request with its headers). */
export type FauxqsSqsAction = (
  body: unknown,
  store: FauxqsSqsStore,
  request: { readonly headers: Record<string, string | undefined> },
) => unknown;

/** The SQS actions of one buildApp, by name (what fauxqs's app routes a JSON request to). */
export interface FauxqsSqsActions {
  readonly handlers: ReadonlyMap<string, FauxqsSqsAction>;
  readonly store: FauxqsSqsStore;
}

interface FauxqsModules {
  /** The app and the SQS actions its router registered (called in-process without an HTTP round trip). */
  buildAppWithActions(options: Parameters<FauxqsModules['buildApp']>[0]): {
    app: FastifyInstance;
    sqsActions: FauxqsSqsActions;
  };
  SqsError: abstract new (...args: never[]) => FauxqsSqsError;
  buildApp(options: {
    logger: boolean;
    defaultRegion?: string;
    stores: { sqsStore: FauxqsSqsStore; snsStore: unknown; s3Store: unknown };
  }): FastifyInstance;
  SqsStore: new () => FauxqsSqsStore;
  SnsStore: new () => { persistence?: unknown; region?: string };
  S3Store: new () => unknown;
  PersistenceManager: new (dataDir: string) => FauxqsPersistence;
}

function fauxqsDistUrl(): URL {
  // Resolve the package's entry the way Node does; fall back to the repository's node_modules.
  try {
    return new URL('.', import.meta.resolve('fauxqs'));
  } catch {
    const local = fileURLToPath(new URL('../../node_modules/fauxqs/dist/', import.meta.url));
    if (!existsSync(local)) throw new Error('fauxqs is not installed: run npm install');
    return pathToFileURL(`${local}/`);
  }
}

interface SqsRouterClass {
  prototype: { register(this: FauxqsSqsActions, action: string, handler: FauxqsSqsAction): void };
}

/**
 * buildApp keeps its SQS router (action name -> function) to itself. Its registrations are watched while
 * it runs, so the service can call an action directly: the same function with the same parsed body that
 * fastify would hand it, without fastify's inject (a simulated HTTP request and reply) around each call.
 */
function captureSqsRouter(
  SqsRouter: SqsRouterClass,
  build: () => FastifyInstance,
): { app: FastifyInstance; sqsActions: FauxqsSqsActions } {
  const register = SqsRouter.prototype.register;
  let captured: FauxqsSqsActions | undefined;
  SqsRouter.prototype.register = function (this: FauxqsSqsActions, action, handler) {
    captured ??= this;
    register.call(this, action, handler);
  };
  try {
    const app = build();
    if (!captured || !(captured.handlers instanceof Map))
      throw new Error(
        'fauxqs registered no SQS actions: its router changed, check local/sqs/fauxqs-internals.ts',
      );
    return { app, sqsActions: captured };
  } finally {
    SqsRouter.prototype.register = register;
  }
}

let loaded: Promise<FauxqsModules> | undefined;

export function loadFauxqs(): Promise<FauxqsModules> {
  loaded ??= (async () => {
    const dist = fauxqsDistUrl();
    const [app, sqs, sns, s3, persistence, sqsTypes, router, errors] = await Promise.all([
      import(new URL('app.js', dist).href),
      import(new URL('sqs/sqsStore.js', dist).href),
      import(new URL('sns/snsStore.js', dist).href),
      import(new URL('s3/s3Store.js', dist).href),
      import(new URL('persistence.js', dist).href),
      import(new URL('sqs/sqsTypes.js', dist).href),
      import(new URL('sqs/sqsRouter.js', dist).href),
      import(new URL('common/errors.js', dist).href),
    ]);
    acceptSupplementaryCharacters(sqsTypes.INVALID_MESSAGE_BODY_CHAR);
    const buildApp = app.buildApp as FauxqsModules['buildApp'];
    return {
      buildAppWithActions: (options) => captureSqsRouter(router.SqsRouter, () => buildApp(options)),
      SqsError: errors.SqsError,
      buildApp,
      SqsStore: sqs.SqsStore,
      SnsStore: sns.SnsStore,
      S3Store: s3.S3Store,
      PersistenceManager: persistence.PersistenceManager,
    } as FauxqsModules;
  })();
  return loaded;
}
