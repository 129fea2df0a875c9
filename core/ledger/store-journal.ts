import { type DynamoDocumentClient, PutCommand, QueryCommand } from '../aws/dynamodb';
import { isConditionFailure } from '../dynamo/condition';
import {
  ENTRY_SK_PREFIX,
  journalDayPk,
  journalKey,
  journalPk,
  TOMBSTONE_SK,
  tombstoneKey,
  walletJournalPk,
  walletJournalSk,
} from './keys';
import { type JournalEntry, JournalEntrySchema } from './model';

/** The slice of the document client the ledger uses; tests wrap it to inject crashes. */
export type LedgerDocumentClient = Pick<DynamoDocumentClient, 'send'>;

/** What the journal partition of one ref holds: its entries, and the release-before-reserve tombstone. */
export interface RefJournal {
  readonly entries: JournalEntry[];
  readonly tombstone: boolean;
}

/**
 * The journal side of the ledger's store (LedgerStore.journal): a ref's
 * journal partition, its entries (with the day and wallet index keys) and
 * tombstones, each written once (attribute_not_exists).
 */
export class LedgerJournalStore {
  constructor(
    private readonly doc: LedgerDocumentClient,
    readonly tableName: string,
  ) {}

  /** A ref's journal partition (a payment has at most four entries and a tombstone), consistent. */
  async refJournal(ref: string): Promise<RefJournal> {
    const { Items } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': journalPk(ref) },
        ConsistentRead: true,
      }),
    );
    const items = Items ?? [];
    return {
      entries: items
        .filter((item) => String(item.sk).startsWith(ENTRY_SK_PREFIX))
        .map((item) => JournalEntrySchema.parse(item)),
      tombstone: items.some((item) => item.sk === TOMBSTONE_SK),
    };
  }

  /** Writes a journal entry once; an existing entry with the same key is the same posting (derived, not input). */
  async putJournalEntry(entry: JournalEntry): Promise<void> {
    await conditionalPut(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...journalKey(entry.ref, entry.operation),
          kind: 'journal',
          ...entry,
          gsi1pk: journalDayPk(entry.effectiveAt.slice(0, 10), entry.entryId),
          gsi1sk: `${entry.effectiveAt}#${entry.entryId}`,
          ...(entry.seq !== undefined && {
            gsi2pk: walletJournalPk(entry.walletId),
            gsi2sk: walletJournalSk(entry.effectiveAt, entry.seq),
          }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Marks a payment released before it reserved (its own item: the wallet stays small). */
  async putTombstone(paymentId: string, walletId: string, at: string): Promise<void> {
    await conditionalPut(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...tombstoneKey(paymentId), kind: 'tombstone', paymentId, walletId, at },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}

/** A conditional put; false when its condition failed. */
export async function conditionalPut(doc: LedgerDocumentClient, command: PutCommand): Promise<boolean> {
  try {
    await doc.send(command);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
