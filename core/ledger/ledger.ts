import {
  InsufficientFundsError,
  InvalidPaymentError,
  LedgerContentionError,
  LedgerInvariantError,
} from '../errors';
import type { Currency } from '../money';
import { expiredHoldIds, isExpired, isSettleable } from './expiry';
import {
  type AmountInput,
  currencyOf,
  DepositInput,
  minorUnitsOf,
  OpenWalletInput,
  parseInput,
  RefundInput,
  ReleaseInput,
  ReserveInput,
  SettleInput,
} from './inputs';
import type { Hold, HoldState, JournalEntry, Wallet } from './model';
import { depositEntry, entriesForHold, entriesForWallet, voidEntry } from './postings';
import { type LedgerDocumentClient, LedgerStore } from './store';

/**
 * The two-phase ledger (TigerBeetle-style pending transfers) on single-item
 * conditional writes.
 *
 * Write order of every operation, and why it is crash-safe:
 *   1. read the payer's wallet (consistent read);
 *   2. ONE conditional update of the wallet: the decision (funds suffice, the
 *      hold is pending and unexpired, ...) and the per-(paymentId, operation)
 *      marker (the hold entry's state) change atomically, so the effect
 *      happens at most once;
 *   3. put the journal entry with attribute_not_exists, derived only from
 *      what the wallet recorded in step 2 (so any rewrite is identical).
 * A crash before 2 left nothing; a crash after 2 (reply lost) or before 3 is
 * completed by the retry, which finds the marker, skips 2 and replays 3. The
 * journal cannot go first: the decision is made on the wallet, and an entry
 * written before a refused update would record money that never moved.
 * Until the retry (or repairJournal) runs, checkLedgerInvariants reports the
 * missing entry, so an interrupted operation is never silent.
 *
 * A reserve replayed after its hold was released or expired throws
 * LedgerInvariantError: answering "reserved" would let a late retry or a
 * redrive charge against money that is no longer held.
 *
 * release of a posted hold throws LedgerInvariantError rather than reversing
 * it: reversing a settlement is refund's job (merchant -> payer) and must be
 * asked for explicitly; release after a refund is a no-op.
 */

export interface LedgerOptions {
  readonly doc: LedgerDocumentClient;
  readonly tableName: string;
  /** Injected clock, for expiry tests. */
  readonly now?: () => Date;
  /** Conditional-write attempts lost to concurrent writers before LedgerContentionError. */
  readonly maxAttempts?: number;
}

export interface OpenWalletResult {
  readonly wallet: Wallet;
  readonly created: boolean;
}

export interface DepositResult {
  readonly walletId: string;
  readonly depositId: string;
  readonly amount: number;
  readonly currency: Currency;
  readonly replayed: boolean;
}

export interface ReserveResult {
  readonly holdId: string;
  readonly paymentId: string;
  readonly walletId: string;
  readonly amount: number;
  readonly currency: Currency;
  readonly expiresAt: string;
  /** PENDING after a fresh reserve; a replay reports where the hold is now (PENDING, POSTED or REFUNDED). */
  readonly state: HoldState;
  readonly replayed: boolean;
}

export interface SettleResult {
  readonly holdId: string;
  readonly paymentId: string;
  readonly walletId: string;
  readonly merchantId: string;
  readonly captured: number;
  /** The part of the hold a partial capture gave back to the payer. */
  readonly released: number;
  readonly currency: Currency;
  readonly postedAt: string;
  readonly replayed: boolean;
}

export type ReleaseOutcome = 'released' | 'already_released' | 'expired' | 'nothing_held' | 'refunded';

export interface ReleaseResult {
  readonly paymentId: string;
  readonly walletId: string;
  readonly outcome: ReleaseOutcome;
  /** Minor units returned to the payer by this hold's void (0 when nothing was held). */
  readonly releasedAmount: number;
  readonly replayed: boolean;
}

