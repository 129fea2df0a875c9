import { type MerchantNotification, subjectIdOf } from '../saga/notification';
import type { WebhookEventRecord } from './model';

/**
 * The webhook body of a notification: `{id, type, created, data}` with the
 * notification id as `id` (the same on every retry and resend), `created` in
 * unix seconds, and the outcome's fields as `data` (internal ids such as the
 * execution ARN left out).
 */
export function webhookBody(notification: MerchantNotification): string {
  const { notificationId, kind, executionArn: _internal, ...data } = notification;
  return JSON.stringify({
    id: notificationId,
    type: kind,
    created: Math.floor(Date.parse(notification.occurredAt) / 1000),
    data,
  });
}

export function webhookEvent(
  notification: MerchantNotification,
  clientId: string,
  now: Date,
): WebhookEventRecord {
  return {
    eventId: notification.notificationId,
    type: notification.kind,
    clientId,
    subjectId: subjectIdOf(notification),
    body: webhookBody(notification),
    createdAt: now.toISOString(),
  };
}
