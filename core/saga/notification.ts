import { createHash } from 'node:crypto';
import type { NotifyInput } from './state';

export type NotificationKind = 'payment.succeeded';

/**
 * The merchant notification queued by Notify; consumers deliver it to the
 * merchant's webhook. Delivery is at-least-once: a crash between SendMessage
 * and saving Notify's idempotency record queues it again, so consumers dedupe
 * on `notificationId`, the same for every copy of one payment's notification.
 */
export interface MerchantNotification {
  readonly notificationId: string;
  readonly kind: NotificationKind;
  readonly paymentId: string;
  readonly merchantId: string;
  readonly amount: NotifyInput['payment']['amount'];
  readonly chargeId: string;
  readonly settledAt: string;
  readonly executionArn: string;
}

/** `ntf_` + 32 hex digits of sha256(kind, paymentId): one id per payment and outcome, whoever sends it. */
export function notificationId(kind: NotificationKind, paymentId: string): string {
  return `ntf_${createHash('sha256').update(`${kind}\n${paymentId}`).digest('hex').slice(0, 32)}`;
}

export function merchantNotification(input: NotifyInput): MerchantNotification {
  const kind: NotificationKind = 'payment.succeeded';
  return {
    notificationId: notificationId(kind, input.payment.paymentId),
    kind,
    paymentId: input.payment.paymentId,
    merchantId: input.payment.merchantId,
    amount: input.payment.amount,
    chargeId: input.charge.chargeId,
    settledAt: input.settle.postedAt,
    executionArn: input.executionArn,
  };
}
