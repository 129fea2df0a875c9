import type { ResolutionView } from '../payments/resolution';

/**
 * What reconciliation can find, each with the action a person takes. Kinds
 * are stable identifiers (scripts match on them); messages are for people.
 */
export const DISCREPANCY_KINDS = {
  charged_not_refunded: 'charged at the gateway, but the saga failed and the charge was not refunded',
  failed_wallet_part_settled:
    "payment told failed, but its wallet part stands settled to the merchant (the payer's money not given back)",
  refunded_twice: 'refunded more than once, or more than was charged',
  refunded_after_success:
    'refunded at the gateway although the saga succeeded and the ledger still credits the merchant',
  hold_open_past_expiry: 'hold still open past its expiry',
  hold_open_after_saga: 'hold still open although the saga has ended',
  journal_unbalanced: 'journal entry whose lines do not sum to zero',
  succeeded_without_charge: 'payment succeeded without a gateway charge',
  succeeded_not_settled: 'payment succeeded but the ledger has no settlement for it',
  charged_twice: 'more than one gateway charge for one payment',
  amount_mismatch: 'gateway charge amount or currency differs from the payment',
  unknown_charge: 'gateway charge that no paysaga payment accounts for',
  top_up_charged_not_credited: 'gateway top-up charge, not refunded, with no wallet credit',
  top_up_credited_not_charged: 'wallet credited by a top-up that has no gateway charge',
  top_up_refunded_and_credited: 'top-up charge refunded although the wallet keeps the credit',
  top_up_amount_mismatch: 'top-up charge amount or currency differs from the wallet credit',
  top_up_charged_twice: 'more than one gateway charge for one top-up',
  refund_not_posted:
    'refund refunded at the gateway or SUCCEEDED, but the ledger has no refund_part reversal for it',
  refund_not_at_gateway: 'refund whose card part the ledger reversed (or SUCCEEDED) with no gateway refund',
  refund_over_captured:
    'refunds of a payment exceed what was captured, in total or per source (wallet, card)',
  refund_amount_mismatch:
    'refund amounts differ between its record, its reservation, the ledger and the gateway',
  refund_outcome_mismatch:
    "refund saga's outcome contradicts the money: FAILED with a reversal or gateway refund, a reservation left open, SUCCEEDED not confirmed",
  refund_gateway_unrecorded: 'gateway refund naming a refundId that no refund record knows',
} as const;

export type DiscrepancyKind = keyof typeof DISCREPANCY_KINDS;

export interface Discrepancy {
  readonly kind: DiscrepancyKind;
  /** One line a person can act on: what is off, with ids and amounts. */
  readonly message: string;
  /** What to do about it. */
  readonly action: string;
  readonly paymentId?: string;
  readonly chargeId?: string;
  readonly refundIds?: readonly string[];
  readonly walletId?: string;
  readonly entryId?: string;
  readonly amountMinor?: number;
  readonly currency?: string;
  /**
   * The resolution of a payment a person resolved (`payctl payments resolve`): its outcome, who and when.
   * The payment is judged by that outcome, so a finding that carries it is still a discrepancy: the money
   * contradicts what the merchant was told (core/payments/resolution.ts).
   */
  readonly resolution?: ResolutionView;
  /**
   * Set when the finding is what the resolution accounts for (a card part kept and settled by hand):
   * reported, as resolved by them, but not counted as a discrepancy.
   */
  readonly resolved?: { readonly by: string; readonly at: string; readonly reason?: string };
}
