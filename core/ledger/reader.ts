import '../config/zod-locale';
import * as z from 'zod/mini';
import { QueryCommand, type QueryCommandInput, ScanCommand } from '../aws/dynamodb';
import { daysBetween } from '../days';
import { mergeByKey } from '../dynamo/shards';
import { InvalidPaymentError } from '../errors';
import type { LedgerSnapshot } from './invariants';
import {
  depositRef,
  HOLD_EXPIRY_INDEX,
  holdExpiryPks,
  journalDayPks,
  LEDGER_INDEX,
  WALLET_JOURNAL_INDEX,
  walletJournalPk,
} from './keys';
import { type Hold, type JournalEntry, JournalEntrySchema, type Wallet } from './model';
import { availableEffectOf } from './postings';
import {
  collect,
  depositEntries,
  holdOf,
  type LedgerTable,
  paymentEntries,
  queryEntries,
  refEntries,
  walletOf,
} from './reads';
import { holdFromEntries } from './rebuild';
import type { Statement, StatementLine } from './results';
import { type LedgerDocumentClient, parseWallet } from './store';

type Key = QueryCommandInput['ExclusiveStartKey'];

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

/**
 * Read side of the ledger for statements, reconciliation, finance and tests; pages instead of loading
 * everything. Its point reads are reads.ts's functions (a bundle that needs only those imports them).
 */
export class LedgerReader {
  private readonly table: LedgerTable;

  constructor(
    private readonly doc: LedgerDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = { doc, tableName };
  }

  /** The wallet item: balances and the holds open now (closed holds: holdOf, statement). */
  getWallet(walletId: string): Promise<Wallet | undefined> {
    return walletOf(this.table, walletId);
  }

  /** A payment's hold wherever it is: open (or being closed) on the wallet, else rebuilt from the journal. */
  holdOf(walletId: string, paymentId: string): Promise<Hold | undefined> {
    return holdOf(this.table, walletId, paymentId);
  }

  /** A payment's journal entries, then its refund parts' (reads.ts paymentEntries). */
  listPaymentEntries(paymentId: string, refundIds: readonly string[] = []): Promise<JournalEntry[]> {
    return paymentEntries(this.table, paymentId, refundIds);
  }

  /** The journal entries of one deposit (at most one). */
  listDepositEntries(depositId: string): Promise<JournalEntry[]> {
    return depositEntries(this.table, depositId);
  }

  /**
   * Journal entries effective on each UTC day from `fromDay` to `toDay`
   * (yyyy-mm-dd, inclusive), page by page, in effectiveAt order: the day's
   * shards (keys.ts) are merged, one page of each in memory.
   */
  async *entriesInPeriod(fromDay: string, toDay: string, pageSize = 100): AsyncGenerator<JournalEntry> {
    for (const day of daysBetween(fromDay, toDay)) {
      const shards = journalDayPks(day).map((pk) =>
        queryEntries(
          this.table,
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
      ...refs.map((ref) => collect(refEntries(this.table, ref))),
      ...wallets.map((wallet) =>
        collect(
          queryEntries(this.table, {
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
