import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as sdk from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDocumentClient,
  type DynamoMiddleware,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '../../core/aws/dynamodb';
import { isConditionFailure, refusedItem } from '../../core/dynamo/condition';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

// The lean document client (core/aws/dynamodb.ts) against dynalite, every command and option paysaga
// uses, answered as @aws-sdk/lib-dynamodb answers them; then against tiny servers for what dynalite
// cannot do (a 500, a refused condition that returns the item).

let dynamo: LocalDynamo;
let lean: DynamoDocumentClient;
let reference: sdk.DynamoDBDocumentClient;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'awsddb' });
  lean = new DynamoDocumentClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials,
    marshallOptions: { removeUndefinedValues: true },
  });
  reference = sdk.DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
});

afterAll(async () => {
  reference?.destroy();
  await dynamo?.stop();
});

const payments = () => dynamo.tables.payments;
const withoutMetadata = (output: object) => {
  const { $metadata: _m, ...rest } = output as Record<string, unknown>;
  return rest;
};

describe('DynamoDocumentClient against dynalite', () => {
  it('puts and gets an item as lib-dynamodb does (numbers, nested maps, lists, sets, binary, null, undefined dropped)', async () => {
    // Prepare
    const pk = `p#${randomUUID()}`;
    const item = {
      pk,
      sk: 'A',
      amount: 1234,
      nested: { list: [1, 'two', { three: true }], gone: undefined, empty: null },
      tags: new Set(['a', 'b']),
      blob: new Uint8Array([0, 1, 254, 255]),
      missing: undefined,
    };

    // Act
    const put = await lean.send(new PutCommand({ TableName: payments(), Item: item }));
    const got = await lean.send(
      new GetCommand({ TableName: payments(), Key: { pk, sk: 'A' }, ConsistentRead: true }),
    );
    const sdkGot = await reference.send(new sdk.GetCommand({ TableName: payments(), Key: { pk, sk: 'A' } }));

    // Assess
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect(got.Item).toEqual(sdkGot.Item);
    expect(got.Item).toEqual({
      pk,
      sk: 'A',
      amount: 1234,
      nested: { list: [1, 'two', { three: true }], empty: null },
      tags: new Set(['a', 'b']),
      blob: new Uint8Array([0, 1, 254, 255]),
    });
  });

  it('answers no Item for a missing key', async () => {
    // Act
    const got = await lean.send(
      new GetCommand({ TableName: payments(), Key: { pk: `p#${randomUUID()}`, sk: 'A' } }),
    );

    // Assess
    expect(got.Item).toBeUndefined();
  });

  it('updates with ReturnValues ALL_NEW and an expression value that is a map', async () => {
    // Prepare
    const pk = `p#${randomUUID()}`;
    await lean.send(new PutCommand({ TableName: payments(), Item: { pk, sk: 'A', n: 1 } }));

    // Act
    const updated = await lean.send(
      new UpdateCommand({
        TableName: payments(),
        Key: { pk, sk: 'A' },
        UpdateExpression: 'SET #n = #n + :one, #m = :m',
        ConditionExpression: '#n = :was',
        ExpressionAttributeNames: { '#n': 'n', '#m': 'm' },
        ExpressionAttributeValues: { ':one': 1, ':was': 1, ':m': { a: [1, 2], skipped: undefined } },
        ReturnValues: 'ALL_NEW',
      }),
    );

    // Assess
    expect(updated.Attributes).toEqual({ pk, sk: 'A', n: 2, m: { a: [1, 2] } });
  });

  it('a refused condition throws ConditionalCheckFailedException by name, recognised by isConditionFailure', async () => {
    // Prepare
    const pk = `p#${randomUUID()}`;
    await lean.send(new PutCommand({ TableName: payments(), Item: { pk, sk: 'A' } }));

    // Act
    const error = await lean
      .send(
        new PutCommand({
          TableName: payments(),
          Item: { pk, sk: 'A', other: 1 },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ConditionalCheckFailedException');
    expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
    expect(isConditionFailure(error)).toBe(true);
  });

  it('other service errors keep their code as name (ResourceNotFoundException, ValidationException)', async () => {
    // Act
    const missing = await lean
      .send(new GetCommand({ TableName: `nope-${randomUUID()}`, Key: { pk: 'x', sk: 'y' } }))
      .catch((e: unknown) => e);
    const invalid = await lean
      .send(new UpdateCommand({ TableName: payments(), Key: { pk: 'x', sk: 'y' }, UpdateExpression: 'SET' }))
      .catch((e: unknown) => e);

    // Assess
    expect((missing as Error).name).toBe('ResourceNotFoundException');
    expect((invalid as Error).name).toBe('ValidationException');
    expect(isConditionFailure(invalid)).toBe(false);
  });

  it('deletes with a condition and returns the old item', async () => {
    // Prepare
    const pk = `p#${randomUUID()}`;
    await lean.send(new PutCommand({ TableName: payments(), Item: { pk, sk: 'A', v: 'x' } }));

    // Act
    const deleted = await lean.send(
      new DeleteCommand({
        TableName: payments(),
        Key: { pk, sk: 'A' },
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'v' },
        ExpressionAttributeValues: { ':v': 'x' },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const after = await lean.send(new GetCommand({ TableName: payments(), Key: { pk, sk: 'A' } }));

    // Assess
    expect(deleted.Attributes).toEqual({ pk, sk: 'A', v: 'x' });
    expect(after.Item).toBeUndefined();
  });

  it('queries page by page (Limit, ExclusiveStartKey / LastEvaluatedKey, ScanIndexForward, ProjectionExpression), as lib-dynamodb', async () => {
    // Prepare
    const pk = `p#${randomUUID()}`;
    for (const sk of ['s1', 's2', 's3', 's4', 's5'])
      await lean.send(
        new PutCommand({ TableName: payments(), Item: { pk, sk, n: Number(sk.slice(1)), x: 'y' } }),
      );
    const query = (start?: Record<string, unknown>) => ({
      TableName: payments(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':pk': pk, ':s': 's' },
      ProjectionExpression: 'sk, n',
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: 2,
      ...(start && { ExclusiveStartKey: start }),
    });

    // Act
    const pages: Record<string, unknown>[][] = [];
    const sdkPages: Record<string, unknown>[][] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await lean.send(new QueryCommand(query(start)));
      const sdkPage = await reference.send(new sdk.QueryCommand(query(start)));
      expect(withoutMetadata(page)).toEqual(withoutMetadata(sdkPage));
      pages.push(page.Items ?? []);
      sdkPages.push(sdkPage.Items ?? []);
      start = page.LastEvaluatedKey;
    } while (start);

    // Assess
    expect(pages.flat().map((item) => item.sk)).toEqual(['s5', 's4', 's3', 's2', 's1']);
    expect(pages.flat()[0]).toEqual({ sk: 's5', n: 5 });
    expect(pages.length).toBe(3);
  });

  it('scans with a filter and counts', async () => {
    // Prepare
    const marker = randomUUID();
    await lean.send(
      new PutCommand({ TableName: dynamo.tables.ledger, Item: { pk: `w#${marker}`, sk: 'W', m: marker } }),
    );

    // Act
    const found: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await lean.send(
        new ScanCommand({
          TableName: dynamo.tables.ledger,
          FilterExpression: 'm = :m',
          ExpressionAttributeValues: { ':m': marker },
          Limit: 50,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      expect(page.Count).toBe(page.Items?.length);
      found.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);

    // Assess
    expect(found).toEqual([{ pk: `w#${marker}`, sk: 'W', m: marker }]);
  });

  it('batch-writes puts and deletes', async () => {
    // Prepare
    const pk = `p#${randomUUID()}`;
    await lean.send(new PutCommand({ TableName: payments(), Item: { pk, sk: 'old' } }));

    // Act
    const result = await lean.send(
      new BatchWriteCommand({
        RequestItems: {
          [payments()]: [
            { PutRequest: { Item: { pk, sk: 'new1', n: 1, u: undefined } } },
            { PutRequest: { Item: { pk, sk: 'new2', n: 2 } } },
            { DeleteRequest: { Key: { pk, sk: 'old' } } },
          ],
        },
      }),
    );
    const page = await lean.send(
      new QueryCommand({
        TableName: payments(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      }),
    );

    // Assess
    expect(Object.values(result.UnprocessedItems ?? {}).flat()).toEqual([]);
    expect(page.Items).toEqual([
      { pk, sk: 'new1', n: 1 },
      { pk, sk: 'new2', n: 2 },
    ]);
  });

  it('runs middlewares around every call, first added outermost, with the low-level command name and the document input', async () => {
    // Prepare
    const client = new DynamoDocumentClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
    const seen: string[] = [];
    const tag =
      (label: string): DynamoMiddleware =>
      (next, context) =>
      async (args) => {
        seen.push(`${label}>${context.commandName}`);
        if (label === 'outer') args.input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        seen.push(`${label}<`);
        return result;
      };
    client.middlewareStack.add(tag('outer'), { step: 'initialize', name: 'outer' });
    client.middlewareStack.add(tag('inner'), { step: 'initialize', name: 'inner' });
    const pk = `p#${randomUUID()}`;

    // Act
    const put = await client.send(new PutCommand({ TableName: payments(), Item: { pk, sk: 'A' } }));
    const low = await client.call('GetItem', {
      TableName: payments(),
      Key: { pk: { S: pk }, sk: { S: 'A' } },
    });

    // Assess
    expect(seen).toEqual([
      'outer>PutItemCommand',
      'inner>PutItemCommand',
      'inner<',
      'outer<',
      'outer>GetItemCommand',
      'inner>GetItemCommand',
      'inner<',
      'outer<',
    ]);
    expect(put.ConsumedCapacity?.CapacityUnits).toBeGreaterThan(0);
    expect(low.Item).toEqual({ pk: { S: pk }, sk: { S: 'A' } });
  });

  it('refuses undefined values without removeUndefinedValues, as lib-dynamodb does', async () => {
    // Prepare
    const strict = new DynamoDocumentClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
    const input = {
      TableName: payments(),
      Item: { pk: `p#${randomUUID()}`, sk: 'A', m: { gone: undefined } },
    };

    // Act
    const leanError = await strict.send(new PutCommand(input)).catch((e: unknown) => e);
    const sdkError = await sdk.DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials }),
    )
      .send(new sdk.PutCommand(input))
      .catch((e: unknown) => e);

    // Assess
    expect(leanError).toBeInstanceOf(Error);
    expect((leanError as Error).message).toBe((sdkError as Error).message);
  });
});

/** A DynamoDB stand-in answering each request with the next of `answers` (status, body). */
async function scriptedServer(answers: { status: number; body: unknown }[]) {
  const requests: { target: string; body: unknown }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        target: String(req.headers['x-amz-target']),
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      const answer = answers.shift() ?? { status: 500, body: { __type: 'InternalServerError' } };
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    requests,
    client: new DynamoDocumentClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials,
      maxAttempts: 3,
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('DynamoDocumentClient against a scripted server', () => {
  it('retries a 500 and answers the next attempt', async () => {
    // Prepare
    const server = await scriptedServer([
      {
        status: 500,
        body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'boom' },
      },
      { status: 200, body: { Item: { pk: { S: 'a' }, n: { N: '7' } } } },
    ]);

    // Act
    const got = await server.client.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } }));
    await server.close();

    // Assess
    expect(got.Item).toEqual({ pk: 'a', n: 7 });
    expect(server.requests.map((r) => r.target)).toEqual([
      'DynamoDB_20120810.GetItem',
      'DynamoDB_20120810.GetItem',
    ]);
    expect(server.requests[0]?.body).toEqual({ TableName: 't', Key: { pk: { S: 'a' } } });
  });

  it('gives up after maxAttempts 500s with the service error', async () => {
    // Prepare
    const failure = { status: 500, body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError' } };
    const server = await scriptedServer([failure, failure, failure, { status: 200, body: {} }]);

    // Act
    const error = await server.client
      .send(new PutCommand({ TableName: 't', Item: { pk: 'a' } }))
      .catch((e: unknown) => e);
    await server.close();

    // Assess
    expect((error as Error).name).toBe('InternalServerError');
    expect(server.requests.length).toBe(3);
  });

  it('does not retry a refused condition, and exposes the refused item unmarshalled (ALL_OLD)', async () => {
    // Prepare
    const server = await scriptedServer([
      {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
          message: 'The conditional request failed',
          Item: { pk: { S: 'a' }, status: { S: 'INPROGRESS' }, expiry: { N: '12' } },
        },
      },
    ]);

    // Act
    const error = await server.client
      .send(
        new PutCommand({
          TableName: 't',
          Item: { pk: 'a' },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((e: unknown) => e);
    await server.close();

    // Assess
    expect(isConditionFailure(error)).toBe(true);
    expect(refusedItem(error)).toEqual({ pk: 'a', status: 'INPROGRESS', expiry: 12 });
    expect((error as Error).message).toBe('The conditional request failed');
    expect(server.requests.length).toBe(1);
  });
});
