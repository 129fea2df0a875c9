import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DynamoDbService, startDynamoDb } from '../../local/dynamodb/dynamodb-service';
import { LocalTableStream } from '../../local/dynamodb/table-stream';
import { waitFor } from '../helpers/runtime';

/**
 * The local DynamoDB runs dynalite on a worker thread (issue 18 goal 3). What a client sees must be what
 * dynalite on the main thread answered, byte for byte; and the outbox stream settles a write on dynalite's
 * answer, never on the client's socket.
 */

// dynalite is CommonJS: the reference server, as the service ran it in-process before.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: Record<string, number>) => Server;

const AUTH =
  'AWS4-HMAC-SHA256 Credential=local/20261205/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0123456789abcdef';

interface Exchange {
  readonly method?: string;
  readonly target?: string;
  readonly contentType?: string;
  readonly auth?: boolean;
  readonly body: string;
}

interface Answer {
  readonly status: number;
  /** Raw header lines as sent (names in their case), but the request id and the date. */
  readonly headers: string[];
  readonly body: string;
}

function send(port: number, exchange: Exchange): Promise<Answer> {
  const headers: Record<string, string> = {
    'content-type': exchange.contentType ?? 'application/x-amz-json-1.0',
    'x-amz-date': '20261205T070000Z',
    ...(exchange.target !== undefined && { 'x-amz-target': exchange.target }),
    ...(exchange.auth !== false && { authorization: AUTH }),
  };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: exchange.method ?? 'POST', path: '/', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const lines: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i] ?? '';
            if (!/^(x-amzn-requestid|date)$/i.test(name)) lines.push(`${name}: ${res.rawHeaders[i + 1]}`);
          }
          resolve({ status: res.statusCode ?? 0, headers: lines, body: Buffer.concat(chunks).toString() });
        });
      },
    );
    req.on('error', reject);
    req.end(exchange.body);
  });
}

const op = (name: string) => `DynamoDB_20120810.${name}`;
const item = (table: string, pk: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ TableName: table, Item: { pk: { S: pk }, ...extra } });

