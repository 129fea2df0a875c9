import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsNetworkError } from '../../core/aws/errors';
import { sendHttp } from '../../core/aws/http';

// core/aws/http.ts: the lean AWS clients' one exchange. A server that stops talking must fail the call as a
// network error (retryable) within the timeout, before its headers and while its body is being read.

let server: Server | undefined;

async function serve(handler: Parameters<typeof createServer>[1]): Promise<URL> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  server = undefined;
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
