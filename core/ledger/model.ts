import { z } from 'zod';
import { CURRENCIES, type Currency } from '../money';

/**
 * What the ledger stores, validated when read back so a hand-edited or
 * half-migrated item fails loudly instead of moving money on a guess.
 */

export const HOLD_STATES = ['PENDING', 'POSTED', 'VOIDED', 'EXPIRED', 'REFUNDED'] as const;
export type HoldState = (typeof HOLD_STATES)[number];

export const LEDGER_OPERATIONS = ['deposit', 'reserve', 'settle', 'release', 'expire', 'refund'] as const;
export type LedgerOperation = (typeof LEDGER_OPERATIONS)[number];

const CurrencyCode = z.enum(CURRENCIES as [Currency, ...Currency[]]);
const MinorUnits = z.number().int();
const IsoInstant = z.string().min(1);

/**
 * One payment's hold on the payer's wallet, and its whole two-phase life.
 * The entry is the per-payment operation marker: its state says which ledger
 * operations were applied, and it keeps every value needed to write their
 * journal entries again after a crash (deterministic, so a rewrite is a no-op).
 */
export const HoldSchema = z.object({
  state: z.enum(HOLD_STATES),
  /** Minor units held at reserve time; 0 for a tombstone left by a release that found no hold. */
  amount: MinorUnits.nonnegative(),
  expiresAt: IsoInstant,
  reservedAt: IsoInstant,
  merchantId: z.string().optional(),
  captured: MinorUnits.nonnegative().optional(),
  postedAt: IsoInstant.optional(),
  voidedAt: IsoInstant.optional(),
  refunded: MinorUnits.nonnegative().optional(),
  refundId: z.string().optional(),
  refundedAt: IsoInstant.optional(),
  /** True when release ran before any reserve: blocks a late reserve from placing a hold nobody releases. */
  tombstone: z.boolean().optional(),
});
export type Hold = z.infer<typeof HoldSchema>;

export const DepositSchema = z.object({ amount: MinorUnits.positive(), at: IsoInstant });
export type DepositRecord = z.infer<typeof DepositSchema>;

export const WalletSchema = z.object({
  walletId: z.string(),
  currency: CurrencyCode,
  available: MinorUnits,
  held: MinorUnits,
  holds: z.record(z.string(), HoldSchema),
  deposits: z.record(z.string(), DepositSchema),
  createdAt: IsoInstant,
  /**
   * Set by compactWallet: markers of operations closed before this instant were
   * removed from the item (its 400 KB limit); their journal entries remain.
   */
  compactedThrough: IsoInstant.optional(),
});
export type Wallet = z.infer<typeof WalletSchema>;

export const PostingLineSchema = z.object({ account: z.string(), amount: MinorUnits });
export type PostingLine = z.infer<typeof PostingLineSchema>;

export const JournalEntrySchema = z.object({
  /** `<ref>#<operation>`: unique, the idempotency key of the posting. */
  entryId: z.string(),
  /** The paymentId, or `deposit:<depositId>` for deposits. */
  ref: z.string(),
  operation: z.enum(LEDGER_OPERATIONS),
  walletId: z.string(),
  merchantId: z.string().optional(),
  currency: CurrencyCode,
  lines: z.array(PostingLineSchema).min(2),
  /** When the operation took effect on the wallet (from the wallet's marker, so rewrites are identical). */
  effectiveAt: IsoInstant,
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;
