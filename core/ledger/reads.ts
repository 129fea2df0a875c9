import { GetCommand, QueryCommand, type QueryCommandInput } from '../aws/dynamodb';
import { depositRef, ENTRY_SK_PREFIX, journalPk, refundPartKey, refundPartRef, walletKey } from './keys';
import { type Hold, type JournalEntry, JournalEntrySchema, type Wallet } from './model';
import { holdFromEntries } from './rebuild';
import { parseWallet } from './store-item';
import type { LedgerDocumentClient } from './store-journal';

/**
 * The ledger's point reads (a wallet, a payment's hold and journal entries) as
 * functions over the table, so a bundle that needs only these (the console's
 * act function) holds only these (a class's methods cannot be tree-shaken);
 * LedgerReader (reader.ts) answers the same through its methods, with the
 * statement, period, sweep and snapshot queries.
 */

/** The ledger table and the client that reads it. */
export interface LedgerTable {
  readonly doc: LedgerDocumentClient;
  readonly tableName: string;
}

/** A query of journal entries: the table's own key, or one of its indexes. */
export interface EntryQuery {
  readonly index?: string;
  readonly condition: string;
  readonly values: Record<string, unknown>;
}

type Key = QueryCommandInput['ExclusiveStartKey'];

/** The wallet item: balances and the holds open now (closed holds: holdOf, LedgerReader.statement). */
export async function walletOf(table: LedgerTable, walletId: string): Promise<Wallet | undefined> {
  const { Item } = await table.doc.send(
    new GetCommand({ TableName: table.tableName, Key: walletKey(walletId), ConsistentRead: true }),
  );
  return Item ? parseWallet(Item) : undefined;
}

/** A payment's hold wherever it is: open (or being closed) on the wallet, else rebuilt from the journal. */
export async function holdOf(
  table: LedgerTable,
  walletId: string,
  paymentId: string,
): Promise<Hold | undefined> {
  const marker = (await walletOf(table, walletId))?.holds[paymentId];
  if (marker) return marker;
  return holdFromEntries(
    (await paymentEntries(table, paymentId)).filter((entry) => entry.walletId === walletId),
  );
}

/**
 * A payment's journal entries (reserve, settle, release|expire, refund), in operation order, then the
 * refund saga's refund_part entry of each of `refundIds` that has one (their ref is
 * `refund:<paymentId>:<refundId>`, another journal partition: the refundIds come from the payment
 * item's reservations or the refund records).
 */
export async function paymentEntries(
  table: LedgerTable,
  paymentId: string,
  refundIds: readonly string[] = [],
): Promise<JournalEntry[]> {
  const [own, ...refunds] = await Promise.all([
    collect(refEntries(table, paymentId)),
    ...[...new Set(refundIds)].map((refundId) =>
      collect(refEntries(table, refundPartRef(refundPartKey(paymentId, refundId)))),
    ),
  ]);
  return [...(own ?? []), ...refunds.flat()];
}

/** The journal entries of one deposit (at most one). */
export function depositEntries(table: LedgerTable, depositId: string): Promise<JournalEntry[]> {
  return collect(refEntries(table, depositRef(depositId)));
}

/** The journal entries of one ref (its journal partition), consistent. */
export function refEntries(table: LedgerTable, ref: string): AsyncGenerator<JournalEntry> {
  return queryEntries(table, {
    condition: 'pk = :pk AND begins_with(sk, :op)',
    values: { ':pk': journalPk(ref), ':op': ENTRY_SK_PREFIX },
  });
}

/** The journal entries a query finds, page by page (consistent on the table, eventually on an index). */
export async function* queryEntries(
  table: LedgerTable,
  query: EntryQuery,
  pageSize = 100,
): AsyncGenerator<JournalEntry> {
  let ExclusiveStartKey: Key;
  do {
    const page = await table.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        ...(query.index ? { IndexName: query.index } : { ConsistentRead: true }),
        KeyConditionExpression: query.condition,
        ExpressionAttributeValues: query.values,
        Limit: pageSize,
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) yield JournalEntrySchema.parse(item);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