describe('Local DynamoDB on a worker thread', () => {
  const servers: Server[] = [];
  const services: DynamoDbService[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const service of services.splice(0)) await service.close();
    for (const server of servers.splice(0)) server.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** The service behind a plain HTTP server, as the edge serves it. */
  async function serve(streams: readonly LocalTableStream[] = [], dataDir?: string): Promise<number> {
    const service = await startDynamoDb({ streams, ...(dataDir && { dataDir }) });
    services.push(service);
    return listen(createServer((req, res) => service.handleRaw(req, res)));
  }
  async function listen(server: Server): Promise<number> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return (server.address() as AddressInfo).port;
  }
  /** Creates the table and waits until it is ACTIVE (dynalite answers CREATING first, as DynamoDB does). */
  async function createActiveTable(port: number, table: string): Promise<void> {
    expect((await send(port, { target: op('CreateTable'), body: createTable(table) })).status).toBe(200);
    await waitFor(`table ${table} to be ACTIVE`, async () => {
      const answer = await send(port, {
        target: op('DescribeTable'),
        body: JSON.stringify({ TableName: table }),
      });
      return answer.body.includes('"TableStatus":"ACTIVE"') || undefined;
    });
  }
  const createTable = (table: string) =>
    JSON.stringify({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    });

  // On disk the worker reads LevelDB synchronously (getSync): the same answers as dynalite's own reads.
  it.each(['memory', 'disk'] as const)(
    "answers every request, errors included, with dynalite's status, headers and body (%s)",
    async (storage) => {
      // Prepare: the worker-backed service and dynalite itself on the main thread, one table each.
      const table = `bytes-${randomUUID().slice(0, 8)}`;
      const dataDir =
        storage === 'disk' ? mkdtempSync(join(tmpdir(), 'paysaga-dynamodb-worker-')) : undefined;
      if (dataDir) dirs.push(dataDir);
      const viaWorker = await serve([], dataDir);
      const reference = await listen(dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }));
      for (const port of [viaWorker, reference]) await createActiveTable(port, table);
      const big = 'x'.repeat(300 * 1024);
      const exchanges: Exchange[] = [
        { target: op('PutItem'), body: item(table, 'a', { n: { N: '1' } }) },
        {
          target: op('PutItem'),
          body: JSON.stringify({
            ...JSON.parse(item(table, 'a')),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        },
        { target: op('GetItem'), body: JSON.stringify({ TableName: table, Key: { pk: { S: 'a' } } }) },
        { target: op('PutItem'), body: item(table, 'huge', { blob: { S: 'x'.repeat(401 * 1024) } }) },
        { target: op('PutItem'), body: item(table, 'grows', { blob: { S: big } }) },
        {
          target: op('UpdateItem'),
          body: JSON.stringify({
            TableName: table,
            Key: { pk: { S: 'grows' } },
            UpdateExpression: 'SET more = :more',
            ExpressionAttributeValues: { ':more': { S: big } },
          }),
        },
        { target: op('Query'), body: JSON.stringify({ TableName: table }) },
        { target: op('GetItem'), body: JSON.stringify({ TableName: `missing-${table}`, Key: {} }) },
        { target: op('PutItem'), body: '{"TableName":' },
        { target: op('PutItem'), body: '' },
        { target: op('NoSuchOperation'), body: '{}' },
        { target: op('PutItem'), auth: false, body: item(table, 'b') },
        { target: op('PutItem'), contentType: 'text/plain', body: item(table, 'c') },
        { method: 'GET', body: '' },
      ];

      // Act
      const answers: Answer[][] = [];
      for (const exchange of exchanges)
        answers.push([await send(viaWorker, exchange), await send(reference, exchange)]);

      // Assess: the same answer from both, for each request (and the cases are the ones meant).
      for (const [viaWorkerAnswer, referenceAnswer] of answers)
        expect(viaWorkerAnswer).toEqual(referenceAnswer);
      const bodies = answers.map(([answer]) => answer?.body ?? '');
      expect(bodies[1]).toContain('ConditionalCheckFailedException');
      expect(bodies[3]).toContain('Item size has exceeded the maximum allowed size');
      expect(bodies[5]).toContain('Item size to update has exceeded the maximum allowed size');
      expect(bodies[7]).toContain('ResourceNotFoundException');
      expect(bodies[8]).toContain('SerializationException');
      expect(bodies[10]).toContain('UnknownOperationException');
      expect(bodies[11]).toContain('MissingAuthenticationTokenException');
      expect(answers[12]?.[0]?.status).toBe(404);
    },
  );

  it('never delivers a refused write to the stream, even when its client went away before the answer', async () => {
    // Prepare: a table with a stream and an item; the consumer is done with its first write.
    const table = `abort-${randomUUID().slice(0, 8)}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'paysaga-dynamodb-worker-'));
    dirs.push(dataDir);
    const stream = new LocalTableStream(table, ['pk'], dataDir);
    const port = await serve([stream], dataDir);
    await createActiveTable(port, table);
    expect((await send(port, { target: op('PutItem'), body: item(table, 'taken') })).status).toBe(200);
    await stream.advance(stream.read(10).through);
    const refused = JSON.stringify({
      ...JSON.parse(item(table, 'taken')),
      ConditionExpression: 'attribute_not_exists(pk)',
    });

    // Act: writes the condition refuses, each client gone as soon as its request is sent.
    await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<void>((resolve) => {
            const req = httpRequest({
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: '/',
              agent: false,
              headers: {
                'content-type': 'application/x-amz-json-1.0',
                'x-amz-target': op('PutItem'),
                'x-amz-date': '20261205T070000Z',
                authorization: AUTH,
              },
            });
            req.on('error', () => undefined);
            req.on('finish', () => {
              req.destroy();
              resolve();
            });
            req.end(refused);
          }),
      ),
    );
    // Each is settled once dynalite has answered it (the old service: once its socket closed).
    const after = await waitFor('the 8 refused writes to be settled', () => {
      const read = stream.read(100);
      return read.scanned === 8 ? read : undefined;
    });

    // Assess: nothing to deliver (the old service settled on the socket's close, as if answered 200).
    expect(after.changes).toEqual([]);
    expect(after.scanned).toBe(8);
  });
});
