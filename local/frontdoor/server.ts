import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { API, type FunctionKey } from '../../core/config/names';
import { type HttpResponse, problem } from '../../core/frontdoor/http';
import { API_KEY_HEADER } from '../../core/frontdoor/openapi';
import type { LocalApiClient } from './api-clients';
import { matchRoute, proxyEvent } from './proxy-event';
import { TokenBuckets } from './token-bucket';

/** API Gateway's own payload limit is 10 MB; the handler refuses far less, this only bounds memory. */
const MAX_READ_BYTES = 1024 * 1024;

export interface FrontDoorOptions {
  readonly port: number;
  readonly host?: string;
  readonly clients: readonly LocalApiClient[];
  /** Runs a function as Lambda would (the runtime's FunctionInvoker). */
  readonly invoke: (key: FunctionKey, event: APIGatewayProxyEvent) => Promise<unknown>;
  readonly onError?: (error: unknown) => void;
}

export interface FrontDoor {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const hashOf = (key: string): string => createHash('sha256').update(key).digest('hex');

function send(response: ServerResponse, answer: HttpResponse | APIGatewayProxyResult): void {
  const headers = { ...(answer.headers ?? {}) } as Record<string, string>;
  response.writeHead(answer.statusCode, headers);
  response.end(answer.body);
}

/** Reads the body up to a bound; undefined when it is larger. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_READ_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as APIGatewayProxyResult).statusCode === 'number' &&
    typeof (value as APIGatewayProxyResult).body === 'string'
  );
}

/**
 * The front door on the local runtime: the REST API's routes served by the
 * same handlers as on AWS, with API Gateway's gatekeeping done here — API key
 * (401 without, 403 unknown), per-client token-bucket throttle (429), payload
 * bound (413), a failed or malformed function answer becoming 502.
 */
export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const byKeyHash = new Map(options.clients.map((client) => [hashOf(client.apiKey), client]));
  const buckets = new TokenBuckets();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = matchRoute(request.method ?? 'GET', path);
    if (route === undefined)
      return send(response, problem(404, 'no_such_route', 'Not found', 'no such route'));
    if (route === 'method_not_allowed') {
      return send(response, problem(405, 'method_not_allowed', 'Method not allowed', 'see /v1/openapi.json'));
    }
    const apiKey = request.headers[API_KEY_HEADER];
    if (typeof apiKey !== 'string' || apiKey === '') {
      return send(
        response,
        problem(401, 'unauthenticated', 'Unauthenticated', `send your ${API_KEY_HEADER}`),
      );
    }
    const client = byKeyHash.get(hashOf(apiKey));
    if (!client) return send(response, problem(403, 'forbidden', 'Forbidden', 'this API key is not valid'));
    const retryAfter = buckets.take(client.clientId, client.throttle ?? API.defaultThrottle);
    if (retryAfter > 0) {
      const tooMany = problem(429, 'too_many_requests', 'Too many requests', 'slow down and retry');
      return send(response, {
        ...tooMany,
        headers: { ...tooMany.headers, 'retry-after': String(retryAfter) },
      });
    }
    const body = await readBody(request);
    if (body === undefined) {
      return send(response, problem(413, 'payload_too_large', 'Payload too large', 'the body is too large'));
    }
    const routeKey = Object.values(API.routes).find((r) => r.path === route.resource)?.function;
    if (!routeKey) return send(response, problem(404, 'no_such_route', 'Not found', 'no such route'));
    try {
      const result = await options.invoke(routeKey, proxyEvent(request, route, client, body));
      if (!isProxyResult(result)) throw new Error(`${routeKey} returned no proxy result`);
      send(response, result);
    } catch (error) {
      options.onError?.(error);
      send(
        response,
        problem(502, 'bad_gateway', 'Bad gateway', 'the function failed; retry with the same key'),
      );
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) send(response, problem(500, 'internal_error', 'Internal error', 'retry'));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
