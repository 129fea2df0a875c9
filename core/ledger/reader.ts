import '../config/zod-locale';
import * as z from 'zod/mini';
import { GetCommand, QueryCommand, type QueryCommandInput, ScanCommand } from '../aws/dynamodb';
import { daysBetween } from '../days';
import { mergeByKey } from '../dynamo/shards';
import { InvalidPaymentError } from '../errors';
import type { LedgerSnapshot } from './invariants';
import {
  depositRef,
  ENTRY_SK_PREFIX,
  HOLD_EXPIRY_INDEX,
  holdExpiryPks,
  journalDayPks,
  journalPk,
  LEDGER_INDEX,
  refundPartKey,
  refundPartRef,
  WALLET_JOURNAL_INDEX,
  walletJournalPk,
  walletKey,
} from './keys';
import { type Hold, type JournalEntry, JournalEntrySchema, type Wallet } from './model';
import { availableEffectOf } from './postings';
import { holdFromEntries } from './rebuild';
import type { Statement, StatementLine } from './results';
import { type LedgerDocumentClient, parseWallet } from './store';

type Key = QueryCommandInput['ExclusiveStartKey'];
interface EntryQuery {
  readonly index?: string;
  readonly condition: string;
  readonly values: Record<string, unknown>;
}

export interface StatementOptions {
  /** Inclusive bounds on effectiveAt (ISO-8601 instants). */
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly cursor?: string;
}

const StatementOptionsSchema = z.object({
  from: z.optional(z.iso.datetime()),
  to: z.optional(z.iso.datetime()),
  limit: z.int().check(z.gte(1), z.lte(1_000)),
  cursor: z.optional(z.string().check(z.maxLength(2_048))),
});
const CursorSchema = z.object({ pk: z.string(), sk: z.string(), gsi2pk: z.string(), gsi2sk: z.string() });

