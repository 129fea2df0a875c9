import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startDynamoDb } from '../../local/dynamodb/dynamodb-service';

/** The local DynamoDB stops without losing the process to a request still in flight ("Database is closed"). */
describe('Local DynamoDB: close with requests in flight', () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  let edge: Server | undefined;

  afterEach(() => {
    process.off('uncaughtException', onUncaught);
    edge?.close();
  });

  it('answers or refuses every request and throws nothing after close()', async () => {
    // Prepare: the service behind a plain HTTP server, as the edge serves it, and a table.
    process.on('uncaughtException', onUncaught);
    const dynamodb = await startDynamoDb({});
    edge = createServer((request, response) => dynamodb.handleRaw(request, response));
    await new Promise<void>((resolve) => edge?.listen(0, '127.0.0.1', () => resolve()));
    const { port } = edge.address() as AddressInfo;
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const table = `close-${Date.now()}`;
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );

    // Writes to a table still CREATING are refused (as DynamoDB does): wait until it is ACTIVE.
    for (let tries = 0; tries < 100; tries++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
      if (Table?.TableStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Act: 200 writes in flight, and the store closed as soon as the first ones are applied.
    let applied = 0;
    let firstApplied: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      firstApplied = resolve;
    });
    const writes = Array.from({ length: 200 }, (_, i) =>
      client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `item-${i}` } } })).then(
        () => {
          applied += 1;
          if (applied === 5) firstApplied();
          return 'written';
        },
        (error: Error) => error.name,
      ),
    );
    await started;
    await dynamodb.close();
    const outcomes = await Promise.all(writes);
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess: nothing escaped; each write was either applied or refused as the service stopping.
    expect(uncaught).toEqual([]);
    for (const outcome of outcomes) expect(['written', 'ServiceUnavailable']).toContain(outcome);
    expect(outcomes).toContain('written');
  });
});
