import { amountView, formatAmount } from '../../core/history/amounts';
import type { ResolutionAction, ResolutionOutcome } from '../../core/payments/records';
import type { ResolveFacts } from './resolve-plan';

/**
 * What the merchant is told of a resolved payment (payment.succeeded or
 * payment.failed), read from the gateway and the ledger as the plan found them:
 *   --refund / --release      the money goes back: failed
 *   --mark-resolved           nothing of the customer's money stands taken (no
 *                             charge standing, nothing held or posted): failed;
 *                             money stands taken: the operator says which
 *                             (--outcome succeeded: kept and settled by hand;
 *                             --outcome failed: given back by hand)
 * `succeeded` is refused when the books contradict it: a card part that was
 * never charged or was refunded (in part or whole), or a wallet part given
 * back, or one only held (PENDING: the hold-expiry sweeper would give it back
 * to the payer, so the merchant would be told of money they never get).
 */

export interface MerchantOutcome {
  /** Undefined when it is refused, or the operator must say it. */
  readonly outcome?: ResolutionOutcome;
  /** The standing charge a payment.succeeded names ('' when the wallet paid it all). */
  readonly chargeId?: string;
  /** Why this outcome: what the gateway and the ledger hold. */
  readonly basis: string;
  readonly refusal?: string;
}

const money = (minor: number, currency: string) => formatAmount(amountView(minor, currency));

/** The charge's part not refunded yet (0 when nothing is charged). */
export function outstandingCharge(facts: Pick<ResolveFacts, 'charge' | 'refunds'>): number {
  if (facts.charge.kind !== 'one') return 0;
  return Math.max(0, facts.charge.amount - facts.refunds.reduce((sum, r) => sum + r.amount.value, 0));
}

/** Whether any of the customer's money stands taken: a charge not refunded, a hold held or posted. */
function moneyStandsTaken(facts: ResolveFacts): boolean {
  const held = facts.hold && !facts.hold.tombstone && ['PENDING', 'POSTED'].includes(facts.hold.state);
  return facts.charge.kind === 'several' || outstandingCharge(facts) > 0 || Boolean(held);
}

/** Why payment.succeeded would contradict the books; undefined when they bear it out. */
function succeededContradiction(facts: ResolveFacts): string | undefined {
  const { payment, charge, refunds, hold } = facts;
  // A record from before the wallet-first split held and charged the whole amount.
  const walletPart = payment.walletAmount ?? (hold && !hold.tombstone ? hold.amount : 0);
  const cardPart =
    payment.gatewayAmount ??
    (payment.walletAmount === undefined ? payment.amount : payment.amount - payment.walletAmount);
  if (cardPart > 0 && charge.kind === 'none') {
    return `the gateway has no charge for the card part (${money(cardPart, payment.currency)})`;
  }
  if (charge.kind === 'one' && refunds.length > 0) {
    return `charge ${charge.chargeId} was refunded (${refunds.map((r) => r.refundId).join(', ')})`;
  }
  if (walletPart > 0 && hold?.state !== 'POSTED') {
    const state = !hold || hold.tombstone ? 'not held' : hold.state;
    return hold?.state === 'PENDING'
      ? `the wallet part (${money(walletPart, payment.currency)}) is only held (PENDING), not settled to ${payment.merchantId}: the hold-expiry sweeper would give it back to the payer; nothing here posts it`
      : `the wallet part (${money(walletPart, payment.currency)}) is ${state}: given back to the payer`;
  }
  return undefined;
}

/** The outcome resolving with `action` tells the merchant, or why it is refused, or that it must be said. */
export function merchantOutcome(
  facts: ResolveFacts,
  action: ResolutionAction,
  asked: ResolutionOutcome | undefined,
): MerchantOutcome {
  const { payment, charge } = facts;
  if (action !== 'mark_resolved') {
    const basis = `--${action} gives the customer's money back`;
    if (asked === 'succeeded') {
      return { basis, refusal: `--outcome succeeded contradicts --${action}: the payment fails` };
    }
    return { outcome: 'failed', basis };
  }
  if (!moneyStandsTaken(facts)) {
    const basis =
      "nothing of the customer's money stands taken: no charge standing at the gateway, nothing held or posted in the ledger";
    if (asked === 'succeeded') {
      return { basis, refusal: `--outcome succeeded contradicts the books: ${basis}` };
    }
    return { outcome: 'failed', basis };
  }
  const basis = `money stands taken (gateway: ${charge.kind === 'one' ? `${charge.chargeId}, ${money(outstandingCharge(facts), charge.currency)} not refunded` : charge.kind === 'several' ? 'several charges' : 'no charge'}; ledger: hold ${facts.hold && !facts.hold.tombstone ? facts.hold.state : 'none'})`;
  if (asked === undefined) {
    return {
      basis,
      refusal: `payment ${payment.paymentId}: ${basis}; say what the merchant is told: --outcome succeeded (the charge is kept, settled by hand) or --outcome failed (the money was given back by hand)`,
    };
  }
  if (asked === 'failed') return { outcome: 'failed', basis };
  const contradiction = succeededContradiction(facts);
  if (contradiction) {
    return {
      basis,
      refusal: `payment ${payment.paymentId}: --outcome succeeded contradicts the books: ${contradiction}`,
    };
  }
  const chargeId = charge.kind === 'one' ? charge.chargeId : (payment.chargeId ?? '');
  return { outcome: 'succeeded', chargeId, basis };
}
