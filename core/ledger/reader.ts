import { GetCommand, QueryCommand, type QueryCommandInput, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { daysBetween } from '../days';
import type { LedgerSnapshot } from './invariants';
import { depositRef, journalDayPk, journalPk, LEDGER_INDEX, walletKey } from './keys';
import { type JournalEntry, JournalEntrySchema, type Wallet, WalletSchema } from './model';
import type { LedgerDocumentClient } from './store';

/** Read side of the ledger for reconciliation, finance and tests; pages instead of loading everything. */
export class LedgerReader {
  constructor(
    private readonly doc: LedgerDocumentClient,
    private readonly tableName: string,
  ) {}

  async getWallet(walletId: string): Promise<Wallet | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: walletKey(walletId), ConsistentRead: true }),
    );
    return Item ? WalletSchema.parse(Item) : undefined;
  }

  /** A payment's journal entries (reserve, settle, release|expire, refund), in operation order. */
  async listPaymentEntries(paymentId: string): Promise<JournalEntry[]> {
    return this.collect(this.queryEntries({ pk: journalPk(paymentId) }));
  }

  /** The journal entries of one deposit (at most one). */
  async listDepositEntries(depositId: string): Promise<JournalEntry[]> {
    return this.collect(this.queryEntries({ pk: journalPk(depositRef(depositId)) }));
  }

  /** Journal entries effective on each UTC day from `fromDay` to `toDay` (yyyy-mm-dd, inclusive), page by page. */
  async *entriesInPeriod(fromDay: string, toDay: string, pageSize = 100): AsyncGenerator<JournalEntry> {
    for (const day of daysBetween(fromDay, toDay)) {
      yield* this.queryEntries({ gsi1pk: journalDayPk(day) }, pageSize);
    }
  }

  /** Every wallet id, paging a scan (test- and sweep-sized ledgers; production would keep a wallet index). */
  async *walletIds(pageSize = 100): AsyncGenerator<string> {
    for await (const item of this.scan('wallet', pageSize)) {
      yield WalletSchema.parse(item).walletId;
    }
  }

  /** The whole table as a snapshot for checkLedgerInvariants (test-sized ledgers). */
  async snapshot(): Promise<LedgerSnapshot> {
    const wallets: Wallet[] = [];
    const entries: JournalEntry[] = [];
    for await (const item of this.scan(undefined, 500)) {
      if (item.kind === 'wallet') wallets.push(WalletSchema.parse(item));
      else if (item.kind === 'journal') entries.push(JournalEntrySchema.parse(item));
    }
    return { wallets, entries };
  }

  /**
   * Snapshot of some wallets with the journal entries of the given payments and
   * deposits, and of every payment and deposit their markers name (pass the ids
   * of compacted operations explicitly).
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
    const entries = (
      await Promise.all(refs.map((ref) => this.collect(this.queryEntries({ pk: journalPk(ref) }))))
    ).flat();
    return { wallets, entries };
  }

  private async *queryEntries(
    key: { pk: string } | { gsi1pk: string },
    pageSize = 100,
  ): AsyncGenerator<JournalEntry> {
    const byDay = 'gsi1pk' in key;
    let ExclusiveStartKey: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          ...(byDay && { IndexName: LEDGER_INDEX }),
          KeyConditionExpression: byDay ? 'gsi1pk = :key' : 'pk = :key',
          ExpressionAttributeValues: { ':key': byDay ? key.gsi1pk : key.pk },
          ...(!byDay && { ConsistentRead: true }),
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
