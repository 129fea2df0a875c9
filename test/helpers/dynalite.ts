import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS, type TableKey } from '../../core/config/names';
import { ensureTables } from '../../core/dynamo/tables';

/**
 * dynalite in-process for integration tests: an in-memory DynamoDB on
 * 127.0.0.1 with a free port, tables created instantly, unique table names
 * per call so test files can run in parallel (each file gets its own server
 * anyway, since vitest runs files in separate forks).
 */

interface DynaliteOptions {
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
  readonly path?: string;
}

// dynalite is CommonJS without type declarations: load it through require with the one signature we use.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;

export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  /** Physical table names of this instance, unique per call. */
  readonly tables: Readonly<Record<TableKey, string>>;
  stop(): Promise<void>;
}

export interface StartDynaliteOptions {
  /** Prefix of the table names (default: a random one), e.g. the test file's name. */
  readonly prefix?: string;
}

/** Starts dynalite on 127.0.0.1:0, creates paysaga's tables and returns clients pointed at it. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const prefix = options.prefix ?? `t${randomUUID().slice(0, 8)}`;
  const tables = Object.fromEntries(TABLE_KEYS.map((key) => [key, `${prefix}-${key}`])) as Record<
    TableKey,
    string
  >;
  await ensureTables(client, tables);
  return {
    endpoint,
    client,
    doc,
    tables,
    async stop() {
      client.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