export interface RefundResult {
  readonly paymentId: string;
  readonly walletId: string;
  readonly merchantId: string;
  readonly refunded: number;
  readonly currency: Currency;
  readonly refundId?: string;
  readonly replayed: boolean;
}

export interface SweepResult {
  readonly expired: ReadonlyArray<{
    readonly walletId: string;
    readonly paymentId: string;
    readonly amount: number;
  }>;
}

export const holdIdOf = (walletId: string, paymentId: string): string => `hold:${walletId}:${paymentId}`;

const WALLET_NAMES = { '#available': 'available', '#held': 'held', '#holds': 'holds' } as const;

export class Ledger {
  private readonly store: LedgerStore;
  private readonly now: () => Date;
  private readonly maxAttempts: number;

  constructor(options: LedgerOptions) {
    this.store = new LedgerStore(options.doc, options.tableName);
    this.now = options.now ?? (() => new Date());
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  async openWallet(walletId: string, currency: string): Promise<OpenWalletResult> {
    const input = parseInput('openWallet', OpenWalletInput, { walletId, currency });
    const fresh: Wallet = {
      walletId: input.walletId,
      currency: input.currency,
      available: 0,
      held: 0,
      holds: {},
      deposits: {},
      createdAt: this.now().toISOString(),
    };
    if (await this.store.putNewWallet(fresh)) return { wallet: fresh, created: true };
    const existing = await this.store.getWallet(input.walletId);
    if (!existing)
      throw new LedgerContentionError(`wallet ${input.walletId} exists but could not be read; retry`);
    if (existing.currency !== input.currency) {
      throw new InvalidPaymentError(
        `wallet ${input.walletId} is already open in ${existing.currency}, not ${input.currency}`,
      );
    }
    return { wallet: existing, created: false };
  }

  async deposit(walletId: string, amount: AmountInput, depositId: string): Promise<DepositResult> {
    const input = parseInput('deposit', DepositInput, { walletId, amount, depositId });
    const value = minorUnitsOf(input.amount);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const wallet = await this.walletFor('deposit', input.walletId, currencyOf(input.amount));
      const existing = wallet.deposits[input.depositId];
      if (existing) {
        if (existing.amount !== value) {
          throw new InvalidPaymentError(
            `deposit ${input.depositId} was already made with a different amount (${existing.amount})`,
          );
        }
        await this.store.putJournalEntry(depositEntry(wallet, input.depositId, existing));
        return { ...input, amount: value, currency: wallet.currency, replayed: true };
      }
      const after = await this.store.updateWallet(input.walletId, {
        UpdateExpression: 'SET #deposits.#d = :deposit, #available = #available + :amount',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#deposits.#d)',
        ExpressionAttributeNames: {
          '#deposits': 'deposits',
          '#d': input.depositId,
          '#available': 'available',
        },
        ExpressionAttributeValues: {
          ':deposit': { amount: value, at: this.now().toISOString() },
          ':amount': value,
        },
      });
      if (after) {
        const recorded = after.deposits[input.depositId];
        if (recorded) await this.store.putJournalEntry(depositEntry(after, input.depositId, recorded));
        return { ...input, amount: value, currency: after.currency, replayed: false };
      }
    }
    throw this.contention('deposit', input.walletId);
  }

