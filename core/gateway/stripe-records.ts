import { LedgerInvariantError } from '../errors';
import { type Currency, isCurrency, type Money } from '../money';
import type { ChargeRecord, RefundRecord } from './port';
import type { PaymentIntent, Refund } from './stripe-resources';
import { fromStripeAmount } from './stripe-units';

/** Stripe's PaymentIntents and Refunds as the gateway port's records. */

/** Stripe amounts are in Stripe's units (stripe-units.ts: ISK, three-decimal...) and currencies lowercase. */
function moneyFrom(amount: number, currency: string, what: string): Money {
  const code = currency.toUpperCase();
  if (!isCurrency(code)) {
    throw new LedgerInvariantError(
      `${what}: the gateway reports currency ${code}, which paysaga does not know`,
    );
  }
  return fromStripeAmount(amount, code, what);
}

const isoFromEpoch = (seconds: number): string => new Date(seconds * 1000).toISOString();

export function chargeFrom(intent: PaymentIntent): ChargeRecord {
  const amount = moneyFrom(intent.amount, intent.currency, `charge ${intent.id}`);
  return {
    chargeId: intent.id,
    amount,
    currency: amount.currency as Currency,
    status: intent.status === 'processing' ? 'processing' : 'succeeded',
    created: isoFromEpoch(intent.created),
    paymentId: intent.metadata?.paymentId,
  };
}

export function refundFrom(refund: Refund, paymentId: string | undefined): RefundRecord {
  const amount = moneyFrom(refund.amount, refund.currency, `refund ${refund.id}`);
  const chargeId =
    typeof refund.payment_intent === 'string' ? refund.payment_intent : refund.payment_intent?.id;
  return {
    refundId: refund.id,
    chargeId: chargeId ?? '',
    amount,
    currency: amount.currency as Currency,
    status: refund.status === 'succeeded' ? 'succeeded' : 'pending',
    created: isoFromEpoch(refund.created),
    paymentId: refund.metadata?.paymentId ?? paymentId,
    ...(refund.metadata?.refundId && { sagaRefundId: refund.metadata.refundId }),
  };
}
