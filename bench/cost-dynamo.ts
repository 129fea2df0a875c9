/**
 * DynamoDB on-demand request units of the requests the edge counted (test/helpers/dynamo-writes.ts
 * countDynamoRequests, as test/e2e/writes-per-saga.test.ts counts writes), as on-demand bills them:
 * - a write: the units the answer reports (dynalite: the larger of the item before and after, per started
 *   KB, as DynamoDB); a conditional write DynamoDB refused is billed too (1 WRU: our items are < 1 KB);
 * - a read: the units the answer reports (per started 4 KB, half for an eventually consistent read), at
 *   least one unit: dynalite reports 0 for a Query that found nothing, DynamoDB bills its minimum;
 * - an index write: dynalite does not report them, DynamoDB bills them: a successful write changes a
 *   global secondary index (projection ALL, tables.ts) when the item carries the index's keys (the item put,
 *   or as read back after the run) or the update names one of them (setting or removing it); it costs the
 *   item's size per started KB on that index. A key change (delete + put on the index, 2 writes) counts 1.
 * Requests whose answer carries no capacity (asked without ReturnConsumedCapacity) count 1 WRU / 1 or 0.5
 * RRU and are listed as `estimated`.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type CountedRequest,
  describeWrite,
  READ_OPERATIONS,
  WRITE_OPERATIONS,
} from '../test/helpers/dynamo-writes';
import { itemSize } from '../test/helpers/item-size';
import type { DynamoUsage } from './cost-model';

export interface GlobalIndex {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export type Item = Record<string, unknown>;

export interface DynamoUnits extends DynamoUsage {
  /** Requests priced without a capacity figure from the answer. */
  readonly estimated: number;
  /** Index write units by table and index name (`payments.gsi1`). */
  readonly indexWrites: Readonly<Record<string, number>>;
  /** One line per request: what it was and what it was billed, for `--json` readers. */
  readonly listing: readonly string[];
}

/** Attribute names an update expression sets or removes (placeholders resolved). */
export function namesUpdated(body: CountedRequest['body']): Set<string> {
  const expression = body.UpdateExpression ?? '';
  const names = new Set<string>();
  for (const token of expression.match(/[#:]?[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    if (token.startsWith(':')) continue;
    names.add(token.startsWith('#') ? (body.ExpressionAttributeNames?.[token] ?? token) : token);
  }
  return names;
}

const hasKeys = (item: Item | undefined, index: GlobalIndex): boolean =>
  item !== undefined && item[index.partitionKey] !== undefined && item[index.sortKey] !== undefined;

/** Started KB of an item (at least 1). */
const writeUnitsOf = (item: Item | undefined): number => Math.max(1, Math.ceil(itemSize(item ?? {}) / 1024));

/**
 * The units of `requests`. `indexesOf` names a table's global indexes; `itemAfter` answers a written
 * item as read back after the run (undefined if gone).
 */
export function dynamoUnitsOf(
  requests: readonly CountedRequest[],
  indexesOf: (table: string) => readonly GlobalIndex[],
  itemAfter: (request: CountedRequest) => Item | undefined,
): DynamoUnits {
  const byOperation: Record<string, number> = {};
  const indexWrites: Record<string, number> = {};
  let writeUnits = 0;
  let readUnits = 0;
  let indexWriteUnits = 0;
  let refusedWrites = 0;
  let estimated = 0;
  const listing: string[] = [];
  for (const request of requests) {
    byOperation[request.operation] = (byOperation[request.operation] ?? 0) + 1;
    const line = `${describeWrite(request)} -> ${request.errorType ?? request.status}`;
    const ok = request.status === 200;
    if (WRITE_OPERATIONS.includes(request.operation)) {
      if (request.errorType === 'ConditionalCheckFailedException') {
        refusedWrites += 1;
        writeUnits += 1;
        listing.push(`${line}, 1 WRU (refused)`);
        continue;
      }
      if (!ok) {
        listing.push(line);
        continue;
      }
      if (request.capacityUnits === undefined) estimated += 1;
      writeUnits += request.capacityUnits ?? 1;
      const put = request.body.Item ? (unmarshall(request.body.Item as never) as Item) : undefined;
      const after = put ?? itemAfter(request);
      const updated = namesUpdated(request.body);
      const onIndexes: string[] = [];
      for (const index of indexesOf(request.table)) {
        if (!hasKeys(after, index) && !updated.has(index.partitionKey) && !updated.has(index.sortKey))
          continue;
        const units = writeUnitsOf(after);
        indexWriteUnits += units;
        const name = `${request.table}.${index.name}`;
        indexWrites[name] = (indexWrites[name] ?? 0) + units;
        onIndexes.push(`${index.name} ${units}`);
      }
      listing.push(
        `${line}, ${request.capacityUnits ?? '~1'} WRU${onIndexes.length ? ` + ${onIndexes.join(', ')}` : ''}`,
      );
    } else if (READ_OPERATIONS.includes(request.operation) && ok) {
      if (request.capacityUnits === undefined) estimated += 1;
      // A read is billed at least one 4 KB unit (half eventually consistent), a Query that found nothing too.
      const minimum = request.body.ConsistentRead ? 1 : 0.5;
      const units = Math.max(request.capacityUnits ?? minimum, minimum);
      readUnits += units;
      listing.push(`${line}, ${units} RRU`);
    } else listing.push(line);
  }
  return {
    requests: byOperation,
    refusedWrites,
    writeUnits,
    indexWriteUnits,
    readUnits,
    estimated,
    indexWrites,
    listing,
  };
}
