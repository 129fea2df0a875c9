import type { Currency } from '../money';
import type { HoldState, LedgerOperation, Wallet } from './model';
import type { LedgerDocumentClient } from './store';

/** What the ledger's operations take and answer (core/ledger/ledger.ts). */

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
  /** Minor units held: the wallet part (with upToAvailable it may be less than requested, or 0). */
  readonly amount: number;
  /** What the caller asked for; `requested - amount` is left for the payment method (wallet first). */
  readonly requested: number;
  readonly currency: Currency;
  readonly expiresAt: string;
  /**
   * PENDING after a fresh reserve; a replay reports where the hold is now (PENDING, POSTED or REFUNDED);
   * NONE when upToAvailable found nothing available (no hold placed, nothing written).
   */
  readonly state: HoldState | 'NONE';
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

/** A payment's card part as the journal has it (settle_card or refund_card). */
export interface CardPartResult {
  readonly paymentId: string;
  readonly walletId: string;
  readonly merchantId: string;
  readonly amount: number;
  readonly currency: Currency;
  readonly postedAt: string;
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

export interface AdjustResult {
  readonly walletId: string;
  readonly adjustmentId: string;
  /** Signed minor units: > 0 credited the wallet, < 0 debited it. */
  readonly amount: number;
  readonly currency: Currency;
  readonly balanceAfter: number;
  readonly replayed: boolean;
}

/** One line of a wallet's statement: a journal entry seen from the wallet's available balance. */
export interface StatementLine {
  readonly entryId: string;
  readonly operation: LedgerOperation;
  /** The paymentId, `deposit:<depositId>` or `adjust:<adjustmentId>`. */
  readonly ref: string;
  /**
   * Signed effect on the available balance: a reserve lowers it by the hold,
   * a settle gives back an uncaptured rest (0 for a full capture), release,
   * expire, refund and deposit raise it, an adjustment either way.
   */
  readonly amount: number;
  /** The exact available balance right after this entry (the wallet's sequence order). */
  readonly balanceAfter: number;
  readonly effectiveAt: string;
}

export interface Statement {
  readonly lines: StatementLine[];
  /** Opaque; pass it back for the next (older) page. Absent on the last page. */
  readonly nextCursor?: string;
}
