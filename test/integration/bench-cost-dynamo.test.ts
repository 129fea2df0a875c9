import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoUnitsOf, type GlobalIndex, type Item } from '../../bench/cost-dynamo';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '../../core/aws/dynamodb';
import { TABLE_DEFINITIONS } from '../../core/dynamo/tables';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';
import { countDynamoRequests, READ_OPERATIONS, WRITE_OPERATIONS } from '../helpers/dynamo-writes';

/**
 * Issue 18 goal 4: `npm run bench:cost` counts DynamoDB requests at the edge (the writes-per-saga counter,
 * reads included) and bills them as on-demand does: the capacity the answer reports, a refused conditional
 * write (billed, though it throws), each global index a write changes (dynalite reports none), and a Query
 * that found nothing (dynalite says 0 units, DynamoDB bills its minimum). Before, the bench read capacity off
 * the handlers' client: a refused write was never counted and index writes were not priced.
 */
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

const TOTAL = { ReturnConsumedCapacity: 'TOTAL' } as const;

describe('bench:cost DynamoDB units, counted at the edge (issue 18 goal 4)', () => {
  it('bills writes by item size, refused writes, index writes and the minimum of a read', async () => {
    // Prepare: a ledger item of ~1.5 KB carrying the keys of gsi1, gsi2 and gsi3 (projection ALL).
    const table = dynamo.tables.ledger;
    const id = `WALLET#wal_${crypto.randomUUID().slice(0, 12)}`;
    const key = { pk: id, sk: 'WALLET' };
    const item = {
      ...key,
      ...{ gsi1pk: 'DAY#1', gsi1sk: id, gsi2pk: id, gsi2sk: '1', gsi3pk: 'EXPIRY#1', gsi3sk: id },
      padding: 'x'.repeat(1500),
    };
    const counter = countDynamoRequests(dynamo.endpoint, [...WRITE_OPERATIONS, ...READ_OPERATIONS]);

    // Act
    counter.start();
    await dynamo.doc.send(new PutCommand({ TableName: table, Item: item, ...TOTAL }));
    const refused = await dynamo.doc
      .send(
        new PutCommand({
          TableName: table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
          ...TOTAL,
        }),
      )
      .catch((error: unknown) => error);
    await dynamo.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'REMOVE #g3pk, #g3sk',
        ExpressionAttributeNames: { '#g3pk': 'gsi3pk', '#g3sk': 'gsi3sk' },
        ...TOTAL,
      }),
    );
    await dynamo.doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true, ...TOTAL }));
    await dynamo.doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `${id}-none` },
        ...TOTAL,
      }),
    );
    counter.stop();
    const after = (await dynamo.doc.send(new GetCommand({ TableName: table, Key: key }))).Item as Item;
    const indexes: readonly GlobalIndex[] = TABLE_DEFINITIONS.ledger.globalIndexes;
    const units = dynamoUnitsOf(
      counter.requests,
      (t) => (t === table ? indexes : []),
      () => after,
    );

    // Assess
    expect((refused as Error).name).toBe('ConditionalCheckFailedException');
    expect(counter.requests.map((r) => [r.operation, r.status, r.capacityUnits])).toEqual([
      ['PutItem', 200, 2],
      ['PutItem', 400, undefined],
      ['UpdateItem', 200, 2],
      ['GetItem', 200, 1],
      ['Query', 200, 0],
    ]);
    expect(units).toMatchObject({
      requests: { PutItem: 2, UpdateItem: 1, GetItem: 1, Query: 1 },
      refusedWrites: 1,
      // 2 (the put) + 1 (the refused put) + 2 (the update: the larger of before and after).
      writeUnits: 5,
      // The put: gsi1, gsi2, gsi3 (2 KB each); the update: gsi1 and gsi2 rewritten, gsi3 removed.
      indexWrites: { [`${table}.gsi1`]: 4, [`${table}.gsi2`]: 4, [`${table}.gsi3`]: 4 },
      indexWriteUnits: 12,
      // The consistent get (1) and the empty Query's minimum (0.5: eventually consistent).
      readUnits: 1.5,
      estimated: 0,
    });
  });
});
