import { SendMessageCommand } from '../../core/aws/sqs';
import { required } from '../../core/config/env';
import { type MerchantNotification, notificationMessage } from '../../core/saga/notification';
import { sqs } from './clients/sqs';
import { env } from './env';

/**
 * Puts a merchant notification on the notification queue (the webhook
 * fan-out consumes it). At least once: a retried step sends the same
 * notificationId again, and the fan-out dedupes on it.
 */
export async function queueNotification(notification: MerchantNotification): Promise<string> {
  const sent = await sqs.send(
    new SendMessageCommand(notificationMessage(required(env, 'notificationQueueUrl'), notification)),
  );
  return sent.MessageId ?? '';
}
