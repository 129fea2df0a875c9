import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import {
  DeleteCommand,
  DynamoDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '../core/aws/dynamodb';
import { TABLE_KEYS, type TableKey } from '../core/config/names';
import { ensureTables } from '../core/dynamo/tables';
import { Ledger, type LedgerDocumentClient, walletKey } from '../core/ledger';
import { itemSize } from '../test/helpers/item-size';
import { percentile } from './measure';

/**
 * One wallet, many payments (issue 14): the saga's ledger operations of each
 * payment (Reserve, then Settle) on one wallet in dynalite, `concurrency` at a
 * time. Per payment: the write capacity units DynamoDB reports
 * (ReturnConsumedCapacity on every write) and the latency of reserve+settle;
 * compared for the first and the last 500 payments, with the wallet item's
 * size. Before issue 14 the item grew by a hold per payment: units and latency
 * grew with it and the 2,281st payment failed at 400 KB.
 */

export interface Window {
  readonly payments: number;
  readonly wcuPerPayment: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface LongWalletResult {
  readonly payments: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly first: Window;
  readonly last: Window;
  readonly itemBytesAfterFirst: number;
  readonly itemBytesAtEnd: number;
}

const WINDOW = 500;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const isWrite = (command: unknown) =>
  command instanceof PutCommand || command instanceof UpdateCommand || command instanceof DeleteCommand;

/** A document client that asks DynamoDB for the capacity every write consumed and adds it to `meter.units`. */
function metered(doc: LedgerDocumentClient, meter: { units: number }): LedgerDocumentClient {
  const send = async (command: unknown) => {
    if (isWrite(command)) {
      (command as { input: { ReturnConsumedCapacity?: string } }).input.ReturnConsumedCapacity = 'TOTAL';
    }
    // A refused conditional write consumes units too; dynalite reports none on an error, so they are not counted.
    const output = (await (doc.send as (c: unknown) => Promise<unknown>)(command)) as {
      ConsumedCapacity?: { CapacityUnits?: number };
    };
    meter.units += output.ConsumedCapacity?.CapacityUnits ?? 0;
    return output;
  };
  return { send } as LedgerDocumentClient;
}

function windowOf(latencies: readonly number[], units: readonly number[]): Window {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    payments: latencies.length,
    wcuPerPayment: round(units.reduce((sum, u) => sum + u, 0) / Math.max(1, units.length), 2),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
  };
}

export async function longWalletBench(
  payments: number,
  concurrency: number,
  say: (line: string) => void,
): Promise<LongWalletResult> {
  const server: Server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const doc = new DynamoDocumentClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const tables = Object.fromEntries(TABLE_KEYS.map((key) => [key, `long-wallet-${key}`])) as Record<
    TableKey,
    string
  >;
  try {
    await ensureTables(client, tables);
    const ledgerOf = (d: LedgerDocumentClient) => new Ledger({ doc: d, tableName: tables.ledger });
    const walletId = 'wal_long';
    await ledgerOf(doc).openWallet(walletId, 'EUR');
    await ledgerOf(doc).deposit(walletId, payments * 100, 'dep-long');
    const itemBytes = async () => {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tables.ledger, Key: walletKey(walletId), ConsistentRead: true }),
      );
      return Item ? itemSize(Item) : 0;
    };
    const latencies: number[] = new Array(payments);
    const units: number[] = new Array(payments);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    let started = 0;
    let itemBytesAfterFirst = 0;
    const begin = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started < payments) {
          const i = started++;
          const meter = { units: 0 };
          const ledger = ledgerOf(metered(doc, meter));
          const paymentId = `pay_${String(i).padStart(6, '0')}`;
          const t0 = performance.now();
          await ledger.reserve({ paymentId, walletId, amount: 100, expiresAt });
          await ledger.settle({ paymentId, walletId, merchantId: 'mer_bench', amount: 100 });
          latencies[i] = performance.now() - t0;
          units[i] = meter.units;
          if (i === WINDOW - 1) itemBytesAfterFirst = await itemBytes();
          if ((i + 1) % 1_000 === 0) say(`  ${i + 1} payments`);
        }
      }),
    );
    const seconds = round((performance.now() - begin) / 1000, 1);
    return {
      payments,
      concurrency,
      seconds,
      first: windowOf(latencies.slice(0, WINDOW), units.slice(0, WINDOW)),
      last: windowOf(latencies.slice(-WINDOW), units.slice(-WINDOW)),
      itemBytesAfterFirst,
      itemBytesAtEnd: await itemBytes(),
    };
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