/** Read side of the ledger for statements, reconciliation, finance and tests; pages instead of loading everything. */
export class LedgerReader {
  constructor(
    private readonly doc: LedgerDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The wallet item: balances and the holds open now (closed holds: holdOf, statement). */
  async getWallet(walletId: string): Promise<Wallet | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: walletKey(walletId), ConsistentRead: true }),
    );
    return Item ? parseWallet(Item) : undefined;
  }

  /** A payment's hold wherever it is: open (or being closed) on the wallet, else rebuilt from the journal. */
  async holdOf(walletId: string, paymentId: string): Promise<Hold | undefined> {
    const marker = (await this.getWallet(walletId))?.holds[paymentId];
    if (marker) return marker;
    return holdFromEntries(
      (await this.listPaymentEntries(paymentId)).filter((entry) => entry.walletId === walletId),
    );
  }

  /**
   * A payment's journal entries (reserve, settle, release|expire, refund), in operation order, then the
   * refund saga's refund_part entry of each of `refundIds` that has one (their ref is
   * `refund:<paymentId>:<refundId>`, another journal partition: the refundIds come from the payment
   * item's reservations or the refund records).
   */
  async listPaymentEntries(paymentId: string, refundIds: readonly string[] = []): Promise<JournalEntry[]> {
    const [own, ...refunds] = await Promise.all([
      this.collect(this.refEntries(paymentId)),
      ...[...new Set(refundIds)].map((refundId) =>
        this.collect(this.refEntries(refundPartRef(refundPartKey(paymentId, refundId)))),
      ),
    ]);
    return [...(own ?? []), ...refunds.flat()];
  }

  /** The journal entries of one deposit (at most one). */
  async listDepositEntries(depositId: string): Promise<JournalEntry[]> {
    return this.collect(this.refEntries(depositRef(depositId)));
  }

  /**
   * Journal entries effective on each UTC day from `fromDay` to `toDay`
   * (yyyy-mm-dd, inclusive), page by page, in effectiveAt order: the day's
   * shards (keys.ts) are merged, one page of each in memory.
   */
  async *entriesInPeriod(fromDay: string, toDay: string, pageSize = 100): AsyncGenerator<JournalEntry> {
    for (const day of daysBetween(fromDay, toDay)) {
      const shards = journalDayPks(day).map((pk) =>
        this.queryEntries(
          { index: LEDGER_INDEX, condition: 'gsi1pk = :pk', values: { ':pk': pk } },
          pageSize,
        ),
      );
      yield* mergeByKey(shards, (entry) => `${entry.effectiveAt}#${entry.entryId}`);
    }
  }

  /**
   * A wallet's statement, newest first, one page of at most `limit` lines:
   * each journal entry with its signed effect on the available balance and
   * the exact available balance after it (recorded by the write itself).
   * Entries written before the ledger kept sequence numbers are not listed.
   */
  async statement(walletId: string, options: StatementOptions): Promise<Statement> {
    const parsed = StatementOptionsSchema.safeParse(options);
    if (!parsed.success) throw new InvalidPaymentError(`statement: ${z.prettifyError(parsed.error)}`);
    const { from, to, limit, cursor } = parsed.data;
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: WALLET_JOURNAL_INDEX,
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': walletJournalPk(walletId),
          ':from': from ? new Date(from).toISOString() : '0',
          ':to': to ? `${new Date(to).toISOString()}#~` : '~',
        },
        ScanIndexForward: false,
        Limit: limit,
        ...(cursor && { ExclusiveStartKey: decodeCursor(cursor, walletId) }),
      }),
    );
    const lines = (page.Items ?? []).map((item) => lineOf(JournalEntrySchema.parse(item)));
    return {
      lines,
      ...(page.LastEvaluatedKey && { nextCursor: encodeCursor(page.LastEvaluatedKey) }),
    };
  }

  /**
   * Wallets that may have an open hold expiring before `instant`, from the
   * sparse expiry index (never a scan of every wallet). The index keeps a
   * lower bound: a wallet listed may turn out to have nothing to expire
   * (expireHolds then resets its entry).
   */
  async *walletsWithHoldsExpiringBefore(instant: Date, pageSize = 100): AsyncGenerator<string> {
    for (const pk of holdExpiryPks()) {
      let ExclusiveStartKey: Key;
      do {
        const page = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: HOLD_EXPIRY_INDEX,
            KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
            ExpressionAttributeValues: { ':pk': pk, ':before': instant.toISOString() },
            ProjectionExpression: 'walletId',
            Limit: pageSize,
            ExclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) yield String(item.walletId);
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
  }

  /** Every wallet id, paging a scan (test- and sweep-sized ledgers; the sweeper uses walletsWithHoldsExpiringBefore). */
  async *walletIds(pageSize = 100): AsyncGenerator<string> {
    for await (const item of this.scan('wallet', pageSize)) {
      yield parseWallet(item).walletId;
    }
  }

  /** The whole table as a snapshot for checkLedgerInvariants (test-sized ledgers); closed holds rebuilt. */
  async snapshot(): Promise<LedgerSnapshot> {
    const wallets: Wallet[] = [];
    const entries: JournalEntry[] = [];
    for await (const item of this.scan(undefined, 500)) {
      if (item.kind === 'wallet') wallets.push(parseWallet(item));
      else if (item.kind === 'journal') entries.push(JournalEntrySchema.parse(item));
    }
    return { wallets: wallets.map((wallet) => withClosedHolds(wallet, entries)), entries };
  }

  /**
   * Snapshot of some wallets with every journal entry of theirs (the wallet
   * index) and of the given payments and deposits (entries written before
   * that index existed); each wallet's `holds` also lists its closed holds,
   * rebuilt from the journal.
   */
  async snapshotOf(
    walletIds: readonly string[],
    paymentIds: readonly string[],
    depositIds: readonly string[] = [],
  ): Promise<LedgerSnapshot> {
    const wallets = (await Promise.all(walletIds.map((id) => this.getWallet(id)))).filter(
      (wallet): wallet is Wallet => wallet !== undefined,
    );
    const refs = [
      ...new Set([
        ...paymentIds,
        ...depositIds.map(depositRef),
        ...wallets.flatMap((wallet) => Object.keys(wallet.deposits).map(depositRef)),
        ...wallets.flatMap((wallet) => Object.keys(wallet.holds)),
      ]),
    ];
    const byId = new Map<string, JournalEntry>();
    const lists = await Promise.all([
      ...refs.map((ref) => this.collect(this.refEntries(ref))),
      ...wallets.map((wallet) =>
        this.collect(
          this.queryEntries({
            index: WALLET_JOURNAL_INDEX,
            condition: 'gsi2pk = :pk',
            values: { ':pk': walletJournalPk(wallet.walletId) },
          }),
        ),
      ),
    ]);
    for (const entry of lists.flat()) byId.set(entry.entryId, entry);
    const entries = [...byId.values()];
    return { wallets: wallets.map((wallet) => withClosedHolds(wallet, entries)), entries };
  }

  private refEntries(ref: string): AsyncGenerator<JournalEntry> {
    return this.queryEntries({
      condition: 'pk = :pk AND begins_with(sk, :op)',
      values: { ':pk': journalPk(ref), ':op': ENTRY_SK_PREFIX },
    });
  }

  private async *queryEntries(query: EntryQuery, pageSize = 100): AsyncGenerator<JournalEntry> {
    let ExclusiveStartKey: Key;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
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

  private async *scan(kind: 'wallet' | undefined, pageSize: number): AsyncGenerator<Record<string, unknown>> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          ...(kind && {
            FilterExpression: '#kind = :kind',
            ExpressionAttributeNames: { '#kind': 'kind' },
            ExpressionAttributeValues: { ':kind': kind },
          }),
          ConsistentRead: true,
          Limit: pageSize,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) yield item;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  private async collect<T>(items: AsyncIterable<T>): Promise<T[]> {
    const all: T[] = [];
    for await (const item of items) all.push(item);
    return all;
  }
}

function lineOf(entry: JournalEntry): StatementLine {
  return {
    entryId: entry.entryId,
    operation: entry.operation,
    ref: entry.ref,
    amount: availableEffectOf(entry),
    balanceAfter: entry.balanceAfter ?? 0,
    effectiveAt: entry.effectiveAt,
  };
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, walletId: string): Record<string, unknown> {
  try {
    const key = CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (key.gsi2pk !== walletJournalPk(walletId)) throw new Error('cursor of another wallet');
    return key;
  } catch {
    throw new InvalidPaymentError('statement: the cursor is not one this statement returned');
  }
}

/** The wallet as a snapshot sees it: its open holds plus, rebuilt from the journal, its closed ones. */
function withClosedHolds(wallet: Wallet, entries: readonly JournalEntry[]): Wallet {
  const byPayment = new Map<string, JournalEntry[]>();
  for (const entry of entries) {
    if (entry.walletId !== wallet.walletId || entry.ref.includes(':')) continue;
    byPayment.set(entry.ref, [...(byPayment.get(entry.ref) ?? []), entry]);
  }
  const holds = { ...wallet.holds };
  for (const [paymentId, list] of byPayment) {
    const hold = holdFromEntries(list);
    if (!holds[paymentId] && hold && hold.state !== 'PENDING') holds[paymentId] = hold;
  }
  return { ...wallet, holds };
}
