import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { CONSOLE_API_PREFIX, CONSOLE_CONFIG_FILE, type ConsoleHostedConfig } from '../../core/config/console';
import { CURRENCIES } from '../../core/money';
import { PAYMENT_STATUSES } from '../../core/payments/records';
import type { ConsoleMeta } from './api-types';
import type { ConsoleData } from './data/port';
import { errorStatus as apiErrorStatus, handleConsoleApi, type PeopleAuth } from './handle-api';
import { CONSOLE_ROUTES } from './routes';

/**
 * The console's HTTP server: the built app from console/dist and a small JSON
 * API under /api whose handlers call the same functions as payctl. Loopback
 * only; the browser never sees AWS credentials. GET reads; POST acts, and only
 * when started with allowActions.
 */

export interface ConsoleServerOptions {
  readonly data: ConsoleData;
  readonly stage: string;
  readonly local: boolean;
  readonly allowActions: boolean;
  /** The built front end (console/dist). */
  readonly assetsDir: string;
  /** 0 (default) for any free port. The host is always 127.0.0.1. */
  readonly port?: number;
  /**
   * Hosted mode with a local token issuer (tests, --sign-in local): every API call needs a bearer token,
   * the group rules decide (allowActions is then ignored), and the app reads `hosted` to sign in.
   */
  readonly people?: PeopleAuth & { readonly hosted: ConsoleHostedConfig };
}

export interface ConsoleServer {
  readonly url: string;
  readonly port: number;
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
  '.map': 'application/json',
};

// Everything is served from here: no CDN, no external fonts; canvas charts need no more.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** In hosted mode the app also calls the token endpoint (the local issuer's origin). */
const headersFor = (people: ConsoleServerOptions['people']) =>
  people
    ? {
        ...SECURITY_HEADERS,
        'content-security-policy': SECURITY_HEADERS['content-security-policy'].replace(
          "connect-src 'self'",
          `connect-src 'self' ${new URL(people.hosted.authority).origin}`,
        ),
      }
    : SECURITY_HEADERS;

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function errorStatus(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  return apiErrorStatus(error);
}

/** Actions carry small JSON bodies ({ includeRejected }); anything big is not ours. */
const MAX_BODY_BYTES = 16 * 1024;

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `an action body is at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'the action body is not JSON');
  }
}

/** Only our own page may call us: a request for another host name is a DNS-rebinding attempt. */
function checkHost(req: IncomingMessage, port: number): void {
  const host = req.headers.host ?? '';
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!allowed.includes(host))
    throw new HttpError(421, `the console answers on ${allowed.join(' or ')} only`);
  const origin = req.headers.origin;
  if (req.method !== 'GET' && origin !== undefined && !allowed.some((a) => origin === `http://${a}`)) {
    throw new HttpError(403, `requests from ${origin} are refused: use the console's own page`);
  }
}

async function serveAsset(
  res: ServerResponse,
  root: string,
  pathname: string,
  headers: Record<string, string> = SECURITY_HEADERS,
): Promise<void> {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  let file = resolve(join(root, relative || 'index.html'));
  if (file !== root && !file.startsWith(root + sep)) throw new HttpError(404, 'not found');
  const info = await stat(file).catch(() => undefined);
  // Unknown paths without an extension are app routes: the app decides what they show.
  if (!info?.isFile()) {
    if (extname(relative)) throw new HttpError(404, `no asset ${pathname}`);
    file = join(root, 'index.html');
  }
  const body = await readFile(file).catch(() => {
    throw new HttpError(503, 'the console is not built: run npm run console:build');
  });
  res.writeHead(200, {
    ...headers,
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    // Hashed asset names may be cached; index.html must not be.
    'cache-control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    'content-length': body.length,
  });
  res.end(body);
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const root = resolve(options.assetsDir);
  const meta: ConsoleMeta = {
    stage: options.stage,
    local: options.local,
    allowActions: options.allowActions,
    statuses: PAYMENT_STATUSES,
    currencies: CURRENCIES,
  };
  let port = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const handle = async () => {
      checkHost(req, port);
      if (url.pathname === CONSOLE_API_PREFIX || url.pathname.startsWith(`${CONSOLE_API_PREFIX}/`)) {
        if (req.method === 'POST' && !options.allowActions && !options.people) {
          throw new HttpError(
            403,
            'actions are disabled: this console is read-only; restart it with payctl console --allow-actions',
          );
        }
        if (req.method === 'POST' && !String(req.headers['content-type']).startsWith('application/json')) {
          throw new HttpError(415, 'send actions as application/json');
        }
        const body = req.method === 'POST' ? await readJsonBody(req) : undefined;
        const answer = await handleConsoleApi(
          {
            meta,
            routes: CONSOLE_ROUTES,
            data: options.data,
            ...(options.people && { people: options.people }),
            onError: (message) => process.stderr.write(`payctl console: ${message}\n`),
          },
          {
            method: req.method ?? 'GET',
            url,
            body,
            ...(req.headers.authorization !== undefined && { authorization: req.headers.authorization }),
          },
        );
        sendJson(res, answer.status, answer.body);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'the app is read with GET');
      if (options.people && url.pathname === `/${CONSOLE_CONFIG_FILE}`) {
        sendJson(res, 200, options.people.hosted);
        return;
      }
      await serveAsset(res, root, url.pathname, headersFor(options.people));
    };
    handle().catch((error: unknown) => {
      const status = errorStatus(error);
      const message =
        status === 500
          ? `${error instanceof Error ? error.name : 'Error'}: ${error instanceof Error ? error.message : String(error)}`
          : (error as Error).message;
      if (status === 500)
        process.stderr.write(`payctl console: ${req.method} ${url.pathname} failed: ${message}\n`);
      if (res.headersSent) res.destroy();
      else sendJson(res, status, { error: message });
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
