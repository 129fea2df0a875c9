import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsNetworkError, isRetryable } from '../../core/aws/errors';
import { MAX_SOCKETS, sendHttp, serveInProcess } from '../../core/aws/http';

// core/aws/http.ts: the lean AWS clients' one exchange. A server that stops talking must fail the call as a
// network error (retryable) within the timeout, before its headers and while its body is being read.

let server: Server | undefined;

async function serve(handler: Parameters<typeof createServer>[1]): Promise<URL> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

afterEach(async () => {
  const open = server;
  server = undefined;
  if (!open) return;
  open.closeAllConnections();
  await new Promise<void>((resolve) => open.close(() => resolve()));
});

describe('sendHttp', () => {
  it('returns the status, headers and whole body of an answer', async () => {
    // Prepare
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        res.writeHead(201, { 'x-amzn-requestid': 'req-1' });
        res.write('echo:');
        setTimeout(() => res.end(body), 20);
      });
    });

    // Act
    const answer = await sendHttp('POST', url, { 'content-type': 'text/plain' }, 'héllo', 1_000);

    // Assess
    expect(answer.status).toBe(201);
    expect(answer.headers['x-amzn-requestid']).toBe('req-1');
    expect(answer.body.toString()).toBe('echo:héllo');
  });

  it('fails as a network error when no answer comes within the timeout', async () => {
    // Prepare
    const url = await serve(() => {});

    // Act
    const started = Date.now();
    const failure = await sendHttp('POST', url, {}, '{}', 150).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(AwsNetworkError);
    expect(String((failure as Error).message)).toMatch(/no answer within 150 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails as a network error when the body stops arriving after the headers', async () => {
    // Prepare
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
    });

    // Act
    const failure = await sendHttp('POST', url, {}, '{}', 150).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(AwsNetworkError);
  });
});

