import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { http, https } from '../aws/node-http';
import {
  allowedAddresses,
  checkUrlForm,
  type Resolver,
  systemResolver,
  type UrlPolicyMode,
} from './url-policy';

export interface PostResult {
  /** The receiver's HTTP status; absent when none came (timeout, refused, refused by policy). */
  readonly statusCode?: number;
  readonly latencyMs: number;
  /** At most `maxBodyBytes` of the answer (UTF-8, cut). */
  readonly responseBody?: string;
  readonly error?: string;
}

export interface PostOptions {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly mode: UrlPolicyMode;
  readonly resolve?: Resolver;
}

/**
 * One webhook attempt: POST the raw body, no redirects followed (a 3xx is an
 * answer like any other non-2xx), the connection pinned to addresses the URL
 * policy allowed at this moment (no DNS rebinding between check and connect),
 * the whole exchange bounded by `timeoutMs`, and at most `maxBodyBytes` of
 * the answer read. Never throws: a failure is a result with `error`.
 */
export async function postWebhook(options: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  let addresses: readonly string[];
  try {
    url = checkUrlForm(options.url, options.mode);
    addresses = await allowedAddresses(url.hostname, options.mode, options.resolve ?? systemResolver);
  } catch (error) {
    return { latencyMs: elapsed(), error: `refused: ${(error as Error).message}` };
  }
  const first = addresses[0] as string;
  const lookup: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) {
      callback(
        null,
        addresses.map((address) => ({ address, family: isIP(address) })),
      );
    } else callback(null, first, isIP(first));
  };
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<PostResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: elapsed() });
    };
    const send = url.protocol === 'https:' ? https.request : http.request;
    const request = send(url, {
      method: 'POST',
      lookup,
      headers: {
        ...options.headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(options.body)),
        'user-agent': 'paysaga-webhooks/1',
      },
    });
    const timer = setTimeout(() => {
      finish({ error: `timeout after ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) => finish({ error: `${error.name}: ${error.message}` }));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const body = Buffer.concat(chunks).subarray(0, options.maxBodyBytes).toString('utf8');
        finish({ statusCode: response.statusCode ?? 0, ...(body && { responseBody: body }) });
        response.destroy();
      };
      response.on('data', (chunk: Buffer) => {
        if (size < options.maxBodyBytes) chunks.push(chunk);
        size += chunk.length;
        if (size >= options.maxBodyBytes) done();
      });
      response.on('end', done);
      response.on('error', done);
    });
    request.end(options.body);
  });
}
