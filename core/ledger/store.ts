import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../dynamo/condition';
import { journalDayPk, journalKey, journalPk, walletKey } from './keys';
import { type JournalEntry, type Wallet, WalletSchema } from './model';

/** The slice of the document client the ledger uses; tests wrap it to inject crashes. */
export type LedgerDocumentClient = Pick<DynamoDBDocumentClient, 'send'>;

/** Wallet and journal item I/O: one item per call, every write conditional. */
export class LedgerStore {
  constructor(
    private readonly doc: LedgerDocumentClient,
    readonly tableName: string,
  ) {}

  async getWallet(walletId: string): Promise<Wallet | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: walletKey(walletId), ConsistentRead: true }),
    );
    return Item ? WalletSchema.parse(Item) : undefined;
  }

  /** Creates the wallet item if absent; false when it already existed. */
  async putNewWallet(wallet: Wallet): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...walletKey(wallet.walletId), kind: 'wallet', ...wallet },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * A conditional update of one wallet; the wallet after the write, or
   * undefined when the condition failed (the caller re-reads and decides:
   * dynalite ignores ReturnValuesOnConditionCheckFailure).
   */
  async updateWallet(
    walletId: string,
    update: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<Wallet | undefined> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: walletKey(walletId),
          ...update,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return WalletSchema.parse(Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** The entry ids already journaled for a ref (a payment has at most four entries). */
  async journaledEntryIds(ref: string): Promise<Set<string>> {
    const { Items } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': journalPk(ref) },
        ProjectionExpression: 'entryId',
        ConsistentRead: true,
      }),
    );
    return new Set((Items ?? []).map((item) => String(item.entryId)));
  }

  /** Writes a journal entry once; an existing entry with the same key is the same posting (derived, not input). */
  async putJournalEntry(entry: JournalEntry): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...journalKey(entry.ref, entry.operation),
            kind: 'journal',
            ...entry,
            gsi1pk: journalDayPk(entry.effectiveAt.slice(0, 10)),
            gsi1sk: `${entry.effectiveAt}#${entry.entryId}`,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
