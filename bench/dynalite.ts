import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import {
  DynamoDocumentClient,
  PutCommand as LeanPutCommand,
  UpdateCommand as LeanUpdateCommand,
} from '../core/aws/dynamodb';
import { serveInProcess } from '../core/aws/http';
import { startDynamoDb } from '../local/dynamodb/dynamodb-service';
import { inFlightRequests } from '../local/dynamodb/in-flight';
import { startEdge } from '../local/edge/edge-server';
import { inProcessEndpoint } from '../local/edge/in-process';
import { createPkSkTable } from '../test/helpers/dynamo-tables';
import { type LevelResult, measureLevel } from './measure';

export type ConditionalWrite = 'put-if-absent' | 'update-if-version';

/** How long closing the bench's store waits for requests dynalite has not answered yet. */
const CLOSE_DRAIN_MS = 10_000;

/** The two writes the bench makes, in the document client's shape (both clients take the same input). */
export type BenchWrite =
  | { readonly put: ConstructorParameters<typeof PutCommand>[0] }
  | { readonly update: ConstructorParameters<typeof UpdateCommand>[0] };

export interface BenchTable {
  readonly client: DynamoDBClient;
  /** Sends one write through this table's client. */
  readonly write: (write: BenchWrite) => Promise<unknown>;
  readonly tableName: string;
  /**
   * Destroys the client, waits for every request dynalite received to be answered, then closes the
   * store: a request still being applied when LevelDB closed threw "Database is closed" from dynalite
   * and took the bench down (issue 18; a failed run's finally closed the store under the others).
   */
  close(): Promise<void>;
}

const BENCH_TABLE = 'bench';

/** A fresh dynalite (memory, or LevelDB in a temp dir) with one pk/sk table, reached through the SDK. */
export async function openBenchTable(storage: 'memory' | 'disk'): Promise<BenchTable> {
  const path = storage === 'disk' ? mkdtempSync(join(tmpdir(), 'paysaga-bench-dynalite-')) : undefined;
  const server: Server = dynalite({ createTableMs: 0, ...(path && { path }) });
  const inFlight = inFlightRequests();
  server.prependListener('request', (request, response) => inFlight.track(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const tableName = BENCH_TABLE;
  const close = async () => {
    client.destroy();
    const drained = await inFlight.drain(CLOSE_DRAIN_MS);
    if (drained) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (path) rmSync(path, { recursive: true, force: true });
    if (!drained)
      throw new Error(`dynalite still had ${inFlight.count} requests unanswered after ${CLOSE_DRAIN_MS} ms`);
  };
  try {
    await createPkSkTable(client, tableName);
  } catch (error) {
    await close();
    throw error;
  }
  const doc = DynamoDBDocumentClient.from(client);
  return {
    client,
    write: (w) => ('put' in w ? doc.send(new PutCommand(w.put)) : doc.send(new UpdateCommand(w.update))),
    tableName,
    close,
  };
}

/**
 * The store as the local runtime serves it to its handlers: dynalite on its worker thread on disk
 * (local/dynamodb/dynamodb-service.ts) behind an edge, reached in process by the lean document client
 * (core/aws/dynamodb.ts, local/edge/in-process.ts), the path every saga step's write takes.
 */
export async function openRuntimeBenchTable(): Promise<BenchTable> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paysaga-bench-dynamodb-'));
  const dynamo = await startDynamoDb({ dataDir });
  const edge = await startEdge({ port: 0, services: [] });
  edge.addRawService(dynamo);
  const undo = serveInProcess(new URL(edge.endpoint).origin, inProcessEndpoint(edge));
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const client = new DynamoDBClient({ endpoint: edge.endpoint, region: 'us-east-1', credentials });
  const lean = new DynamoDocumentClient({ endpoint: edge.endpoint, region: 'us-east-1', credentials });
  const close = async () => {
    undo();
    client.destroy();
    await dynamo.close();
    await edge.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await createPkSkTable(client, BENCH_TABLE);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    client,
    write: (w) =>
      'put' in w ? lean.send(new LeanPutCommand(w.put)) : lean.send(new LeanUpdateCommand(w.update)),
    tableName: BENCH_TABLE,
    close,
  };
}

/**
 * dynalite's conditional-write rate through the AWS SDK document client (the
 * path every ledger write takes, minus the edge): new items with
 * attribute_not_exists, or a version-checked update of the worker's own item
 * (the wallet write pattern, without contention).
 */
export async function dynaliteLevel(
  concurrency: number,
  writes: number,
  kind: ConditionalWrite,
  storage: 'memory' | 'disk' | 'runtime',
): Promise<LevelResult> {
  const {
    write,
    tableName: TableName,
    close,
  } = storage === 'runtime' ? await openRuntimeBenchTable() : await openBenchTable(storage);
  try {
    const versions = new Array<number>(concurrency).fill(0);
    if (kind === 'update-if-version') {
      await Promise.all(
        versions.map((_, w) =>
          write({ put: { TableName, Item: { pk: `w${w}`, sk: 'WALLET', version: 0, available: 0 } } }),
        ),
      );
    }
    let serial = 0;
    return await measureLevel(concurrency, writes, async (worker) => {
      if (kind === 'put-if-absent') {
        await write({
          put: {
            TableName,
            Item: {
              pk: `JOURNAL#${serial++}`,
              sk: 'OP#reserve',
              lines: [
                { account: 'a', amount: -1250 },
                { account: 'b', amount: 1250 },
              ],
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
      } else {
        const version = versions[worker] as number;
        await write({
          update: {
            TableName,
            Key: { pk: `w${worker}`, sk: 'WALLET' },
            UpdateExpression: 'SET version = :next, available = available + :amount',
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':next': version + 1, ':version': version, ':amount': 1 },
          },
        });
        versions[worker] = version + 1;
      }
    });
  } finally {
    await close();
  }
}
