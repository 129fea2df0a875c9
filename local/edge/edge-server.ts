import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorXml } from '../sqs/query/xml-response';
import { type AwsJsonService, type AwsRequestContext, AwsServiceError } from './aws-json-service';
import { inProcessRoute } from './in-process';
import { awsErrorAnswer, jsonAnswer, MAX_BODY_BYTES } from './json-answer';
import type { InProcessAnswer, InProcessRequest, RawAwsService } from './raw-service';
import { requestContextOf } from './request-context';

export interface EdgeOptions {
  readonly port?: number;
  readonly host?: string;
  readonly region?: string;
  readonly services: ReadonlyArray<AwsJsonService>;
  readonly rawServices?: ReadonlyArray<RawAwsService>;
  readonly queryServices?: ReadonlyArray<AwsQueryService>;
  /** Called with any error the edge turned into a 500, for the runtime's log. */
  readonly onInternalError?: (error: unknown, target: string) => void;
}

export interface Edge {
  readonly endpoint: string;
  readonly port: number;
  readonly server: Server;
  /** Services may be added after start (Step Functions needs the endpoint's URL first). */
  addService(service: AwsJsonService): void;
  addRawService(service: RawAwsService): void;
  addQueryService(service: AwsQueryService): void;
  addRestService(service: RestAwsService): void;
  /**
   * One request from a client in this process, routed as over HTTP: how to submit it, or undefined for what
   * only HTTP serves (SQS's fauxqs, S3, the query protocol): the caller sends that over the socket. Routing
   * submits nothing, so a caller can wait its turn between the two.
   */
  route(request: InProcessRequest): (() => Promise<InProcessAnswer>) | undefined;
  /** route() and submit at once. */
  exchange(request: InProcessRequest): Promise<InProcessAnswer> | undefined;
  close(): Promise<void>;
}

/**
 * A REST-protocol service (S3: the method and path name the operation, no
 * X-Amz-Target), handed the untouched exchange when its SigV4 scope names it.
 */
