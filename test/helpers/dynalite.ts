import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DocumentClient,
  DynamoDocumentClient,
  PutCommand,
  UpdateCommand,
} from '../../core/aws/dynamodb';
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
  readonly doc: DynamoDocumentClient;
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
    // A loaded CI machine can reset a loopback connection; the SDK retries that like any transient error.
    maxAttempts: 3,
  });
  // The lean document client the functions bundle (core/aws/dynamodb.ts); `client` (the SDK's) creates the tables.
  const doc = new DynamoDocumentClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
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

/** Thrown by a crashing client: the process "died" around a write. */
export class InjectedCrashError extends Error {
  override readonly name = 'InjectedCrashError';
}

export type CrashMoment = 'before' | 'after';

const isWrite = (command: unknown): boolean =>
  command instanceof PutCommand ||
  command instanceof UpdateCommand ||
  command instanceof DeleteCommand ||
  command instanceof BatchWriteCommand;

/**
 * Wraps a document client so its `crashAt`-th write (1-based) fails: 'before'
 * the write reaches the store, or 'after' it was applied (the reply is lost).
 * `writes` counts the writes attempted so far; crashAt 0 never crashes.
 */
export function crashingClient(
  doc: DocumentClient,
  crashAt: number,
  moment: CrashMoment,
): { client: DocumentClient; readonly writes: number } {
  let writes = 0;
  const send = async (command: unknown) => {
    const forward = () => (doc.send as (c: unknown) => Promise<unknown>)(command);
    if (!isWrite(command)) return forward();
    writes += 1;
    if (writes !== crashAt) return forward();
    // The write reached the store (applied or refused by its condition); its reply is what gets lost.
    if (moment === 'after') await forward().catch(() => undefined);
    throw new InjectedCrashError(`injected crash ${moment} write ${crashAt}`);
  };
  return {
    client: { send } as unknown as DocumentClient,
    get writes() {
      return writes;
    },
  };
}
