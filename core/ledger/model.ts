import '../config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../config/deferred-schema';
import { CURRENCIES, type Currency } from '../money';

/**
 * What the ledger stores, validated when read back so a hand-edited or
 * half-migrated item fails loudly instead of moving money on a guess.
 */

export const HOLD_STATES = ['PENDING', 'POSTED', 'VOIDED', 'EXPIRED', 'REFUNDED'] as const;
export type HoldState = (typeof HOLD_STATES)[number];

export const LEDGER_OPERATIONS = [
  'deposit',
  'reserve',
  'settle',
  'release',
  'expire',
  'refund',
  'adjust',
  'settle_card',
  'refund_card',
  'refund_part',
] as const;
export type LedgerOperation = (typeof LEDGER_OPERATIONS)[number];

/**
 * A payment's card part (wallet first: the gateway charged what the wallet did not cover) posts
 * gateway -> merchant at Settle and back at a reversal. These entries name the payer's wallet
 * (walletId) but touch none of its accounts: no marker, no sequence number, not on its statement.
 */
export const CARD_OPERATIONS: readonly LedgerOperation[] = ['settle_card', 'refund_card'];
export const isCardEntry = (entry: { readonly operation: LedgerOperation }): boolean =>
  CARD_OPERATIONS.includes(entry.operation);

const CurrencyCode = deferred(() => z.enum(CURRENCIES as [Currency, ...Currency[]]));
const MinorUnits = deferred(() => z.number().check(z.int()));
const IsoInstant = deferred(() => z.string().check(z.minLength(1)));

const Seq = deferred(() => z.number().check(z.int(), z.nonnegative()));

/**
 * One payment's hold on the payer's wallet. On the wallet item it is the
 * per-payment operation marker: PENDING while the hold is open; a closed state
 * (POSTED, VOIDED, EXPIRED, REFUNDED) only between the conditional write that
 * closed it and the removal of the marker once its journal entries exist. It
 * keeps every value needed to write those entries again after a crash
 * (deterministic, so a rewrite is a no-op): the wallet sequence number and the
 * available balance after each operation included. A closed hold is rebuilt
 * from the journal (holdFromEntries).
 */
export const HoldSchema = deferred(() =>
  z.object({
    state: z.enum(HOLD_STATES),
    /** Minor units held at reserve time; 0 for a tombstone left by a release that found no hold. */
    amount: MinorUnits.check(z.nonnegative()),
    expiresAt: IsoInstant,
    reservedAt: IsoInstant,
    merchantId: z.optional(z.string()),
    captured: z.optional(MinorUnits.check(z.nonnegative())),
    postedAt: z.optional(IsoInstant),
    voidedAt: z.optional(IsoInstant),
    refunded: z.optional(MinorUnits.check(z.nonnegative())),
    refundId: z.optional(z.string()),
    refundedAt: z.optional(IsoInstant),
    /** Items written before the tombstone moved to the journal partition (keys.ts): release before reserve. */
    tombstone: z.optional(z.boolean()),
    /** Wallet sequence number and available balance after the reserve, the close (settle|release|expire), the refund. */
    reserveSeq: z.optional(Seq),
    reserveBalance: z.optional(MinorUnits),
    closeSeq: z.optional(Seq),
    closeBalance: z.optional(MinorUnits),
    refundSeq: z.optional(Seq),
    refundBalance: z.optional(MinorUnits),
  }),
);
export type Hold = z.infer<typeof HoldSchema>;

/** A deposit's marker, on the wallet only until its journal entry exists. */
export const DepositSchema = deferred(() =>
  z.object({
    amount: MinorUnits.check(z.positive()),
    at: IsoInstant,
    seq: z.optional(Seq),
    balanceAfter: z.optional(MinorUnits),
  }),
);
export type DepositRecord = z.infer<typeof DepositSchema>;

/** A manual adjustment's marker (signed amount), on the wallet only until its journal entry exists. */
export const AdjustmentSchema = deferred(() =>
  z.object({
    amount: MinorUnits,
    at: IsoInstant,
    reason: z.string(),
    seq: Seq,
    balanceAfter: MinorUnits,
  }),
);
export type AdjustmentRecord = z.infer<typeof AdjustmentSchema>;

/**
 * A refund's marker (refund saga, ops/refund-part.ts), on the wallet only until its journal entry
 * exists: the wallet part goes back to the wallet, the gateway part back through the gateway account.
 */
export const RefundPartSchema = deferred(() =>
  z.object({
    paymentId: z.string(),
    refundId: z.string(),
    merchantId: z.string(),
    walletAmount: MinorUnits.check(z.nonnegative()),
    gatewayAmount: MinorUnits.check(z.nonnegative()),
    at: IsoInstant,
    seq: z.optional(Seq),
    balanceAfter: z.optional(MinorUnits),
  }),
);
export type RefundPartRecord = z.infer<typeof RefundPartSchema>;

export const WalletSchema = deferred(() =>
  z.object({
    walletId: z.string(),
    currency: CurrencyCode,
    available: MinorUnits,
    held: MinorUnits,
    /** Open holds (PENDING), plus closed ones whose journal entries are being written. */
    holds: z.record(z.string(), HoldSchema),
    deposits: z.record(z.string(), DepositSchema),
    adjustments: z.optional(z.record(z.string(), AdjustmentSchema)),
    /** Refund parts being journaled (keyed `<paymentId>:<refundId>`); absent on wallets never refunded so. */
    refunds: z.optional(z.record(z.string(), RefundPartSchema)),
    createdAt: IsoInstant,
    /**
     * The wallet's version: +1 on every write that moves money or decides on
     * the absence of a marker. Journal entries carry it (statement order).
     * Absent on items written before it existed: read as 0.
     */
    seq: z.optional(Seq),
    /** A lower bound of the earliest expiresAt of the open holds (sparse expiry index); absent when none. */
    nextExpiry: z.optional(IsoInstant),
    /** The guard counters (keys.ts `g<n>`), read so a reserve can require them unchanged. */
    guards: z.optional(z.record(z.string(), z.number())),
    /** Written by the old compactWallet; kept so old items still parse. */
    compactedThrough: z.optional(IsoInstant),
  }),
);
export type Wallet = z.infer<typeof WalletSchema>;

export const PostingLineSchema = deferred(() => z.object({ account: z.string(), amount: MinorUnits }));
export type PostingLine = z.infer<typeof PostingLineSchema>;

export const JournalEntrySchema = deferred(() =>
  z.object({
    /** `<ref>#<operation>`: unique, the idempotency key of the posting. */
    entryId: z.string(),
    /** The paymentId, or `deposit:<depositId>` for deposits. */
    ref: z.string(),
    operation: z.enum(LEDGER_OPERATIONS),
    walletId: z.string(),
    merchantId: z.optional(z.string()),
    currency: CurrencyCode,
    lines: z.array(PostingLineSchema).check(z.minLength(2)),
    /** When the operation took effect on the wallet (from the wallet's marker, so rewrites are identical). */
    effectiveAt: IsoInstant,
    /** The wallet's sequence number of this operation, and its available balance right after it. */
    seq: z.optional(Seq),
    balanceAfter: z.optional(MinorUnits),
    /** reserve: the hold's expiry; refund: the gateway's refund id; adjust: why. */
    expiresAt: z.optional(IsoInstant),
    refundId: z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
);
export type JournalEntry = z.infer<typeof JournalEntrySchema>;
