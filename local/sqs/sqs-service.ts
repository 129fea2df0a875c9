import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AwsServiceError } from '../edge/aws-json-service';
import { writeAwsError } from '../edge/edge-server';
import type { RawAwsService } from '../edge/raw-service';
import { DEFAULT_REGION, LOCAL_ACCOUNT_ID } from '../edge/request-context';
import {
  type FauxqsPersistence,
  type FauxqsSqsActions,
  type FauxqsSqsError,
  type FauxqsSqsStore,
  fixUpdateMessageReady,
  loadFauxqs,
} from './fauxqs-internals';
import { MessageMoveTasks } from './message-move-tasks';
import { sqsError } from './sqs-error';

const JSON_1_0 = 'application/x-amz-json-1.0';
const MOVE_TASK_OPERATIONS = new Set([
  'StartMessageMoveTask',
  'ListMessageMoveTasks',
  'CancelMessageMoveTask',
]);

interface DirectActions extends FauxqsSqsActions {
  isSqsError(error: unknown): error is FauxqsSqsError;
}

/** What fastify's inject answers, the part the callers read. */
interface DirectAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
}

export interface SqsServiceOptions {
  /** The edge's origin: queue URLs are `<endpoint>/<account>/<name>` so the SDK keeps talking to the edge. */
  readonly endpoint: string;
  readonly dataDir?: string;
  readonly region?: string;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * SQS, served by an embedded fauxqs (visibility timeouts, receive counts,
 * redrive to the DLQ, long polling, batches) with its SQLite persistence
 * under `<dataDir>/sqs`, plus what fauxqs lacks: the message move tasks.
 */
export class SqsService implements RawAwsService {
  readonly targetPrefix = 'AmazonSQS';
  readonly region: string;
  readonly moveTasks: MessageMoveTasks;
  private closed = false;
  private hostOfEndpoint: string | undefined;

  private constructor(
    private readonly app: FastifyInstance,
    private readonly store: FauxqsSqsStore,
    private readonly persistence: FauxqsPersistence | undefined,
    private readonly actions: DirectActions,
    private readonly endpoint: string,
    region: string,
    dataDir: string | undefined,
  ) {
    this.region = region;
    this.moveTasks = new MessageMoveTasks({
      sqs: this,
      file: dataDir ? join(dataDir, 'sqs', 'message-move-tasks.json') : undefined,
    });
  }

  static async start(options: SqsServiceOptions): Promise<SqsService> {
    const fauxqs = await loadFauxqs();
    const region = options.region ?? DEFAULT_REGION;
    const sqsStore = new fauxqs.SqsStore();
    // Empty host: URLs of queues created through the API take the caller's Host (the edge).
    sqsStore.host = '';
    sqsStore.region = region;
    const snsStore = new fauxqs.SnsStore();
    snsStore.region = region;
    const s3Store = new fauxqs.S3Store();
    const persistence = options.dataDir
      ? new fauxqs.PersistenceManager(join(options.dataDir, 'sqs'))
      : undefined;
    if (persistence) {
      // WAL with synchronous=NORMAL: every committed message survives a crash or kill -9 of the runtime (only
      // an OS crash or power loss can take the last commits); FULL fsyncs each write on the event loop and
      // more than halved saga throughput under load (bench: 7.8 -> 17.4 sagas/s).
      persistence.db.exec('PRAGMA synchronous = NORMAL');
      fixUpdateMessageReady(persistence);
      // As startFauxqs does: load first, then attach, so loading does not re-write rows.
      persistence.loadSqsAndSns(sqsStore, snsStore);
      sqsStore.persistence = persistence;
      snsStore.persistence = persistence;
      for (const queue of sqsStore.allQueues()) queue.persistence = persistence;
    }
    // A restart may use another port: point every stored queue URL at this edge (in memory only).
    const endpoint = options.endpoint.replace(/\/$/, '');
    for (const queue of [...sqsStore.allQueues()]) {
      const url = `${endpoint}/${LOCAL_ACCOUNT_ID}/${queue.name}`;
      if (queue.url === url) continue;
      sqsStore.queues.delete(queue.url);
      queue.url = url;
      sqsStore.queues.set(url, queue);
    }
    const { app, sqsActions } = fauxqs.buildAppWithActions({
      logger: false,
      defaultRegion: region,
      stores: { sqsStore, snsStore, s3Store },
    });
    await app.ready();
    const actions: DirectActions = { ...sqsActions, isSqsError: (error) => error instanceof fauxqs.SqsError };
    const service = new SqsService(app, sqsStore, persistence, actions, endpoint, region, options.dataDir);
    service.moveTasks.resume();
    return service;
  }

  queueUrl(name: string): string {
    return `${this.endpoint}/${LOCAL_ACCOUNT_ID}/${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.region}:${LOCAL_ACCOUNT_ID}:${name}`;
  }

  /** The queue an ARN names, if it exists. */
  queueByArn(arn: string): { name: string; url: string; attributes: Record<string, string> } | undefined {
    const queue = this.store.getQueueByArn(arn);
    return queue && { name: queue.name, url: queue.url, attributes: queue.attributes };
  }

  allQueues(): Array<{ name: string; arn: string; attributes: Record<string, string> }> {
    return [...this.store.allQueues()].map((q) => ({ name: q.name, arn: q.arn, attributes: q.attributes }));
  }

