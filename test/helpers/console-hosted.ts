import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { LocalIssuer } from '../../cli/console/auth/local-issuer';
import { localHostedConfig, peopleAuth } from '../../cli/console/auth/people';
import type { ConsoleAccessApi } from '../../cli/console/handle-api';
import { CONSOLE_ACT_API } from '../../cli/console/routes/act';
import { CONSOLE_READ_API } from '../../cli/console/routes/read';
import {
  CONSOLE_API_PREFIX,
  CONSOLE_CONFIG_FILE,
  type ConsoleGroup,
  consoleRouteAccess,
} from '../../core/config/console';
import { CURRENCIES } from '../../core/money';
import { PAYMENT_STATUSES } from '../../core/payments/records';
import { type ConsoleProxyHandler, consoleApiAdapter } from '../../functions/commons/console-adapter';
import { consoleLambdaContext } from '../../functions/commons/console-context';
import { claimsOf, type ProxyRequest, proxyEvent } from './api-gateway';
import { clientConfig, type TestRuntime } from './runtime';

/**
 * The hosted console without AWS: the console API's two Lambda adapters
 * (functions/commons/console-adapter.ts, as functions/commons/console-lambda.ts builds
 * them) over the local runtime with a local token issuer, and a stand-in for
 * the distribution that serves the built app with the stack's response
 * headers and sends /api/* and /console-config.json to the adapters as API
 * Gateway would (by method and path).
 */

export interface ConsoleApiAdapters {
  readonly read: ConsoleProxyHandler;
  readonly act: ConsoleProxyHandler;
}

/**
 * Both functions of the console API, their data functions over the runtime (the Lambda's own context,
 * functions/commons/console-context.ts: the lean clients, no SDK), people signing in at `issuer`.
 */
export function consoleApiAdapters(runtime: TestRuntime, issuer: LocalIssuer): ConsoleApiAdapters {
  const stage = runtime.names.stage;
  const context = consoleLambdaContext(stage, clientConfig(runtime));
  const meta = {
    stage,
    local: false,
    allowActions: false,
    statuses: PAYMENT_STATUSES,
    currencies: CURRENCIES,
  };
  const hosted = localHostedConfig(issuer);
  // Each function with its own access's routes and data functions, as its entry bundles them.
  const adapter = <D>({ access, routes, data }: ConsoleAccessApi<D>) =>
    consoleApiAdapter({
      access,
      hosted,
      api: { meta, routes, people: peopleAuth(context.deps, issuer.verifier(), data) },
    });
  return { read: adapter(CONSOLE_READ_API), act: adapter(CONSOLE_ACT_API) };
}

/** A person's request as API Gateway passes it on after its authorizer: their bearer token and its claims. */
export async function signedInAt(
  issuer: LocalIssuer,
  username: string,
  groups: ConsoleGroup[],
): Promise<(request: ProxyRequest) => ProxyRequest> {
  const token = await issuer.issue({ username, groups });
  return (request) => ({
    ...request,
    headers: { Authorization: `Bearer ${token}`, ...request.headers },
    claims: claimsOf(token),
  });
}

export interface HostedSiteOptions {
  /** The built app (console/dist or a test build). */
  readonly assetsDir: string;
  /** Added to every response, the API's too (the distribution's response headers policy is on every behavior). */
  readonly headers: Readonly<Record<string, string>>;
  readonly api: ConsoleApiAdapters;
}

export interface HostedSite {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

async function bodyOf(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
}

/** A request to the console API as its proxy event; answered by the function API Gateway routes it to. */
async function callApi(req: IncomingMessage, url: URL, api: ConsoleApiAdapters) {
  const method = req.method === 'POST' ? 'POST' : 'GET';
  const query: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) query[key] = [...(query[key] ?? []), value];
  const headers = Object.fromEntries(
    Object.entries(req.headers).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : [])),
  );
  const body = await bodyOf(req);
  const event = proxyEvent({ method, path: url.pathname, query, headers, ...(body && { body }) });
  const isConfig = url.pathname === `/${CONSOLE_CONFIG_FILE}`;
  const access = isConfig ? 'read' : consoleRouteAccess(method, url.pathname);
  return access ? api[access](event) : { statusCode: 403, headers: {}, body: '{"message":"Forbidden"}' };
}

/** A file of the app, as the bucket behind origin access control answers (403 for a key it does not hold). */
async function readAsset(assetsDir: string, pathname: string) {
  const relative = normalize(pathname === '/' ? '/index.html' : pathname).replace(/^(\.\.[/\\])+/, '');
  try {
    const body = await readFile(join(assetsDir, relative));
    const type = CONTENT_TYPES[extname(relative)] ?? 'application/octet-stream';
    return { statusCode: 200, headers: { 'content-type': type }, body };
  } catch {
    return {
      statusCode: 403,
      headers: { 'content-type': 'application/xml' },
      body: '<Error>AccessDenied</Error>',
    };
  }
}

export async function startHostedSite(options: HostedSiteOptions): Promise<HostedSite> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isApi =
      url.pathname.startsWith(`${CONSOLE_API_PREFIX}/`) || url.pathname === `/${CONSOLE_CONFIG_FILE}`;
    const answer = isApi
      ? await callApi(req, url, options.api)
      : await readAsset(options.assetsDir, url.pathname);
    const headers = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([k, v]) => [k, String(v)]));
    res.writeHead(answer.statusCode, { ...headers, ...options.headers });
    res.end(answer.body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(502, options.headers);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
