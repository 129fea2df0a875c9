import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type DynamoDbService, startDynamoDb } from '../../local/dynamodb/dynamodb-service';

/**
 * The local DynamoDB's worker thread failing or ending on its own (issue 18 goal 3, the review's LOW):
 * a worker that fails to start rejects startDynamoDb with the cause (it crashed the process); a worker
 * that exits without an error fails what it had with a clear error and close() resolves (both waited
 * forever).
 */
const workerUrl = (name: string) => new URL(`../helpers/dynalite-workers/${name}.ts`, import.meta.url);

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One DynamoDB request; rejects if no answer comes within `timeoutMs`. */
function send(port: number, target: string, body: string, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent: false,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `DynamoDB_20120810.${target}`,
          'x-amz-date': '20261205T070000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20261205/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0123456789abcdef',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${target} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Settles with 'resolved' / 'rejected', or 'pending' after `ms`. */
function within(promise: Promise<unknown>, ms: number): Promise<'resolved' | 'rejected' | 'pending'> {
  return Promise.race([
    promise.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    ),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);
}

describe('Local DynamoDB: its worker failing or ending on its own', () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  const servers: Server[] = [];
  const services: DynamoDbService[] = [];

  afterEach(async () => {
    process.off('uncaughtException', onUncaught);
    uncaught.length = 0;
    for (const server of servers.splice(0)) server.close();
    for (const service of services.splice(0)) await within(service.close(), 10_000);
  });

  async function serve(service: DynamoDbService): Promise<number> {
    const server = createServer((req, res) => service.handleRaw(req, res));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return (server.address() as AddressInfo).port;
  }

  it('rejects startDynamoDb with the cause when the worker fails to start, and the process lives on', async () => {
    // Prepare
    process.on('uncaughtException', onUncaught);

    // Act
    const outcome = await startDynamoDb({ workerUrl: workerUrl('fails-to-start') }).then(
      (service) => {
        services.push(service);
        return undefined;
      },
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).name).toBe('DynamoDbWorkerError');
    expect((outcome as Error).message).toContain('dynalite could not be loaded (test worker)');
    expect(String((outcome as Error).cause)).toContain('dynalite could not be loaded (test worker)');
    expect(uncaught).toEqual([]);
  });

  it('rejects startDynamoDb when the worker exits before it is ready', async () => {
    // Prepare
    process.on('uncaughtException', onUncaught);

    // Act
    const outcome = await startDynamoDb({ workerUrl: workerUrl('exits-at-start') }).then(
      (service) => {
        services.push(service);
        return undefined;
      },
      (error: unknown) => error,
    );

    // Assess
    expect((outcome as Error | undefined)?.name).toBe('DynamoDbWorkerError');
    expect((outcome as Error).message).toContain('exited with code 3 before it was ready');
    expect(uncaught).toEqual([]);
  });

  it('fails the requests in flight with a clear error when the worker exits, refuses later ones, says so once, and close() resolves', async () => {
    // Prepare: the real worker, which exits (code 0) as soon as requests reach it.
    process.on('uncaughtException', onUncaught);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const stopped: Error[] = [];
    const service = await startDynamoDb({
      workerUrl: workerUrl('exits-on-requests'),
      onStopped: (error) => stopped.push(error),
    });
    services.push(service);
    const port = await serve(service);
    const table = `gone-${randomUUID().slice(0, 8)}`;

    // Act: two requests in flight when it exits, one after, then close.
    const inFlight = await Promise.all(
      ['a', 'b'].map((pk) =>
        send(port, 'PutItem', JSON.stringify({ TableName: table, Item: { pk: { S: pk } } })).catch(
          (error: Error) => error,
        ),
      ),
    );
    const after = await send(
      port,
      'GetItem',
      JSON.stringify({ TableName: table, Key: { pk: { S: 'a' } } }),
    ).catch((error: Error) => error);
    const closing = await within(service.close(), 5_000);
    process.off('warning', onWarning);

    // Assess: answered, not left waiting (the old service: no answer, and close() never resolved).
    for (const answer of inFlight) {
      expect(answer).toMatchObject({ status: 500 });
      expect(JSON.parse((answer as Answer).body)).toEqual({
        __type: 'InternalFailure',
        message: expect.stringContaining('worker exited (code 0)'),
      });
    }
    expect(after).toMatchObject({ status: 500 });
    expect((after as Answer).body).toContain('the local DynamoDB is down');
    expect(closing).toBe('resolved');
    expect(warnings.some((warning) => warning.includes('worker exited (code 0)'))).toBe(true);
    // Told once, so the runtime can stop (local/start.ts exits non-zero) instead of serving 500s.
    expect(stopped.map((error) => error.message)).toEqual([
      expect.stringContaining('worker exited (code 0)'),
    ]);
    expect(uncaught).toEqual([]);
  });
  it('tells a request left unanswered at close that whether it was applied is unknown, and one sent during close that it was not taken', async () => {
    // Prepare: a worker that never answers (dynalite stuck on a request).
    const service = await startDynamoDb({ workerUrl: workerUrl('never-answers') });
    const request = (pk: string) => ({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' },
      body: Buffer.from(JSON.stringify({ TableName: 't', Item: { pk: { S: pk } } })),
    });

    // Act: one request in flight, then close (which waits out its drain), and one sent once it began.
    const inFlight = service.exchange(request('a'));
    const closing = service.close();
    const duringClose = await service.exchange(request('b'));
    await closing;
    const unanswered = await inFlight;

    // Assess
    expect(unanswered.status).toBe(503);
    expect(JSON.parse(unanswered.body.toString())).toEqual({
      __type: 'ServiceUnavailable',
      message: 'the local DynamoDB stopped before answering this request: whether it was applied is unknown',
    });
    expect(duringClose.status).toBe(503);
    expect(JSON.parse(duringClose.body.toString()).message).toBe('the local DynamoDB is stopping');
  }, 15_000);
});
