import { GetCommand, PutCommand, UpdateCommand } from '../aws/dynamodb';
import { isConditionFailure } from '../dynamo/condition';
import { LedgerContentionError } from '../errors';
import {
  adjustmentRef,
  depositRef,
  guardAttribute,
  holdExpiryPk,
  holdExpirySk,
  opBalanceAttribute,
  opSeqAttribute,
  refundPartRef,
  reserveBalanceAttribute,
  reserveSeqAttribute,
  walletKey,
} from './keys';
import type { AdjustmentRecord, DepositRecord, Hold, RefundPartRecord, Wallet } from './model';
import { MARKER_REF, parseWallet } from './store-item';
import { conditionalPut, type LedgerDocumentClient, LedgerJournalStore } from './store-journal';

export { parseWallet } from './store-item';
export type { LedgerDocumentClient, RefJournal } from './store-journal';

interface WalletUpdate {
  readonly set: readonly string[];
  readonly remove?: readonly string[];
  readonly condition: string;
  readonly names: Record<string, string>;
  readonly values?: Record<string, unknown>;
}

/** A marker the write completes with its seq and balance after (os#/ob# attributes, folded back by parseWallet). */
export type MarkerRecord<T> = Omit<T, 'seq' | 'balanceAfter'>;

interface CreditMarker {
  /** Where the marker goes, and the condition that none is there (plus any decision of the op). */
  readonly path: string;
  readonly absent: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
  readonly amount: number;
}

