import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { inFlightRequests } from '../local/dynamodb/in-flight';
import { type LevelResult, measureLevel } from './measure';

export type ConditionalWrite = 'put-if-absent' | 'update-if-version';

/** How long closing the bench's store waits for requests dynalite has not answered yet. */
const CLOSE_DRAIN_MS = 10_000;

export interface BenchTable {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * Destroys the client, waits for every request dynalite received to be answered, then closes the
   * store: a request still being applied when LevelDB closed threw "Database is closed" from dynalite
   * and took the bench down (issue 18; a failed run's finally closed the store under the others).
   */
  close(): Promise<void>;
}

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
  const tableName = 'bench';
  const close = async () => {
    client.destroy();
    const drained = await inFlight.drain(CLOSE_DRAIN_MS);
    if (drained) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (path) rmSync(path, { recursive: true, force: true });
    if (!drained)
      throw new Error(`dynalite still had ${inFlight.count} requests unanswered after ${CLOSE_DRAIN_MS} ms`);
  };
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    // CreateTable answers CREATING; until dynalite has stored the table ACTIVE (later under load, on
    // disk) a write is refused with ResourceNotFoundException, which once failed a run mid-row.
    await waitUntilTableExists(
      { client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { TableName: tableName },
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { client, doc: DynamoDBDocumentClient.from(client), tableName, close };
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
  storage: 'memory' | 'disk',
): Promise<LevelResult> {
  const { doc, tableName: TableName, close } = await openBenchTable(storage);
  try {
    const versions = new Array<number>(concurrency).fill(0);
    if (kind === 'update-if-version') {
      await Promise.all(
        versions.map((_, w) =>
          doc.send(
            new PutCommand({ TableName, Item: { pk: `w${w}`, sk: 'WALLET', version: 0, available: 0 } }),
          ),
        ),
      );
    }
    let serial = 0;
    return await measureLevel(concurrency, writes, async (worker) => {
      if (kind === 'put-if-absent') {
        await doc.send(
          new PutCommand({
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
          }),
        );
      } else {
        const version = versions[worker] as number;
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: { pk: `w${worker}`, sk: 'WALLET' },
            UpdateExpression: 'SET version = :next, available = available + :amount',
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':next': version + 1, ':version': version, ':amount': 1 },
          }),
        );
        versions[worker] = version + 1;
      }
    });
  } finally {
    await close();
  }
}
