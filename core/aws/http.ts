import type { IncomingMessage } from 'node:http';
import { AwsNetworkError, isRetryable, isThrottling } from './errors';
import { http, https } from './node-http';

/** One HTTP exchange for the lean AWS clients: keep-alive sockets, a timeout, the SDK's retry rule. */

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/**
 * An endpoint this process serves itself: the local runtime's edge, whose handlers run in its process.
 * Routes one exchange: how to submit it (nothing is submitted until that is called), or undefined when it
 * must go over the socket after all (a service that only speaks HTTP).
 */
export type InProcessEndpoint = (
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array,
) => (() => Promise<HttpAnswer>) | undefined;

/** By origin (`http://127.0.0.1:4566`). Empty on AWS: every exchange goes over the network. */
const inProcessEndpoints = new Map<string, InProcessEndpoint>();

/**
 * Serves `origin`'s exchanges in this process from now on, skipping the loopback socket (HTTP framing on
 * both ends was a fifth of the local runtime's main thread, issue 18 goal 3). Returns the undo.
 */
export function serveInProcess(origin: string, endpoint: InProcessEndpoint): () => void {
  inProcessEndpoints.set(origin, endpoint);
  return () => {
    if (inProcessEndpoints.get(origin) === endpoint) inProcessEndpoints.delete(origin);
  };
}

/** Sockets per origin: what the agents allow in flight, and what an in-process origin allows too. */
export const MAX_SOCKETS = 50;
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });

/**
 * In-process exchanges in flight per origin, and those waiting their turn. As over the socket, at most
 * MAX_SOCKETS are submitted at once; the rest wait FIFO with their timeout not yet running (a request
 * waiting for a socket has not been sent, so it can time out only once it has been). Without the cap an
 * overloaded runtime queued every call in the service at once, where each one's timer ran.
 */
const lanes = new Map<string, { inFlight: number; readonly waiting: (() => void)[] }>();

/** A lane of `origin`: at once when one is free (no await on the hot path), else when one is handed on. */
function takeLane(origin: string): (() => void) | Promise<() => void> {
  let lane = lanes.get(origin);
  if (!lane) {
    lane = { inFlight: 0, waiting: [] };
    lanes.set(origin, lane);
  }
  const taken = lane;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const next = taken.waiting.shift();
    if (next)
      next(); // the slot passes on: inFlight unchanged
    else if (--taken.inFlight === 0) lanes.delete(origin);
  };
  if (taken.inFlight < MAX_SOCKETS) {
    taken.inFlight++;
    return release;
  }
  return new Promise((resolve) => taken.waiting.push(() => resolve(release)));
}

/** One HTTP exchange read whole: the answer's body is collected; the timeout covers the body's reading too. */
export async function sendHttp(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array,
  timeoutMs: number,
): Promise<HttpAnswer> {
  const endpoint = inProcessEndpoints.size > 0 ? inProcessEndpoints.get(url.origin) : undefined;
  const routed = endpoint?.(method, url, headers, body);
  // Only what is served in process waits for a lane; what goes over the socket waits for a socket.
  if (routed) {
    const lane = takeLane(url.origin);
    const release = typeof lane === 'function' ? lane : await lane;
    try {
      // Asked again once its turn came: an origin no longer served by that endpoint (the runtime stopped
      // while the request waited) is routed anew, over the socket when nothing serves it in process.
      const current = inProcessEndpoints.get(url.origin);
      const submit = current === endpoint ? routed : current?.(method, url, headers, body);
      if (submit) return await withinTimeout(submit(), timeoutMs, `${method} ${url.host}`);
    } finally {
      release(); // answered, timed out, failed, or not served in process (then over the socket below)
    }
  }
  const res = await openHttp(method, url, headers, body, timeoutMs);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
    );
    res.on('error', (error) => reject(new AwsNetworkError(`${method} ${url.host}: ${error.message}`)));
  });
}

/** An in-process answer under the same timeout as a socket's: a network error when it does not come. */
function withinTimeout(answer: Promise<HttpAnswer>, timeoutMs: number, what: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new AwsNetworkError(`${what}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    answer.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(new AwsNetworkError(`${what}: ${error instanceof Error ? error.message : String(error)}`));
      },
    );
  });
}

/**
 * One HTTP exchange whose answer is read as a stream (S3 GetObject's body):
 * resolves with the response once its headers arrived. The socket's idle
 * timeout stays armed while the body is read: it destroys the response,
 * which then emits 'error'.
 */
export function openHttp(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array,
  timeoutMs: number,
): Promise<IncomingMessage> {
  const secure = url.protocol === 'https:';
  const send = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: secure ? httpsAgent : httpAgent,
      },
      resolve,
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => reject(new AwsNetworkError(`${method} ${url.host}: ${error.message}`)));
    req.end(body);
  });
}

export interface RetryOptions {
  readonly maxAttempts: number;
  /** For tests: how to wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, fails for good or has run maxAttempts
 * times (the SDK's standard mode: 3), waiting a full-jitter exponential
 * back-off between tries (base 100 ms, 500 ms when throttled, cap 20 s).
 */
export async function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= options.maxAttempts || !isRetryable(error)) throw error;
      const base = isThrottling(error) ? 500 : 100;
      await sleep(Math.random() * Math.min(20_000, base * 2 ** (tried - 1)));
    }
  }
}