export interface RestAwsService {
  /** e.g. "s3". */
  readonly signingName: string;
  handleRaw(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

/** The answer of a query-protocol service (XML, errors included). */
export interface QueryAnswer {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: string;
}

/**
 * A service that also speaks the AWS query protocol (form-encoded
 * `Action=...&Version=...`, XML answers), as older AWS clients do for SQS.
 * The edge routes such a request by the service name of its SigV4 scope.
 */
export interface AwsQueryService {
  /** e.g. "sqs". */
  readonly signingName: string;
  handleQuery(params: URLSearchParams, context: AwsRequestContext): Promise<QueryAnswer>;
}

function isQueryRequest(request: IncomingMessage): boolean {
  const contentType = request.headers['content-type'] ?? '';
  if (request.method === 'POST') return contentType.startsWith('application/x-www-form-urlencoded');
  return request.method === 'GET' && /[?&]Action=/.test(request.url ?? '');
}

/** The service name of a SigV4 credential scope (`Credential=AKID/20240101/us-east-1/sqs/aws4_request`). */
function signingNameOf(request: IncomingMessage, params: URLSearchParams): string | undefined {
  const scope = request.headers.authorization ?? params.get('X-Amz-Credential') ?? '';
  return /\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(scope)?.[1];
}

export function writeAwsError(
  response: ServerResponse,
  contentType: string,
  type: string,
  message: string,
  statusCode = 400,
): void {
  const answer = awsErrorAnswer(contentType, type, message, statusCode);
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new AwsServiceError('SerializationException', 'request body too large', 413);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The one local endpoint every AWS SDK v3 client talks to. Routes by the
 * `X-Amz-Target` header ("<prefix>.<Operation>") to an emulated service and
 * answers in the AWS JSON protocol shape, errors included. Form-encoded
 * query-protocol requests (`Action=...`, no target) go to the query service
 * of their SigV4 scope, which answers in XML.
 */
export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const jsonServices = new Map<string, AwsJsonService>();
  for (const service of options.services) jsonServices.set(service.targetPrefix, service);
  const rawServices = new Map<string, RawAwsService>();
  for (const service of options.rawServices ?? []) rawServices.set(service.targetPrefix, service);
  const queryServices = new Map<string, AwsQueryService>();
  for (const service of options.queryServices ?? []) queryServices.set(service.signingName, service);
  const restServices = new Map<string, RestAwsService>();

  const answerQuery = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const params = new URLSearchParams(new URL(request.url ?? '/', 'http://edge').search);
    if (request.method === 'POST') {
      for (const [key, value] of new URLSearchParams((await readBody(request)).toString('utf8')))
        params.append(key, value);
    }
    const signingName = signingNameOf(request, params);
    const service =
      signingName === undefined && queryServices.size === 1
        ? [...queryServices.values()][0]
        : queryServices.get(signingName ?? '');
    if (!service) {
      // In the query protocol's own error shape, so the client shows this message (not an XML parse error).
      const body = errorXml({
        requestId: randomUUID(),
        type: 'Sender',
        code: 'InvalidAction',
        message: `the paysaga local endpoint serves no ${signingName ?? 'unsigned'} query-protocol action ${params.get('Action') ?? ''}; query protocol served for: ${[...queryServices.keys()].join(', ')}`,
      });
      response.writeHead(400, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
      response.end(body);
      return;
    }
    const answer = await service.handleQuery(params, requestContextOf(request.headers, options.region));
    response.writeHead(answer.statusCode, {
      'content-type': answer.contentType,
      'content-length': Buffer.byteLength(answer.body),
    });
    response.end(answer.body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const contentType = request.headers['content-type'] ?? 'application/x-amz-json-1.1';
    if (request.method === 'GET' && (request.url === '/health' || request.url === '/_paysaga/health')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    const target = request.headers['x-amz-target'];
    const rest =
      target === undefined && restServices.size > 0
        ? restServices.get(
            signingNameOf(request, new URL(request.url ?? '/', 'http://edge').searchParams) ?? '',
          )
        : undefined;
    if (rest) {
      await rest.handleRaw(request, response);
      return;
    }
    if (target === undefined && isQueryRequest(request)) {
      await answerQuery(request, response);
      return;
    }
    if (request.method !== 'POST' || typeof target !== 'string') {
      request.resume();
      writeAwsError(
        response,
        contentType,
        'UnknownOperationException',
        'the paysaga local endpoint speaks the AWS JSON protocols (POST with an X-Amz-Target header) and, for SQS, the query protocol (form-encoded Action=...)',
      );
      return;
    }
    const dot = target.lastIndexOf('.');
    const prefix = dot < 0 ? target : target.slice(0, dot);
    const operation = dot < 0 ? '' : target.slice(dot + 1);

    const raw = rawServices.get(prefix);
    if (raw) {
      await raw.handleRaw(request, response);
      return;
    }
    const service = jsonServices.get(prefix);
    if (!service) {
      request.resume();
      writeAwsError(
        response,
        contentType,
        'UnknownOperationException',
        `no local service for X-Amz-Target ${target}; served: ${[...rawServices.keys(), ...jsonServices.keys()].join(', ')}`,
      );
      return;
    }
    const answer = await jsonAnswer(
      service,
      operation,
      await readBody(request),
      contentType,
      requestContextOf(request.headers, options.region),
    );
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  };

  const server = createServer((request, response) => {
    const contentType = request.headers['content-type'] ?? 'application/x-amz-json-1.1';
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof AwsServiceError) {
        writeAwsError(response, contentType, error.type, error.message, error.statusCode);
        return;
      }
      options.onInternalError?.(error, String(request.headers['x-amz-target']));
      writeAwsError(
        response,
        contentType,
        'InternalFailure',
        'the local runtime failed to process the request; see its log',
        500,
      );
    });
  });
  // Long polls (SQS WaitTimeSeconds up to 20 s) must outlive Node's default timeouts.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4566, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const route = inProcessRoute({
    port: address.port,
    ...(options.region && { region: options.region }),
    jsonServices,
    rawServices,
    ...(options.onInternalError && { onInternalError: options.onInternalError }),
  });
  return {
    endpoint: `http://${host}:${address.port}`,
    port: address.port,
    server,
    addService(service) {
      jsonServices.set(service.targetPrefix, service);
    },
    addRawService(service) {
      rawServices.set(service.targetPrefix, service);
    },
    addQueryService(service) {
      queryServices.set(service.signingName, service);
    },
    addRestService(service) {
      restServices.set(service.signingName, service);
    },
    route,
    exchange: (request) => route(request)?.(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