/** The condition that a ref's guard counter is still what the wallet read showed. */
function guardOf(wallet: Wallet, ref: string) {
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
const BUMP = '#seq = if_not_exists(#seq, :zero) + :one';
const versionIs = (wallet: Wallet) =>
  wallet.seq ? '#seq = :version' : '(attribute_not_exists(#seq) OR #seq = :version)';

/**
 * Every DynamoDB expression of the ledger, as named writes (Powertools'
 * DynamoDBPersistenceLayer keeps its expressions the same way): wallet item
 * I/O here, journal and tombstone I/O in `journal` (store-journal.ts), the
 * wallet item's parsing in store-item.ts; one item per call, every write
 * conditional. A wallet
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
    private readonly doc: LedgerDocumentClient,
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

  async getWallet(walletId: string): Promise<Wallet | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: walletKey(walletId), ConsistentRead: true }),
    );
    return Item ? parseWallet(Item) : undefined;
  }

  /** Creates the wallet item if absent; false when it already existed. */
  async putNewWallet(wallet: Wallet): Promise<boolean> {
    return conditionalPut(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...walletKey(wallet.walletId), kind: 'wallet', ...wallet },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /**
   * Funds suffice and the payment holds nothing yet: the hold, balances, its
   * seq and balance after, and the expiry index (a lower bound: set when this
   * hold expires first as far as the wallet read shows, else only if absent).
   * `takesAll` (a wallet-first partial hold): the hold is the whole available
   * balance, which must still be exactly that, so the split is decided here.
   */
  placeHold(wallet: Wallet, paymentId: string, hold: Hold, takesAll = false): Promise<Wallet | undefined> {
    const guard = guardOf(wallet, paymentId);
    const earliest = !wallet.nextExpiry || hold.expiresAt < wallet.nextExpiry;
    const expiry = (path: string, value: string) =>
      earliest ? `${path} = ${value}` : `${path} = if_not_exists(${path}, ${value})`;
    return this.updateWallet(wallet.walletId, {
      set: [
        '#holds.#p = :hold',
        '#rs = if_not_exists(#seq, :zero) + :one',
        '#rb = #available - :amount',
        BUMP,
        '#available = #available - :amount',
        '#held = #held + :amount',
        expiry('#nextExpiry', ':nextExpiry'),
        expiry('#gsi3pk', ':gsi3pk'),
        expiry('#gsi3sk', ':gsi3sk'),
      ],
      condition: `attribute_not_exists(#holds.#p) AND #available ${takesAll ? '=' : '>='} :amount AND ${guard.condition}`,
      names: {
        '#p': paymentId,
        '#rs': reserveSeqAttribute(paymentId),
        '#rb': reserveBalanceAttribute(paymentId),
        ...guard.names,
        '#nextExpiry': 'nextExpiry',
        '#gsi3pk': 'gsi3pk',
        '#gsi3sk': 'gsi3sk',
      },
      values: {
        ':hold': hold,
        ':amount': hold.amount,
        ...guard.values,
        ':nextExpiry': hold.expiresAt,
        ':gsi3pk': holdExpiryPk(wallet.walletId),
        ':gsi3sk': holdExpirySk(hold.expiresAt, wallet.walletId),
      },
    });
  }

  /** Pending, unexpired hold of `amount` -> POSTED: `captured` to the merchant, the rest back to available. */
  postHold(
    walletId: string,
    paymentId: string,
    post: { amount: number; captured: number; merchantId: string; now: string },
  ): Promise<Wallet | undefined> {
    return this.updateWallet(walletId, {
      set: [
        '#holds.#p.#state = :posted',
        '#holds.#p.#captured = :captured',
        '#holds.#p.#merchantId = :merchant',
        '#holds.#p.#postedAt = :now',
        '#holds.#p.#closeSeq = if_not_exists(#seq, :zero) + :one',
        '#holds.#p.#closeBalance = #available + :rest',
        BUMP,
        '#held = #held - :amount',
        '#available = #available + :rest',
      ],
      condition:
        '#holds.#p.#state = :pending AND #holds.#p.#amount = :amount AND #holds.#p.#expiresAt > :now',
      names: {
        '#p': paymentId,
        '#state': 'state',
        '#captured': 'captured',
        '#merchantId': 'merchantId',
        '#postedAt': 'postedAt',
        '#amount': 'amount',
        '#expiresAt': 'expiresAt',
        '#closeSeq': 'closeSeq',
        '#closeBalance': 'closeBalance',
      },
      values: {
        ':posted': 'POSTED',
        ':pending': 'PENDING',
        ':captured': post.captured,
        ':merchant': post.merchantId,
        ':now': post.now,
        ':amount': post.amount,
        ':rest': post.amount - post.captured,
      },
    });
  }

  /** Pending hold -> VOIDED (release) or EXPIRED (only once past its expiry), back to available. */
  voidHold(
    walletId: string,
    paymentId: string,
    void_: { amount: number; state: 'VOIDED' | 'EXPIRED'; now: string },
  ): Promise<Wallet | undefined> {
    const expired = void_.state === 'EXPIRED';
    return this.updateWallet(walletId, {
      set: [
        '#holds.#p.#state = :state',
        '#holds.#p.#voidedAt = :now',
        '#holds.#p.#closeSeq = if_not_exists(#seq, :zero) + :one',
        '#holds.#p.#closeBalance = #available + :amount',
        BUMP,
        '#held = #held - :amount',
        '#available = #available + :amount',
      ],
      condition: `#holds.#p.#state = :pending AND #holds.#p.#amount = :amount${expired ? ' AND #holds.#p.#expiresAt <= :now' : ''}`,
      names: {
        '#p': paymentId,
        '#state': 'state',
        '#voidedAt': 'voidedAt',
        '#amount': 'amount',
        '#closeSeq': 'closeSeq',
        '#closeBalance': 'closeBalance',
        ...(expired && { '#expiresAt': 'expiresAt' }),
      },
      values: { ':state': void_.state, ':pending': 'PENDING', ':now': void_.now, ':amount': void_.amount },
    });
  }

  /** A posted (closed) hold's refund marker (its seq and balance after computed by the write) and the money back. */
  refundHold(wallet: Wallet, paymentId: string, marker: Hold): Promise<Wallet | undefined> {
    return this.creditMarker(wallet, paymentId, {
      path: '#holds.#p',
      absent: 'attribute_not_exists(#holds.#p)',
      names: { '#p': paymentId },
      values: { ':marker': marker },
      amount: marker.refunded ?? 0,
    });
  }

  /** A deposit's marker and its credit. */
  creditDeposit(
    wallet: Wallet,
    depositId: string,
    record: MarkerRecord<DepositRecord>,
  ): Promise<Wallet | undefined> {
    return this.creditMarker(wallet, depositRef(depositId), {
      path: '#deposits.#d',
      absent: 'attribute_not_exists(#deposits.#d)',
      names: { '#deposits': 'deposits', '#d': depositId },
      values: { ':marker': record },
      amount: record.amount,
    });
  }

  /** An adjustment's marker and its signed effect; a debit never takes available below 0. */
  adjustBalance(
    wallet: Wallet,
    adjustmentId: string,
    record: MarkerRecord<AdjustmentRecord>,
  ): Promise<Wallet | undefined> {
    const hasMap = wallet.adjustments !== undefined;
    return this.creditMarker(wallet, adjustmentRef(adjustmentId), {
      path: hasMap ? '#adjustments.#a' : '#adjustments',
      absent: `${hasMap ? 'attribute_not_exists(#adjustments.#a)' : 'attribute_not_exists(#adjustments)'} AND #available >= :floor`,
      names: { '#adjustments': 'adjustments', ...(hasMap && { '#a': adjustmentId }) },
      values: {
        ':marker': hasMap ? record : { [adjustmentId]: record },
        ':floor': Math.max(0, -record.amount),
      },
      amount: record.amount,
    });
  }

  /**
   * A refund part's marker (`refunds.<paymentId>:<refundId>`) and its wallet part onto available;
   * the gateway part moves no wallet money (its journal line is the gateway account's).
   */
  creditRefundPart(
    wallet: Wallet,
    key: string,
    record: MarkerRecord<RefundPartRecord>,
  ): Promise<Wallet | undefined> {
    const hasMap = wallet.refunds !== undefined;
    return this.creditMarker(wallet, refundPartRef(key), {
      path: hasMap ? '#refunds.#r' : '#refunds',
      absent: hasMap ? 'attribute_not_exists(#refunds.#r)' : 'attribute_not_exists(#refunds)',
      names: { '#refunds': 'refunds', ...(hasMap && { '#r': key }) },
      values: { ':marker': hasMap ? record : { [key]: record } },
      amount: record.walletAmount,
    });
  }

  /**
   * Release before reserve: bumps the payment's guard while it holds nothing,
   * after its tombstone was written, so a reserve that read the journal
   * before the tombstone fails its write and reads it again.
   */
  async guardAgainstLateReserve(walletId: string, paymentId: string): Promise<boolean> {
    return (
      (await this.updateWallet(walletId, {
        set: ['#guard = if_not_exists(#guard, :zero) + :one'],
        condition: 'attribute_exists(pk) AND attribute_not_exists(#holds.#p)',
        names: { '#p': paymentId, '#guard': guardAttribute(paymentId) },
      })) !== undefined
    );
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

  /** Resets the expiry index to the open holds' earliest expiry, or leaves the index (versioned; best effort). */
  async setNextExpiry(wallet: Wallet, nextExpiry: string | undefined): Promise<void> {
    const names = { '#nextExpiry': 'nextExpiry', '#gsi3pk': 'gsi3pk', '#gsi3sk': 'gsi3sk' };
    await this.updateWallet(wallet.walletId, {
      set: nextExpiry ? ['#nextExpiry = :nextExpiry', '#gsi3pk = :gsi3pk', '#gsi3sk = :gsi3sk'] : [],
      ...(!nextExpiry && { remove: Object.keys(names) }),
      condition: versionIs(wallet),
      names,
      values: {
        ':version': wallet.seq ?? 0,
        ...(nextExpiry !== undefined && {
          ':nextExpiry': nextExpiry,
          ':gsi3pk': holdExpiryPk(wallet.walletId),
          ':gsi3sk': holdExpirySk(nextExpiry, wallet.walletId),
        }),
      },
    });
  }

  /**
   * The write of a deposit, adjustment or refund: its marker where none is,
   * `amount` onto available, and its seq and balance after into top-level
   * attributes (os#/ob#<ref>), computed by the write from the values it
   * replaces; it requires only the ref's guard unchanged since the read.
   */
  private creditMarker(wallet: Wallet, ref: string, marker: CreditMarker): Promise<Wallet | undefined> {
    const guard = guardOf(wallet, ref);
    return this.updateWallet(wallet.walletId, {
      set: [
        `${marker.path} = :marker`,
        '#os = if_not_exists(#seq, :zero) + :one',
        '#ob = #available + :amount',
        BUMP,
        '#available = #available + :amount',
      ],
      condition: `${marker.absent} AND ${guard.condition}`,
      names: { ...marker.names, ...guard.names, '#os': opSeqAttribute(ref), '#ob': opBalanceAttribute(ref) },
      values: { ...marker.values, ...guard.values, ':amount': marker.amount },
    });
  }

  private async updateWallet(walletId: string, update: WalletUpdate): Promise<Wallet | undefined> {
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