  async reserve(request: ReserveInput): Promise<ReserveResult> {
    const input = parseInput('reserve', ReserveInput, request);
    const value = minorUnitsOf(input.amount);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const wallet = await this.walletFor('reserve', input.walletId, currencyOf(input.amount));
      const hold = wallet.holds[input.paymentId];
      if (hold) return this.replayReserve(wallet, input.paymentId, value, hold, true);
      if (wallet.compactedThrough && (await this.store.journaledEntryIds(input.paymentId)).size > 0) {
        throw new LedgerInvariantError(
          `payment ${input.paymentId} was already processed on wallet ${input.walletId} and its hold archived; a new attempt needs a new paymentId`,
        );
      }
      if (wallet.available < value) {
        // Expired holds still count in `held` until swept: free them before refusing.
        if (expiredHoldIds(wallet, this.now()).length > 0) {
          await this.expireHoldsOf(wallet);
          continue;
        }
        throw new InsufficientFundsError(
          `wallet ${wallet.walletId} has ${wallet.available} ${wallet.currency} available, ${value} requested`,
        );
      }
      const now = this.now().toISOString();
      if (input.expiresAt <= now) {
        throw new InvalidPaymentError(`reserve: expiresAt ${input.expiresAt} is not in the future`);
      }
      const newHold: Hold = { state: 'PENDING', amount: value, expiresAt: input.expiresAt, reservedAt: now };
      const after = await this.store.updateWallet(input.walletId, {
        UpdateExpression: 'SET #holds.#p = :hold, #available = #available - :amount, #held = #held + :amount',
        ConditionExpression: 'attribute_not_exists(#holds.#p) AND #available >= :amount',
        ExpressionAttributeNames: { ...WALLET_NAMES, '#p': input.paymentId },
        ExpressionAttributeValues: { ':hold': newHold, ':amount': value },
      });
      if (after) {
        const recorded = after.holds[input.paymentId];
        if (recorded) return this.replayReserve(after, input.paymentId, value, recorded, false);
      }
    }
    throw this.contention('reserve', input.walletId);
  }

  private async replayReserve(
    wallet: Wallet,
    paymentId: string,
    value: number,
    hold: Hold,
    replayed: boolean,
  ): Promise<ReserveResult> {
    if (hold.tombstone) {
      throw new LedgerInvariantError(
        `payment ${paymentId} was released before it reserved; refusing to place a hold nobody would release`,
      );
    }
    if (hold.state === 'VOIDED' || hold.state === 'EXPIRED') {
      // Replaying "reserved" here would let the saga charge against money that is no longer held.
      throw new LedgerInvariantError(
        `the hold of payment ${paymentId} was already ${hold.state === 'VOIDED' ? 'released' : 'expired'}; a new attempt needs a new paymentId`,
      );
    }
    if (hold.amount !== value) {
      throw new InvalidPaymentError(
        `payment ${paymentId} already reserved ${hold.amount} on wallet ${wallet.walletId}, not ${value}`,
      );
    }
    await this.completeJournal(wallet, paymentId, hold);
    return {
      holdId: holdIdOf(wallet.walletId, paymentId),
      paymentId,
      walletId: wallet.walletId,
      amount: hold.amount,
      currency: wallet.currency,
      expiresAt: hold.expiresAt,
      state: hold.state,
      replayed,
    };
  }

  async settle(request: SettleInput): Promise<SettleResult> {
    const input = parseInput('settle', SettleInput, request);
    const captured = minorUnitsOf(input.amount);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const wallet = await this.walletFor('settle', input.walletId, currencyOf(input.amount));
      const hold = wallet.holds[input.paymentId];
      if (hold && (hold.state === 'POSTED' || hold.state === 'REFUNDED')) {
        if (hold.captured !== captured || hold.merchantId !== input.merchantId) {
          throw new LedgerInvariantError(
            `payment ${input.paymentId} was already settled (${hold.captured} to ${hold.merchantId}), not ${captured} to ${input.merchantId}`,
          );
        }
        await this.completeJournal(wallet, input.paymentId, hold);
        return this.settleResult(wallet, input.paymentId, hold, true);
      }
      const now = this.now();
      if (!hold || !isSettleable(hold, now)) {
        const why =
          !hold || hold.tombstone
            ? 'no hold was placed'
            : isExpired(hold, now)
              ? 'the hold expired'
              : `the hold is ${hold.state}`;
        throw new LedgerInvariantError(
          `cannot settle payment ${input.paymentId} on wallet ${input.walletId}: ${why}; nothing is held to post`,
        );
      }
      if (captured > hold.amount) {
        throw new LedgerInvariantError(
          `cannot settle payment ${input.paymentId}: capture ${captured} exceeds the hold of ${hold.amount}`,
        );
      }
      const after = await this.store.updateWallet(input.walletId, {
        UpdateExpression:
          'SET #holds.#p.#state = :posted, #holds.#p.#captured = :captured, #holds.#p.#merchantId = :merchant, #holds.#p.#postedAt = :now, #held = #held - :amount, #available = #available + :rest',
        ConditionExpression:
          '#holds.#p.#state = :pending AND #holds.#p.#amount = :amount AND #holds.#p.#expiresAt > :now',
        ExpressionAttributeNames: {
          ...WALLET_NAMES,
          '#p': input.paymentId,
          '#state': 'state',
          '#captured': 'captured',
          '#merchantId': 'merchantId',
          '#postedAt': 'postedAt',
          '#amount': 'amount',
          '#expiresAt': 'expiresAt',
        },
        ExpressionAttributeValues: {
          ':posted': 'POSTED',
          ':pending': 'PENDING',
          ':captured': captured,
          ':merchant': input.merchantId,
          ':now': now.toISOString(),
          ':amount': hold.amount,
          ':rest': hold.amount - captured,
        },
      });
      const posted = after?.holds[input.paymentId];
      if (after && posted) {
        await this.completeJournal(after, input.paymentId, posted);
        return this.settleResult(after, input.paymentId, posted, false);
      }
    }
    throw this.contention('settle', input.walletId);
  }

  private settleResult(wallet: Wallet, paymentId: string, hold: Hold, replayed: boolean): SettleResult {
    const captured = hold.captured ?? 0;
    return {
      holdId: holdIdOf(wallet.walletId, paymentId),
      paymentId,
      walletId: wallet.walletId,
      merchantId: hold.merchantId ?? '',
      captured,
      released: hold.amount - captured,
      currency: wallet.currency,
      postedAt: hold.postedAt ?? '',
      replayed,
    };
  }

  async release(request: ReleaseInput): Promise<ReleaseResult> {
    const input = parseInput('release', ReleaseInput, request);
    const base = { paymentId: input.paymentId, walletId: input.walletId };
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const wallet = await this.store.getWallet(input.walletId);
      if (!wallet) return { ...base, outcome: 'nothing_held', releasedAmount: 0, replayed: false };
      const hold = wallet.holds[input.paymentId];
      const now = this.now().toISOString();
      if (!hold) {
        // Leave a tombstone so a late, delayed reserve cannot place a hold after its compensation ran.
        const tombstone: Hold = {
          state: 'VOIDED',
          amount: 0,
          expiresAt: now,
          reservedAt: now,
          voidedAt: now,
          tombstone: true,
        };
        const after = await this.store.updateWallet(input.walletId, {
          UpdateExpression: 'SET #holds.#p = :hold',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#holds.#p)',
          ExpressionAttributeNames: { '#holds': 'holds', '#p': input.paymentId },
          ExpressionAttributeValues: { ':hold': tombstone },
        });
        if (after) return { ...base, outcome: 'nothing_held', releasedAmount: 0, replayed: false };
        continue;
      }
      switch (hold.state) {
        case 'POSTED':
          throw new LedgerInvariantError(
            `cannot release payment ${input.paymentId}: its hold was already posted to ${hold.merchantId}; refund it instead`,
          );
        case 'REFUNDED':
          await this.completeJournal(wallet, input.paymentId, hold);
          return { ...base, outcome: 'refunded', releasedAmount: 0, replayed: true };
        case 'VOIDED':
        case 'EXPIRED': {
          await this.completeJournal(wallet, input.paymentId, hold);
          const outcome: ReleaseOutcome = hold.tombstone
            ? 'nothing_held'
            : hold.state === 'EXPIRED'
              ? 'expired'
              : 'already_released';
          return { ...base, outcome, releasedAmount: hold.amount, replayed: true };
        }
        case 'PENDING': {
          const after = await this.voidHold(wallet.walletId, input.paymentId, hold, 'VOIDED', now);
          const voided = after?.holds[input.paymentId];
          if (after && voided) {
            await this.completeJournal(after, input.paymentId, voided);
            return { ...base, outcome: 'released', releasedAmount: voided.amount, replayed: false };
          }
        }
      }
    }
    throw this.contention('release', input.walletId);
  }

  async refund(request: RefundInput): Promise<RefundResult> {
    const input = parseInput('refund', RefundInput, request);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const wallet = await this.walletFor(
        'refund',
        input.walletId,
        input.amount === undefined ? undefined : currencyOf(input.amount),
      );
      const hold = wallet.holds[input.paymentId];
      const requested = input.amount === undefined ? hold?.captured : minorUnitsOf(input.amount);
      if (hold?.state === 'REFUNDED') {
        if (requested !== hold.refunded) {
          throw new LedgerInvariantError(
            `payment ${input.paymentId} was already refunded ${hold.refunded}, not ${requested}`,
          );
        }
        await this.completeJournal(wallet, input.paymentId, hold);
        return this.refundResult(wallet, input.paymentId, hold, true);
      }
      if (hold?.state !== 'POSTED' || hold.captured === undefined || requested === undefined) {
        throw new LedgerInvariantError(
          `cannot refund payment ${input.paymentId} on wallet ${input.walletId}: no posted settlement (hold ${hold?.state ?? 'absent'})`,
        );
      }
      if (requested > hold.captured || requested <= 0) {
        throw new LedgerInvariantError(
          `cannot refund ${requested} of payment ${input.paymentId}: only ${hold.captured} was captured`,
        );
      }
      const after = await this.store.updateWallet(input.walletId, {
        UpdateExpression: `SET #holds.#p.#state = :refunded, #holds.#p.#refunded = :amount, #holds.#p.#refundedAt = :now${input.refundId ? ', #holds.#p.#refundId = :refundId' : ''}, #available = #available + :amount`,
        ConditionExpression: '#holds.#p.#state = :posted AND #holds.#p.#captured = :captured',
        ExpressionAttributeNames: {
          '#available': 'available',
          '#holds': 'holds',
          '#p': input.paymentId,
          '#state': 'state',
          '#refunded': 'refunded',
          '#refundedAt': 'refundedAt',
          '#captured': 'captured',
          ...(input.refundId && { '#refundId': 'refundId' }),
        },
        ExpressionAttributeValues: {
          ':refunded': 'REFUNDED',
          ':posted': 'POSTED',
          ':amount': requested,
          ':captured': hold.captured,
          ':now': this.now().toISOString(),
          ...(input.refundId && { ':refundId': input.refundId }),
        },
      });
      const refunded = after?.holds[input.paymentId];
      if (after && refunded) {
        await this.completeJournal(after, input.paymentId, refunded);
        return this.refundResult(after, input.paymentId, refunded, false);
      }
    }
    throw this.contention('refund', input.walletId);
  }

  private refundResult(wallet: Wallet, paymentId: string, hold: Hold, replayed: boolean): RefundResult {
    return {
      paymentId,
      walletId: wallet.walletId,
      merchantId: hold.merchantId ?? '',
      refunded: hold.refunded ?? 0,
      currency: wallet.currency,
      ...(hold.refundId !== undefined && { refundId: hold.refundId }),
      replayed,
    };
  }

  /** Voids the wallet's expired pending holds (state EXPIRED), idempotently; returns what this call voided. */
  async expireHolds(walletId: string): Promise<SweepResult> {
    const wallet = await this.store.getWallet(walletId);
    if (!wallet) return { expired: [] };
    return this.expireHoldsOf(wallet);
  }

  /**
   * Writes the journal entries the wallet's markers imply and the journal
   * lacks (an operation interrupted between its two writes and never
   * retried); returns how many it wrote. Idempotent; the sweep runs it too.
   */
  async repairJournal(walletId: string): Promise<number> {
    const wallet = await this.store.getWallet(walletId);
    if (!wallet) return 0;
    return this.writeMissingEntries(entriesForWallet(wallet));
  }

  /**
   * Keeps the wallet item small (DynamoDB's 400 KB item limit, ~1,500 holds):
   * removes the markers of deposits and of closed holds (voided, expired,
   * refunded, posted) last changed before `closedBefore`, after making sure
   * their journal entries exist. Pick `closedBefore` older than any retry or
   * redrive (14 days) and any refund window: a settle or refund of a compacted
   * payment finds no hold, and a late reserve of one is refused via the
   * journal. Release tombstones are kept. Returns how many markers went.
   */
  async compactWallet(walletId: string, closedBefore: Date, batchSize = 40): Promise<number> {
    const cutoff = closedBefore.toISOString();
    if (cutoff > this.now().toISOString()) {
      throw new InvalidPaymentError(`compactWallet: closedBefore ${cutoff} is in the future`);
    }
    const wallet = await this.store.getWallet(walletId);
    if (!wallet) return 0;
    const holds = Object.entries(wallet.holds).filter(
      ([, hold]) => hold.state !== 'PENDING' && !hold.tombstone && lastChangeOf(hold) < cutoff,
    );
    const deposits = Object.entries(wallet.deposits).filter(([, deposit]) => deposit.at < cutoff);
    await this.writeMissingEntries([
      ...deposits.map(([depositId, deposit]) => depositEntry(wallet, depositId, deposit)),
      ...holds.flatMap(([paymentId, hold]) => entriesForHold(wallet, paymentId, hold)),
    ]);
    const markers = [
      ...holds.map(([paymentId, hold]) => ({ map: 'holds', key: paymentId, state: hold.state as string })),
      ...deposits.map(([depositId]) => ({ map: 'deposits', key: depositId, state: undefined })),
    ];
    let removed = 0;
    for (let start = 0; start < markers.length; start += batchSize) {
      const batch = markers.slice(start, start + batchSize);
      const names: Record<string, string> = { '#ct': 'compactedThrough' };
      const values: Record<string, unknown> = { ':cutoff': cutoff };
      const conditions = ['(attribute_not_exists(#ct) OR #ct <= :cutoff)'];
      const removals = batch.map((marker, i) => {
        names[`#${marker.map}`] = marker.map;
        names[`#k${i}`] = marker.key;
        if (marker.state !== undefined) {
          // The hold must still be in the state whose entries were just checked (posted -> refunded races).
          names['#state'] = 'state';
          values[`:s${i}`] = marker.state;
          conditions.push(`#holds.#k${i}.#state = :s${i}`);
        }
        return `#${marker.map}.#k${i}`;
      });
      const after = await this.store.updateWallet(walletId, {
        UpdateExpression: `REMOVE ${removals.join(', ')} SET #ct = :cutoff`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
      if (!after) throw this.contention('compactWallet', walletId);
      removed += batch.length;
    }
    return removed;
  }

  /** Expiry sweep (and journal repair) of the given wallets, e.g. `ledger.sweepExpiredHolds(reader.walletIds())`. */
  async sweepExpiredHolds(walletIds: Iterable<string> | AsyncIterable<string>): Promise<SweepResult> {
    const expired: Array<SweepResult['expired'][number]> = [];
    for await (const walletId of walletIds) {
      expired.push(...(await this.expireHolds(walletId)).expired);
      await this.repairJournal(walletId);
    }
    return { expired };
  }

  private async expireHoldsOf(wallet: Wallet): Promise<SweepResult> {
    const now = this.now();
    const expired: Array<SweepResult['expired'][number]> = [];
    // Complete expiries an earlier sweep applied but could not journal (it crashed between the two writes).
    await this.writeMissingEntries(
      Object.entries(wallet.holds)
        .filter(([, hold]) => hold.state === 'EXPIRED')
        .flatMap(([paymentId, hold]) => entriesForHold(wallet, paymentId, hold)),
    );
    for (const paymentId of expiredHoldIds(wallet, now)) {
      const hold = wallet.holds[paymentId];
      if (!hold) continue;
      const after = await this.voidHold(wallet.walletId, paymentId, hold, 'EXPIRED', now.toISOString());
      const recorded = after?.holds[paymentId];
      if (after && recorded) {
        await this.store.putJournalEntry(voidEntry(after, paymentId, recorded, 'expire'));
        expired.push({ walletId: wallet.walletId, paymentId, amount: hold.amount });
      }
    }
    return { expired };
  }

  /** Pending -> VOIDED|EXPIRED, moving the hold back to available; undefined if someone else changed it first. */
  private voidHold(
    walletId: string,
    paymentId: string,
    hold: Hold,
    state: 'VOIDED' | 'EXPIRED',
    now: string,
  ): Promise<Wallet | undefined> {
    return this.store.updateWallet(walletId, {
      UpdateExpression:
        'SET #holds.#p.#state = :state, #holds.#p.#voidedAt = :now, #held = #held - :amount, #available = #available + :amount',
      ConditionExpression:
        state === 'EXPIRED'
          ? '#holds.#p.#state = :pending AND #holds.#p.#amount = :amount AND #holds.#p.#expiresAt <= :now'
          : '#holds.#p.#state = :pending AND #holds.#p.#amount = :amount',
      ExpressionAttributeNames: {
        ...WALLET_NAMES,
        '#p': paymentId,
        '#state': 'state',
        '#voidedAt': 'voidedAt',
        '#amount': 'amount',
        ...(state === 'EXPIRED' && { '#expiresAt': 'expiresAt' }),
      },
      ExpressionAttributeValues: {
        ':state': state,
        ':pending': 'PENDING',
        ':now': now,
        ':amount': hold.amount,
      },
    });
  }

  /** The wallet an operation needs: unknown wallet or wrong currency is a bad payment, not a retry. */
  private async walletFor(
    operation: string,
    walletId: string,
    currency: Currency | undefined,
  ): Promise<Wallet> {
    const wallet = await this.store.getWallet(walletId);
    if (!wallet) throw new InvalidPaymentError(`${operation}: wallet ${walletId} does not exist`);
    if (currency !== undefined && currency !== wallet.currency) {
      throw new InvalidPaymentError(
        `${operation}: wallet ${walletId} holds ${wallet.currency}, not ${currency}`,
      );
    }
    return wallet;
  }

  /** Replays every journal entry this hold's state implies (a retry completes whatever a crash cut short). */
  private completeJournal(wallet: Wallet, paymentId: string, hold: Hold): Promise<void> {
    return this.putEntries(entriesForHold(wallet, paymentId, hold));
  }

  private async putEntries(entries: readonly JournalEntry[]): Promise<void> {
    for (const entry of entries) await this.store.putJournalEntry(entry);
  }

  /** Reads before writing, so repairing a long-lived wallet costs reads, not a conditional write per entry. */
  private async writeMissingEntries(entries: readonly JournalEntry[]): Promise<number> {
    let written = 0;
    for (const ref of new Set(entries.map((entry) => entry.ref))) {
      const present = await this.store.journaledEntryIds(ref);
      for (const entry of entries.filter((e) => e.ref === ref && !present.has(e.entryId))) {
        await this.store.putJournalEntry(entry);
        written += 1;
      }
    }
    return written;
  }

  private contention(operation: string, walletId: string): LedgerContentionError {
    return new LedgerContentionError(
      `${operation}: wallet ${walletId} kept changing under ${this.maxAttempts} attempts; retry the step`,
    );
  }
}

/** When a hold last changed state. */
function lastChangeOf(hold: Hold): string {
  return hold.refundedAt ?? hold.postedAt ?? hold.voidedAt ?? hold.reservedAt;
}
