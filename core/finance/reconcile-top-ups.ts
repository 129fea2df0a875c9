import { LedgerInvariantError } from '../errors';
import type { ChargeRecord, PaymentGateway, RefundRecord } from '../gateway/port';
import { amountView, formatAmount } from '../history/amounts';
import type { JournalEntry } from '../ledger/model';
import { gatewayRefOf, topUpIdOfGatewayRef } from '../topups/keys';
import type { TopUpRecord } from '../topups/store';
import type { Discrepancy } from './discrepancy';

/**
 * Top-up reconciliation: every gateway top-up charge (key `topup:<topUpId>`)
 * has its wallet credit (the deposit journal entry with depositId = topUpId)
 * unless it was refunded, and every deposit of a top-up has its charge, for
 * the same amount. Fed by reconcile() with the period's top-up charges and
 * deposit entries; memory grows with the period's top-ups only.
 */
export interface TopUpReconcileSources {
  readonly topUps: { get(topUpId: string): Promise<TopUpRecord | undefined> };
  readonly deposits: { listDepositEntries(depositId: string): Promise<JournalEntry[]> };
}

/** Top-ups still on their way (the saga may credit or refund yet): not judged. */
const IN_FLIGHT = new Set(['ACCEPTED', 'CHARGED']);
const DEPOSIT_PREFIX = 'deposit:';

const credited = (entry: JournalEntry): number =>
  entry.lines.find((line) => line.account === `wallet:${entry.walletId}`)?.amount ?? 0;

export class TopUpReconciler {
  private readonly charges = new Map<string, ChargeRecord[]>();
  private readonly deposits = new Map<string, JournalEntry>();
  private checked = 0;

  constructor(
    private readonly sources: TopUpReconcileSources,
    private readonly gateway: Pick<PaymentGateway, 'findChargeByPaymentId'>,
    private readonly refundsByCharge: ReadonlyMap<string, readonly RefundRecord[]>,
    private readonly emit: (discrepancy: Discrepancy) => void,
  ) {}

  /** Takes a charge of the period if it is a top-up's; false for a payment's. */
  charge(charge: ChargeRecord): boolean {
    const topUpId = topUpIdOfGatewayRef(charge.paymentId);
    if (topUpId === undefined) return false;
    this.charges.set(topUpId, [...(this.charges.get(topUpId) ?? []), charge]);
    return true;
  }

  /** Takes a journal entry of the period: deposits may be top-up credits. */
  entry(entry: JournalEntry): void {
    if (entry.operation === 'deposit' && entry.ref.startsWith(DEPOSIT_PREFIX))
      this.deposits.set(entry.ref.slice(DEPOSIT_PREFIX.length), entry);
  }

  /** Checks every top-up seen; returns how many. */
  async finish(): Promise<number> {
    for (const [topUpId, charges] of this.charges) {
      const deposit =
        this.deposits.get(topUpId) ?? (await this.sources.deposits.listDepositEntries(topUpId))[0];
      await this.checkCharged(topUpId, charges, deposit);
    }
    for (const [topUpId, deposit] of this.deposits) {
      if (this.charges.has(topUpId)) continue;
      const record = await this.sources.topUps.get(topUpId);
      if (!record) continue; // a deposit no top-up made (seeded funds): not a top-up's credit
      const charges = await this.chargesAnywhere(topUpId);
      if (charges) await this.checkCharged(topUpId, charges, deposit, record);
    }
    return this.checked;
  }

  private async chargesAnywhere(topUpId: string): Promise<ChargeRecord[] | undefined> {
    try {
      const found = await this.gateway.findChargeByPaymentId(gatewayRefOf(topUpId));
      return found ? [{ ...found, paymentId: gatewayRefOf(topUpId) }] : [];
    } catch (error) {
      if (!(error instanceof LedgerInvariantError)) throw error;
      this.emit({
        kind: 'top_up_charged_twice',
        message: `top-up ${topUpId}: ${error.message}`,
        action: 'refund every charge of the top-up but one at the gateway, then re-run reconcile',
        paymentId: topUpId,
      });
      return undefined;
    }
  }

  private async checkCharged(
    topUpId: string,
    charges: readonly ChargeRecord[],
    deposit: JournalEntry | undefined,
    known?: TopUpRecord,
  ): Promise<void> {
    this.checked += 1;
    const walletId = deposit?.walletId ?? known?.walletId;
    const ids = { paymentId: topUpId, ...(walletId && { walletId }) };
    if (charges.length > 1) {
      this.emit({
        kind: 'top_up_charged_twice',
        message: `top-up ${topUpId} has ${charges.length} gateway charges (${charges.map((c) => c.chargeId).join(', ')})`,
        action: 'refund every charge but the one the wallet was credited for, then re-run reconcile',
        ...ids,
      });
    }
    const [charge] = charges;
    if (!charge) {
      if (deposit) {
        this.emit({
          kind: 'top_up_credited_not_charged',
          message: `wallet ${deposit.walletId} was credited ${formatAmount(amountView(credited(deposit), deposit.currency))} by top-up ${topUpId}, but the gateway has no charge for it`,
          action: 'find the charge (gateway dashboard) or reverse the credit with payctl wallets adjust',
          ...ids,
          entryId: deposit.entryId,
          amountMinor: credited(deposit),
          currency: deposit.currency,
        });
      }
      return;
    }
    const refunded = (this.refundsByCharge.get(charge.chargeId) ?? []).reduce(
      (sum, r) => sum + r.amount.value,
      0,
    );
    const money = { chargeId: charge.chargeId, amountMinor: charge.amount.value, currency: charge.currency };
    const shown = formatAmount(amountView(charge.amount.value, charge.currency));
    if (!deposit) {
      if (refunded >= charge.amount.value) return; // the compensation gave it back
      const record = known ?? (await this.sources.topUps.get(topUpId));
      if (record && IN_FLIGHT.has(record.status)) return;
      this.emit({
        kind: 'top_up_charged_not_credited',
        message: `top-up ${topUpId}: gateway charge ${charge.chargeId} of ${shown} at ${charge.created}, but no wallet was credited (top-up ${record?.status ?? 'unknown to paysaga'})`,
        action: 'credit the wallet with payctl wallets adjust, or refund the charge at the gateway',
        ...ids,
        ...money,
      });
      return;
    }
    if (refunded > 0) {
      this.emit({
        kind: 'top_up_refunded_and_credited',
        message: `top-up ${topUpId}: wallet ${deposit.walletId} keeps the credit of ${shown} although ${formatAmount(amountView(refunded, charge.currency))} of charge ${charge.chargeId} was refunded`,
        action: 'debit the wallet with payctl wallets adjust (or reverse the refund), then re-run reconcile',
        ...ids,
        ...money,
      });
    }
    if (credited(deposit) !== charge.amount.value || deposit.currency !== charge.currency) {
      this.emit({
        kind: 'top_up_amount_mismatch',
        message: `top-up ${topUpId}: charged ${shown}, credited ${formatAmount(amountView(credited(deposit), deposit.currency))}`,
        action: 'adjust the wallet to the charged amount with payctl wallets adjust',
        ...ids,
        ...money,
        entryId: deposit.entryId,
      });
    }
  }
}