  /** Creates the queue or brings an existing one's attributes up to date (redrive policies included). */
  async ensureQueue(name: string, attributes: Record<string, string>): Promise<string> {
    if (this.store.getQueueByName(name)) {
      await this.call('SetQueueAttributes', { QueueUrl: this.queueUrl(name), Attributes: attributes });
      return this.queueUrl(name);
    }
    const { QueueUrl } = await this.call<{ QueueUrl: string }>('CreateQueue', {
      QueueName: name,
      Attributes: attributes,
    });
    return QueueUrl;
  }

  /**
   * Makes the messages a previous process had received (and not deleted)
   * visible again. Only for queues this runtime alone consumes (the intake
   * queue): the data dir lock guarantees their consumer died with that
   * process, so waiting out a 180 s visibility timeout would only delay. The
   * receive still counts toward maxReceiveCount, as a crashed Lambda's would.
   */
  async releaseInFlight(queueName: string): Promise<number> {
    const inflight = this.store.inspectQueue(queueName)?.messages.inflight ?? [];
    for (const { receiptHandle } of inflight) {
      await this.call('ChangeMessageVisibility', {
        QueueUrl: this.queueUrl(queueName),
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: 0,
      });
    }
    return inflight.length;
  }

  /** Calls an SQS operation in-process, with the same semantics and errors as through the edge. */
  async call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T> {
    if (MOVE_TASK_OPERATIONS.has(operation)) return (await this.moveTasks.handle(operation, input)) as T;
    const headers = {
      'content-type': JSON_1_0,
      'x-amz-target': `AmazonSQS.${operation}`,
      host: this.host,
    };
    const payload = JSON.stringify(input);
    const response =
      (await this.direct(operation, payload, headers)) ??
      (await this.app.inject({ method: 'POST', url: '/', headers, payload }));
    const body = response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {};
    if (response.statusCode >= 300) {
      throw new AwsServiceError(
        String(body.__type ?? 'com.amazonaws.sqs#InternalError'),
        String(body.message ?? `SQS ${operation} failed`),
        response.statusCode,
      );
    }
    return body as T;
  }

  async handleRaw(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target']);
    const operation = target.slice(target.indexOf('.') + 1);
    const payload = await readBody(request);
    if (this.closed) {
      writeAwsError(
        response,
        JSON_1_0,
        'com.amazonaws.sqs#ServiceUnavailable',
        'the local runtime is stopping',
        503,
      );
      return;
    }
    if (MOVE_TASK_OPERATIONS.has(operation)) {
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(payload || '{}') as Record<string, unknown>;
      } catch {
        throw sqsError('InvalidParameterValue', 'the request body is not valid JSON');
      }
      const output = await this.moveTasks.handle(operation, input);
      const text = JSON.stringify(output);
      response.writeHead(200, { 'content-type': JSON_1_0, 'content-length': Buffer.byteLength(text) });
      response.end(text);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && key !== 'content-length' && key !== 'transfer-encoding')
        headers[key] = value;
    }
    const injected =
      (await this.direct(operation, payload, headers)) ??
      (await this.app.inject({ method: 'POST', url: '/', headers, payload }));
    if (injected.statusCode >= 400 && !injected.body.includes('"__type"')) {
      // fastify's own errors (unparseable body, a crash in an action) are not AWS-shaped.
      const serverFault = injected.statusCode >= 500;
      writeAwsError(
        response,
        JSON_1_0,
        serverFault ? 'com.amazonaws.sqs#InternalError' : 'com.amazonaws.sqs#InvalidParameterValue',
        serverFault
          ? 'the local SQS failed to process the request'
          : 'the request body is not valid AWS JSON',
        injected.statusCode,
      );
      return;
    }
    const outHeaders: Record<string, string> = {};
    for (const name of ['content-type', 'x-amzn-query-error', 'x-amzn-requestid']) {
      const value = injected.headers[name];
      if (typeof value === 'string') outHeaders[name] = value;
    }
    outHeaders['content-type'] ??= JSON_1_0;
    outHeaders['content-length'] = String(Buffer.byteLength(injected.body));
    response.writeHead(injected.statusCode, outHeaders);
    response.end(injected.body);
  }

  private get host(): string {
    this.hostOfEndpoint ??= new URL(this.endpoint).host;
    return this.hostOfEndpoint;
  }

  /**
   * Runs a JSON-protocol action as fauxqs's app would (its router's function, the body parsed as its
   * content-type parser does, its answer or SqsError shaped as its router shapes them), without fastify's
   * inject: a simulated HTTP request, reply and hooks cost more than most actions. undefined (the app
   * answers instead) for what the router does not route to an action: an unknown action or a body that
   * is not JSON, whose answers stay fastify's own.
   */
  private async direct(
    operation: string,
    payload: string,
    headers: Record<string, string>,
  ): Promise<DirectAnswer | undefined> {
    const action = this.actions.handlers.get(operation);
    if (!action) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      return undefined;
    }
    try {
      const result = await action(body, this.actions.store, { headers });
      return {
        statusCode: 200,
        headers: { 'content-type': JSON_1_0 },
        body: result === undefined ? '' : JSON.stringify(result),
      };
    } catch (error) {
      if (this.actions.isSqsError(error)) {
        return {
          statusCode: error.statusCode,
          headers: { 'content-type': JSON_1_0, 'x-amzn-query-error': error.queryErrorHeader },
          body: JSON.stringify(error.toJSON()),
        };
      }
      // fastify's answer to a crash in a route: a 500 without an AWS __type.
      return {
        statusCode: 500,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          statusCode: 500,
          error: 'Internal Server Error',
          message: error instanceof Error ? error.message : String(error),
        }),
      };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.moveTasks.stop();
    await this.app.close();
    this.persistence?.close();
  }
}
