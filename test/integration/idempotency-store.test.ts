import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDocumentClient } from '../../core/aws/dynamodb';
import { IDEMPOTENCY_TABLE } from '../../core/config/names';
import { LeanDynamoPersistenceLayer } from '../../functions/commons/idempotency-store';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

// functions/commons/idempotency-store.ts against Powertools' own DynamoDBPersistenceLayer (the SDK's client):
// the same scenarios on both, on the same table, compared item by item and answer by answer.

let dynamo: LocalDynamo;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'idem' });
});
afterAll(async () => {
  await dynamo?.stop();
});

type Layer = BasePersistenceLayer;
const attributes = { keyAttr: IDEMPOTENCY_TABLE.partitionKey, expiryAttr: IDEMPOTENCY_TABLE.ttlAttribute };

function layers(
  endpoint = dynamo.endpoint,
  table = dynamo.tables.idempotency,
): Record<'sdk' | 'lean', Layer> {
  const config = { endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
  const run = randomUUID().slice(0, 8);
  const make = {
    sdk: new DynamoDBPersistenceLayer({
      tableName: table,
      ...attributes,
      awsSdkV3Client: new DynamoDBClient(config),
    }),
    lean: new LeanDynamoPersistenceLayer({
      tableName: table,
      ...attributes,
      client: new DynamoDocumentClient(config),
    }),
  };
  for (const [name, layer] of Object.entries(make)) {
    layer.configure({
      config: new IdempotencyConfig({
        eventKeyJmesPath: 'paymentId',
        payloadValidationJmesPath: 'amount',
        expiresAfterSeconds: 3600,
      }),
      keyPrefix: `paysaga.${name}-${run}`,
    });
  }
  return make;
}

/** The stored item, its key's prefix and its timestamps normalised so that the two layers' items compare. */
async function storedItem(layer: Layer, data: object) {
  const key = (layer as unknown as { getHashedIdempotencyKey(d: object): string }).getHashedIdempotencyKey(
    data,
  );
  const sdk = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  const { Item } = await sdk.send(
    new GetItemCommand({
      TableName: dynamo.tables.idempotency,
      Key: { id: { S: key } },
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  const item = unmarshall(Item);
  return {
    ...item,
    id: String(item.id).replace(/^paysaga\.[a-z]+-/, 'paysaga.'),
    expiration: Math.round(Number(item.expiration) / 10),
    ...(item.in_progress_expiration !== undefined && {
      in_progress_expiration: Math.round(Number(item.in_progress_expiration) / 10_000),
    }),
  };
}

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({
      ok: false,
      error: (error as Error).name,
      existing: (error as IdempotencyItemAlreadyExistsError).existingRecord?.getStatus(),
    }),
  );

describe('LeanDynamoPersistenceLayer, scenario by scenario against DynamoDBPersistenceLayer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('in progress, refused while locked, completed, replayed, refused again, deleted', async () => {
    // Prepare
    const both = layers();
    const data = { paymentId: `pay_${randomUUID()}`, amount: 500 };
    const results: Record<string, unknown[]> = { sdk: [], lean: [] };

    // Both layers run at the same instant (only Date is faked: sockets and timers run), so their
    // expiries compare exactly instead of across a second boundary now and then
    const instant = new Date();
    vi.useFakeTimers({ toFake: ['Date'] });

    // Act
    for (const [name, layer] of Object.entries(both)) {
      vi.setSystemTime(instant);
      const steps = results[name] as unknown[];
      steps.push(await outcome(layer.saveInProgress(data, 60_000)));
      steps.push(await storedItem(layer, data));
      steps.push(await outcome(layer.saveInProgress(data, 60_000)));
      steps.push(
        await outcome(layer.saveSuccess(data, { charged: true, chargeId: 'ch_1', nested: { n: 1 } })),
      );
      steps.push(await storedItem(layer, data));
      const record = await layer.getRecord(data);
      steps.push({
        status: record.getStatus(),
        response: record.getResponse(),
        payloadHash: record.payloadHash,
        inProgress: record.inProgressExpiryTimestamp !== undefined,
      });
      steps.push(await outcome(layer.saveInProgress(data, 60_000)));
      steps.push(await outcome(layer.getRecord({ ...data, amount: 999 })));
      steps.push(await outcome(layer.deleteRecord(data)));
      steps.push(await outcome(layer.getRecord(data)));
      steps.push(await storedItem(layer, data));
    }

    vi.useRealTimers();

    // Assess
    expect(results.lean).toEqual(results.sdk);
    expect(results.lean?.[2]).toMatchObject({ ok: false, error: IdempotencyItemAlreadyExistsError.name });
    expect(results.lean?.[4]).toMatchObject({ status: 'COMPLETED' });
    expect(results.lean?.[7]).toMatchObject({ ok: false, error: 'IdempotencyValidationError' });
    expect(results.lean?.[9]).toMatchObject({ ok: false, error: new IdempotencyItemNotFoundError().name });
    expect(results.lean?.[10]).toBeUndefined();
  });

  it('takes over a record left in progress once its in-progress expiry has passed, and not before', async () => {
    // Prepare
    const both = layers();
    const results: Record<string, unknown[]> = { sdk: [], lean: [] };

    // Act
    for (const [name, layer] of Object.entries(both)) {
      const steps = results[name] as unknown[];
      const dead = { paymentId: `pay_${randomUUID()}`, amount: 1 };
      const alive = { paymentId: `pay_${randomUUID()}`, amount: 1 };
      await layer.saveInProgress(dead, 1);
      await layer.saveInProgress(alive, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      steps.push(await outcome(layer.saveInProgress(dead, 60_000)));
      steps.push(await outcome(layer.saveInProgress(alive, 60_000)));
    }

    // Assess
    expect(results.lean).toEqual(results.sdk);
    expect(results.lean).toEqual([
      { ok: true, value: undefined },
      { ok: false, error: IdempotencyItemAlreadyExistsError.name, existing: undefined },
    ]);
  });

  it('carries the refused record when DynamoDB returns it (ReturnValuesOnConditionCheckFailure), as the SDK layer does', async () => {
    // Prepare: dynalite never returns the item, so a stand-in answers the conditional put with it.
    const existing = {
      id: { S: 'paysaga.x#abc' },
      status: { S: 'COMPLETED' },
      expiration: { N: '9999999999' },
      data: { M: { charged: { BOOL: true } } },
      validation: { S: 'hash' },
    };
    const bodies: unknown[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
            message: 'The conditional request failed',
            Item: existing,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const both = layers(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'idem');
    const data = { paymentId: 'pay_same', amount: 1 };

    // Act
    const errors: Record<string, IdempotencyItemAlreadyExistsError> = {};
    for (const [name, layer] of Object.entries(both)) {
      errors[name] = (await layer
        .saveInProgress(data, 60_000)
        .catch((e: unknown) => e)) as IdempotencyItemAlreadyExistsError;
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));

    // Assess
    const record = (e: IdempotencyItemAlreadyExistsError | undefined) => ({
      name: e?.name,
      key: e?.existingRecord?.idempotencyKey,
      status: e?.existingRecord?.getStatus(),
      response: e?.existingRecord?.getResponse(),
      payloadHash: e?.existingRecord?.payloadHash,
    });
    expect(record(errors.lean)).toEqual(record(errors.sdk));
    expect(record(errors.lean)).toMatchObject({
      name: 'IdempotencyItemAlreadyExistsError',
      status: 'COMPLETED',
    });
    // The same request on the wire, the key's prefix and the clock aside.
    const strip = (body: unknown) =>
      JSON.parse(
        JSON.stringify(body)
          .replace(/paysaga\.[a-z]+-[0-9a-f]+/g, 'P')
          .replace(/"N":"[0-9.]+"/g, '"N":"t"'),
      ) as unknown;
    expect(strip(bodies[1])).toEqual(strip(bodies[0]));
  });
});
