import { PutCommand, UpdateCommand } from '../aws/dynamodb';
import { isConditionFailure } from '../dynamo/condition';
import { LedgerContentionError } from '../errors';
import {
  guardAttribute,
  opBalanceAttribute,
  opSeqAttribute,
  reserveBalanceAttribute,
  reserveSeqAttribute,
  walletKey,
} from './keys';
import type { Hold, Wallet } from './model';
import { walletOf } from './reads';
import { MARKER_REF, parseWallet } from './store-item';
import { conditionalPut, type LedgerDocumentClient, LedgerJournalStore } from './store-journal';

export { parseWallet } from './store-item';
export type { LedgerDocumentClient, RefJournal } from './store-journal';

/** One conditional update of the wallet item, as a named write spells it (LedgerStore.updateWallet). */
export interface WalletUpdate {
  readonly set: readonly string[];
  readonly remove?: readonly string[];
  readonly condition: string;
  readonly names: Record<string, string>;
  readonly values?: Record<string, unknown>;
}

/** A marker the write completes with its seq and balance after (os#/ob# attributes, folded back by parseWallet). */
export type MarkerRecord<T> = Omit<T, 'seq' | 'balanceAfter'>;

/** The condition that a ref's guard counter is still what the wallet read showed. */
export function guardOf(wallet: Wallet, ref: string) {
  const seen = wallet.guards?.[guardAttribute(ref)];
  return {
    condition: seen === undefined ? 'attribute_not_exists(#guard)' : '#guard = :seen',
    names: { '#guard': guardAttribute(ref) },
    values: seen === undefined ? {} : { ':seen': seen },
  };
}

const NAMES = {
  '#available': 'available',
  '#held': 'held',
  '#holds': 'holds',
  '#seq': 'seq',
} as const;
/** Server-side version bump for writes that decide on the marker, not on the wallet's version. */
export const BUMP = '#seq = if_not_exists(#seq, :zero) + :one';
export const versionIs = (wallet: Wallet) =>
  wallet.seq ? '#seq = :version' : '(attribute_not_exists(#seq) OR #seq = :version)';

/**
 * Every DynamoDB expression of the ledger, as named writes (Powertools'
 * DynamoDBPersistenceLayer keeps its expressions the same way): wallet item
 * I/O here (the read, the one update every named write goes through, and
 * the writes every operation shares), the writes of one operation family as
 * functions over this store (store-holds.ts: holds; store-credits.ts:
 * deposits, adjustments, refunds), so a bundle holds only the writes of the
 * operations it calls (a class's methods cannot be tree-shaken); journal and
 * tombstone I/O in `journal` (store-journal.ts), the wallet item's parsing in
 * store-item.ts; one item per call, every write conditional. A wallet
 * write returns the wallet after it, or undefined when its condition failed
 * (the caller re-reads and decides: dynalite ignores
 * ReturnValuesOnConditionCheckFailure); `contend` is the one loop around that.
 *
 * A write that decided on the absence of a marker after reading the journal
 * must fail if a marker of that ref left the wallet meanwhile (the journal it
 * read may predate that operation's entry). Reserve, refund, deposit and
 * adjust require only their ref's guard counter unchanged (none of them needs
 * the whole wallet unchanged, so payment traffic on the wallet cannot starve
 * them): the removal of any closed marker and a tombstone bump the counter of
 * that ref (one of LEDGER_SHARDS.reserveGuards), so concurrent operations of
 * other refs rarely fail it. The seq and balance after of a reserve (rs#/rb#)
 * or of a refund, deposit or adjustment (os#/ob#) live in top-level attributes
 * (keys.ts), computed by the write itself from the values it replaces (a
 * nested path of a marker cannot be set with the marker); parseWallet folds
 * them back into the marker, so its journal entry is the same on every replay.
 */
export class LedgerStore {
  /** Journal entries and tombstones (store-journal.ts). */
  readonly journal: LedgerJournalStore;

  constructor(
    readonly doc: LedgerDocumentClient,
    readonly tableName: string,
    private readonly maxAttempts = 25,
  ) {
    this.journal = new LedgerJournalStore(doc, tableName);
  }

  /** Runs `attempt` until it returns a result, backing off a little; LedgerContentionError when it never does. */
  async contend<T>(operation: string, walletId: string, attempt: () => Promise<T | undefined>): Promise<T> {
    for (let n = 0; n < this.maxAttempts; n++) {
      const done = await attempt();
      if (done !== undefined) return done;
      if (n > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(40, 2 ** n)));
    }
    throw new LedgerContentionError(
      `${operation}: wallet ${walletId} kept changing under ${this.maxAttempts} attempts; retry the step`,
    );
  }

  /** The wallet item, consistent (the same read as LedgerReader's: reads.ts walletOf). */
  getWallet(walletId: string): Promise<Wallet | undefined> {
    return walletOf(this, walletId);
  }

  /**
   * Removes a closed operation's marker once its journal entries exist (a
   * hold's only in the state they record), with its seq/balance attributes,
   * and bumps its ref's guard (see above).
   */
  removeClosedMarker(
    walletId: string,
    map: 'holds' | 'deposits' | 'adjustments' | 'refunds',
    key: string,
    state?: Hold['state'],
  ): Promise<Wallet | undefined> {
    const ref = MARKER_REF[map](key);
    const hold = map === 'holds';
    return this.updateWallet(walletId, {
      set: ['#guard = if_not_exists(#guard, :zero) + :one'],
      remove: ['#map.#k', '#os', '#ob', ...(hold ? ['#rs', '#rb'] : [])],
      condition: state === undefined ? 'attribute_exists(#map.#k)' : '#map.#k.#state = :state',
      names: {
        '#map': map,
        '#k': key,
        '#guard': guardAttribute(ref),
        '#os': opSeqAttribute(ref),
        '#ob': opBalanceAttribute(ref),
        ...(state !== undefined && { '#state': 'state' }),
        ...(hold && { '#rs': reserveSeqAttribute(key), '#rb': reserveBalanceAttribute(key) }),
      },
      ...(state !== undefined && { values: { ':state': state } }),
    });
  }

  /**
   * The one conditional update of the wallet item, for the named writes (here, store-holds.ts,
   * store-credits.ts) only: the wallet after it, or undefined when its condition failed.
   */
  async updateWallet(walletId: string, update: WalletUpdate): Promise<Wallet | undefined> {
    const expression = [
      update.set.length > 0 ? `SET ${update.set.join(', ')}` : '',
      update.remove?.length ? `REMOVE ${update.remove.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const names = { ...NAMES, ...update.names };
    const used = `${expression} ${update.condition}`;
    const values = Object.fromEntries(
      Object.entries({ ...update.values, ':zero': 0, ':one': 1 }).filter(([name]) =>
        new RegExp(`${name}\\b`).test(used),
      ),
    );
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: walletKey(walletId),
          UpdateExpression: expression,
          ConditionExpression: update.condition,
          ExpressionAttributeNames: Object.fromEntries(
            Object.entries(names).filter(([name]) => new RegExp(`${name}\\b`).test(used)),
          ),
          ...(Object.keys(values).length > 0 && { ExpressionAttributeValues: values }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parseWallet(Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

/** Creates the wallet item if absent; false when it already existed. */
export function putNewWallet(store: LedgerStore, wallet: Wallet): Promise<boolean> {
  return conditionalPut(
    store.doc,
    new PutCommand({
      TableName: store.tableName,
      Item: { ...walletKey(wallet.walletId), kind: 'wallet', ...wallet },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}
