import type { NotifyInput } from './state';

/** The merchant notification queued by Notify; consumers deliver it to the merchant's webhook. */
export interface MerchantNotification {
  readonly kind: 'payment.succeeded';
  readonly paymentId: string;
  readonly merchantId: string;
  readonly amount: NotifyInput['payment']['amount'];
  readonly chargeId: string;
  readonly settledAt: string;
  readonly executionArn: string;
}

export function merchantNotification(input: NotifyInput): MerchantNotification {
  return {
    kind: 'payment.succeeded',
    paymentId: input.payment.paymentId,
    merchantId: input.payment.merchantId,
    amount: input.payment.amount,
    chargeId: input.charge.chargeId,
    settledAt: input.settle.postedAt,
    executionArn: input.executionArn,
  };
}
