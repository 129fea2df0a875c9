import type {
  AdjustInput,
  AmountInput,
  CardPartInput,
  RefundInput,
  ReleaseInput,
  ReserveInput,
  SettleInput,
} from './inputs';
import { refundCard, settleCard } from './ops/card';
import { completeMarkers, type OpContext, opContext } from './ops/context';
import { adjust, deposit } from './ops/credit';
import { openWallet } from './ops/open';
import { refund, settle } from './ops/post';
import { postRefundPart, type RefundPartInput, type RefundPartResult } from './ops/refund-part';
import { reserve } from './ops/reserve';
import { type ExpireOptions, expireHoldsOf, release } from './ops/void';
import type {
  AdjustResult,
  CardPartResult,
  DepositResult,
  LedgerOptions,
  OpenWalletResult,
  RefundResult,
  ReleaseResult,
  ReserveResult,
  SettleResult,
  SweepResult,
} from './results';

export type { ExpireOptions } from './ops/void';
export * from './results';

/**
 * The two-phase ledger (TigerBeetle-style pending transfers) on single-item
 * conditional writes. The wallet item holds its balances and the holds open
 * now (plus, for a moment, the marker of an operation being journaled); every
 * closed hold, deposit and adjustment lives in the journal. Each operation is
 * one file of ops/ (write order and crash safety: ops/context.ts); every
 * DynamoDB expression is a named write of the store (store.ts, store-holds.ts,
 * store-credits.ts). This class is the facade over all of them, for callers
 * that use many; a caller that uses few calls them alone (operations.ts), so
 * its bundle holds only those (a class's methods cannot be tree-shaken).
 */
export class Ledger {
  private readonly ctx: OpContext;

  constructor(options: LedgerOptions) {
    this.ctx = opContext(options);
  }

  openWallet(walletId: string, currency: string): Promise<OpenWalletResult> {
    return openWallet(this.ctx, walletId, currency);
  }

  deposit(walletId: string, amount: AmountInput, depositId: string): Promise<DepositResult> {
    return deposit(this.ctx, { walletId, amount, depositId });
  }

  /** A manual credit (amount > 0) or debit (< 0) against the adjustments account, once per adjustmentId. */
  adjust(
    walletId: string,
    amount: AdjustInput['amount'],
    adjustmentId: string,
    reason: string,
  ): Promise<AdjustResult> {
    return adjust(this.ctx, { walletId, amount, adjustmentId, reason });
  }

  reserve(request: ReserveInput): Promise<ReserveResult> {
    return reserve(this.ctx, request);
  }

  settle(request: SettleInput): Promise<SettleResult> {
    return settle(this.ctx, request);
  }

  /** A payment's card part to the merchant (gateway -g, merchant +g), once per payment. */
  settleCard(request: CardPartInput): Promise<CardPartResult> {
    return settleCard(this.ctx, request);
  }

  /** Reverses a payment's settled card part (merchant -g, gateway +g); undefined when none was settled. */
  refundCard(request: Pick<CardPartInput, 'paymentId' | 'walletId'>): Promise<CardPartResult | undefined> {
    return refundCard(this.ctx, request);
  }

  release(request: ReleaseInput): Promise<ReleaseResult> {
    return release(this.ctx, request);
  }

  refund(request: RefundInput): Promise<RefundResult> {
    return refund(this.ctx, request);
  }

  /** A refund saga's reversal of one refund: wallet part to the wallet, gateway part to the gateway account. */
  refundPart(request: RefundPartInput): Promise<RefundPartResult> {
    return postRefundPart(this.ctx, request);
  }

  /**
   * Voids the wallet's expired pending holds (journal operation `expire`),
   * asking `skip` first for each one (a hold whose saga may still use it is
   * kept); returns what this call voided. Idempotent.
   */
  async expireHolds(walletId: string, options: ExpireOptions = {}): Promise<SweepResult> {
    const wallet = await this.ctx.store.getWallet(walletId);
    if (!wallet) return { expired: [] };
    return expireHoldsOf(this.ctx, wallet, options);
  }

  /**
   * Finishes every operation an interruption left between its writes: writes
   * the journal entries the wallet's markers imply and removes closed markers
   * (also a wallet item written before closed holds left it: its migration).
   * Returns how many markers it completed. Idempotent; the sweep runs it too.
   */
  async repairJournal(walletId: string): Promise<number> {
    const wallet = await this.ctx.store.getWallet(walletId);
    if (!wallet) return 0;
    return completeMarkers(this.ctx, wallet, true);
  }

  /** Expiry sweep (and journal repair) of the given wallets, e.g. `ledger.sweepExpiredHolds(reader.walletIds())`. */
  async sweepExpiredHolds(
    walletIds: Iterable<string> | AsyncIterable<string>,
    options: ExpireOptions = {},
  ): Promise<SweepResult> {
    const expired: Array<SweepResult['expired'][number]> = [];
    for await (const walletId of walletIds) {
      expired.push(...(await this.expireHolds(walletId, options)).expired);
      await this.repairJournal(walletId);
    }
    return { expired };
  }
}
