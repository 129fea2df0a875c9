import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type MerchantNotification, notificationId, notificationMessage } from '../../core/saga/notification';

/** The payment.succeeded notification Notify queues for a settled payment (EUR 12.50, settled at `at`). */
export function paymentSucceeded(paymentId: string, at: Date = new Date()): MerchantNotification {
  const kind = 'payment.succeeded' as const;
  return {
    notificationId: notificationId(kind, paymentId),
    kind,
    occurredAt: at.toISOString(),
    paymentId,
    merchantId: 'mer_bookshop',
    amount: { value: 1250, currency: 'EUR', exponent: 2 },
    chargeId: `ch_${paymentId}`,
    settledAt: at.toISOString(),
  };
}

/** Puts a notification on the notification queue at `queueUrl`, as the saga steps do; answers its event id. */
export async function queueNotification(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  notification: MerchantNotification,
): Promise<string> {
  await sqs.send(new SendMessageCommand(notificationMessage(queueUrl, notification)));
  return notification.notificationId;
}
