import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { type LevelResult, measureLevel } from './measure';

export type ConditionalWrite = 'put-if-absent' | 'update-if-version';

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
  const path = storage === 'disk' ? mkdtempSync(join(tmpdir(), 'paysaga-bench-dynalite-')) : undefined;
  const server: Server = dynalite({ createTableMs: 0, ...(path && { path }) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const doc = DynamoDBDocumentClient.from(client);
  const TableName = 'bench';
  try {
    await client.send(
      new CreateTableCommand({
        TableName,
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
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (path) rmSync(path, { recursive: true, force: true });
  }
}