describe('sendHttp to an origin served in process (serveInProcess)', () => {
  /** A server that counts the requests reaching its socket and answers 'socket'. */
  async function countingServer() {
    let reached = 0;
    const url = await serve((req, res) => {
      reached++;
      req.resume();
      req.on('end', () => res.end('socket'));
    });
    return { url, reached: () => reached };
  }

  it('takes the in-process answer without a socket, and the socket again once undone', async () => {
    // Prepare
    const server = await countingServer();
    const seen: string[] = [];
    const undo = serveInProcess(server.url.origin, (method, url, headers, body) => () => {
      seen.push(`${method} ${url.pathname} ${headers['x-amz-target']} ${String(body)}`);
      return Promise.resolve({
        status: 200,
        headers: { 'x-amzn-requestid': 'r1' },
        body: Buffer.from('here'),
      });
    });

    // Act
    const inProcess = await sendHttp('POST', server.url, { 'x-amz-target': 'T.Op' }, '{"a":1}', 1_000);
    undo();
    const afterUndo = await sendHttp('POST', server.url, {}, '{}', 1_000);

    // Assess
    expect(inProcess.body.toString()).toBe('here');
    expect(inProcess.headers['x-amzn-requestid']).toBe('r1');
    expect(seen).toEqual(['POST / T.Op {"a":1}']);
    expect(afterUndo.body.toString()).toBe('socket');
    expect(server.reached()).toBe(1);
  });

  it('goes over the socket when the in-process endpoint does not serve the request', async () => {
    // Prepare
    const server = await countingServer();
    const undo = serveInProcess(server.url.origin, () => undefined);

    // Act
    const answer = await sendHttp('POST', server.url, {}, '{}', 1_000).finally(undo);

    // Assess
    expect(answer.body.toString()).toBe('socket');
    expect(server.reached()).toBe(1);
  });

  it('fails as a network error (retryable) when the in-process answer does not come in time or fails', async () => {
    // Prepare
    const hanging = new URL('http://127.0.0.1:1/');
    const failing = new URL('http://127.0.0.1:2/');
    const undoHanging = serveInProcess(hanging.origin, () => () => new Promise(() => {}));
    const undoFailing = serveInProcess(failing.origin, () => () => Promise.reject(new Error('worker gone')));

    // Act
    const started = Date.now();
    const late = await sendHttp('POST', hanging, {}, '{}', 150).catch((error: unknown) => error);
    const failed = await sendHttp('POST', failing, {}, '{}', 150).catch((error: unknown) => error);
    undoHanging();
    undoFailing();

    // Assess
    expect(late).toBeInstanceOf(AwsNetworkError);
    expect(String((late as Error).message)).toMatch(/no answer within 150 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(failed).toBeInstanceOf(AwsNetworkError);
    expect(String((failed as Error).message)).toMatch(/worker gone/);
    expect(isRetryable(late)).toBe(true);
    expect(isRetryable(failed)).toBe(true);
  });

  it('lets what goes over the socket pass while MAX_SOCKETS exchanges are held in process', async () => {
    // Prepare: every POST held in process, a GET for the socket (the edge serves no GET in process).
    const server = await countingServer();
    const held: (() => void)[] = [];
    const undo = serveInProcess(server.url.origin, (method) =>
      method === 'POST'
        ? () =>
            new Promise((resolve) =>
              held.push(() => resolve({ status: 200, headers: {}, body: Buffer.from('in') })),
            )
        : undefined,
    );
    const posts = Array.from({ length: MAX_SOCKETS }, () => sendHttp('POST', server.url, {}, '{}', 5_000));

    // Act
    const started = Date.now();
    const viaSocket = await sendHttp('GET', server.url, {}, '', 5_000);
    const waitedMs = Date.now() - started;
    for (const answer of held.splice(0)) answer();
    await Promise.all(posts).finally(undo);

    // Assess: the GET did not wait for a lane.
    expect(viaSocket.body.toString()).toBe('socket');
    expect(waitedMs).toBeLessThan(1_000);
  });

  it('submits at most MAX_SOCKETS exchanges to an origin at once, the rest in turn as answers come', async () => {
    // Prepare: an endpoint that holds every answer until told.
    const origin = new URL('http://127.0.0.1:3/');
    const held: (() => void)[] = [];
    const undo = serveInProcess(
      origin.origin,
      (_method, _url, headers) => () =>
        new Promise((resolve) =>
          held.push(() => resolve({ status: 200, headers: {}, body: Buffer.from(headers['x-n'] ?? '') })),
        ),
    );
    const tick = () => new Promise((resolve) => setImmediate(resolve));

    // Act
    const calls = Array.from({ length: MAX_SOCKETS + 10 }, (_, n) =>
      sendHttp('POST', origin, { 'x-n': String(n) }, '{}', 5_000),
    );
    await tick();
    const submittedAtFirst = held.length;
    for (const answer of held.splice(0, 5)) answer();
    await tick();
    const submittedAfterFive = held.length;
    while (held.length > 0) {
      for (const answer of held.splice(0)) answer();
      await tick();
    }
    const answers = await Promise.all(calls).finally(undo);

    // Assess: the cap, then one more submitted per answer, every call answered with its own answer.
    expect(submittedAtFirst).toBe(MAX_SOCKETS);
    expect(submittedAfterFive).toBe(MAX_SOCKETS);
    expect(answers.map((answer) => answer.body.toString())).toEqual(calls.map((_, n) => String(n)));
  });

  it('sends a request over the socket when its origin stopped being served while it waited its turn', async () => {
    // Prepare: MAX_SOCKETS exchanges held in process, one more waiting for a lane.
    const server = await countingServer();
    const held: (() => void)[] = [];
    const undo = serveInProcess(
      server.url.origin,
      () => () =>
        new Promise((resolve) =>
          held.push(() => resolve({ status: 200, headers: {}, body: Buffer.from('in') })),
        ),
    );
    const calls = Array.from({ length: MAX_SOCKETS + 1 }, () =>
      sendHttp('POST', server.url, {}, '{}', 5_000),
    );
    await new Promise((resolve) => setImmediate(resolve));

    // Act: the origin is no longer served in process (the runtime stops), then the held answers come.
    undo();
    for (const answer of held.splice(0)) answer();
    const answers = await Promise.all(calls);

    // Assess
    expect(answers.slice(0, MAX_SOCKETS).every((answer) => answer.body.toString() === 'in')).toBe(true);
    expect(answers[MAX_SOCKETS]?.body.toString()).toBe('socket');
    expect(server.reached()).toBe(1);
  });

  it("starts an exchange's timeout when it is submitted, not while it waits its turn", async () => {
    // Prepare: an endpoint that never answers.
    const origin = new URL('http://127.0.0.1:4/');
    let submitted = 0;
    const undo = serveInProcess(origin.origin, () => () => {
      submitted++;
      return new Promise(() => {});
    });
    const timeoutMs = 500;

    // Act: MAX_SOCKETS + 10 calls; the first MAX_SOCKETS time out at ~500 ms, the next 10 only then start.
    const started = Date.now();
    const ended: number[] = [];
    const calls = Array.from({ length: MAX_SOCKETS + 10 }, () =>
      sendHttp('POST', origin, {}, '{}', timeoutMs).catch((error: unknown) => {
        ended.push(Date.now() - started);
        return error;
      }),
    );
    const errors = await Promise.all(calls).finally(undo);

    // Assess
    expect(submitted).toBe(MAX_SOCKETS + 10);
    expect(errors.every((error) => error instanceof AwsNetworkError)).toBe(true);
    const sorted = [...ended].sort((a, b) => a - b);
    expect(sorted[MAX_SOCKETS - 1]).toBeLessThan(2 * timeoutMs);
    expect(sorted[MAX_SOCKETS]).toBeGreaterThanOrEqual(2 * timeoutMs - 50);
  });
});
