import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { PAYMENT_RECORD_TTL_ATTRIBUTE } from '../config/history';
import { IDEMPOTENCY_TABLE, TABLE_KEY_SCHEMA, type TableKey } from '../config/names';
import { PAYMENTS_BY_DAY_INDEX } from './indexes';

/**
 * Key schemas and indexes of paysaga's tables: the one definition stacks/
 * deploys and the local runtime and tests create in dynalite.
 */
export interface TableDefinition {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly ttlAttribute?: string;
  readonly globalIndexes: ReadonlyArray<{
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey: string;
  }>;
}

export { PAYMENTS_BY_DAY_INDEX };

export const TABLE_DEFINITIONS: Readonly<Record<TableKey, TableDefinition>> = {
  ledger: {
    partitionKey: TABLE_KEY_SCHEMA.partitionKey,
    sortKey: TABLE_KEY_SCHEMA.sortKey,
    // gsi1: a day's journal (sharded); gsi2: a wallet's statement; gsi3: wallets by earliest hold expiry (core/ledger/keys.ts).
    globalIndexes: [
      { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
      { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    ],
  },
  payments: {
    partitionKey: TABLE_KEY_SCHEMA.partitionKey,
    sortKey: TABLE_KEY_SCHEMA.sortKey,
    // A settled payment's items, once its history is archived to S3 (core/history/archiver.ts); locally not enforced.
    ttlAttribute: PAYMENT_RECORD_TTL_ATTRIBUTE,
    globalIndexes: [{ name: PAYMENTS_BY_DAY_INDEX, partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  },
  idempotency: {
    partitionKey: IDEMPOTENCY_TABLE.partitionKey,
    ttlAttribute: IDEMPOTENCY_TABLE.ttlAttribute,
    globalIndexes: [],
  },
};

function createTableInput(tableName: string, def: TableDefinition): CreateTableCommandInput {
  const attributeNames = new Set<string>([def.partitionKey]);
  if (def.sortKey) attributeNames.add(def.sortKey);
  for (const index of def.globalIndexes) {
    attributeNames.add(index.partitionKey);
    attributeNames.add(index.sortKey);
  }
  const AttributeDefinitions: AttributeDefinition[] = [...attributeNames].map((AttributeName) => ({
    AttributeName,
    AttributeType: 'S',
  }));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions,
    KeySchema: [
      { AttributeName: def.partitionKey, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey, KeyType: 'RANGE' as const }] : []),
    ],
    ...(def.globalIndexes.length > 0 && {
      GlobalSecondaryIndexes: def.globalIndexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
    }),
  };
}

/** Creates the tables that do not exist yet and waits until they are ACTIVE (local runtime and tests). */
export async function ensureTables(
  client: DynamoDBClient,
  names: Readonly<Record<TableKey, string>>,
): Promise<void> {
  for (const [key, def] of Object.entries(TABLE_DEFINITIONS) as [TableKey, TableDefinition][]) {
    const TableName = names[key];
    try {
      await client.send(new CreateTableCommand(createTableInput(TableName, def)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    for (let attempt = 0; attempt < 100; attempt++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName }));
      if (Table?.TableStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
