import { SendMessageCommand } from '../core/aws/sqs';
import { required } from '../core/config/env';
import { merchantNotification } from '../core/saga/notification';
import { NotifyInput, type NotifyOutput } from '../core/saga/state';
import { sqs } from './commons/clients/sqs';
import { env } from './commons/env';
import { sagaStep } from './commons/saga-step';

/**
 * Notify: queues the merchant notification; idempotent, so a retry does not
 * notify twice, except after a crash between SendMessage and saving the
 * idempotency record: delivery is at-least-once, and every copy carries the
 * same notificationId (body and message attribute) for consumers to dedupe on.
 */
export const handler = sagaStep({
  name: 'notify',
  input: NotifyInput,
  run: async (input): Promise<NotifyOutput> => {
    const notification = merchantNotification(input);
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: required(env, 'notificationQueueUrl'),
        MessageBody: JSON.stringify(notification),
        MessageAttributes: {
          paymentId: { DataType: 'String', StringValue: notification.paymentId },
          notificationId: { DataType: 'String', StringValue: notification.notificationId },
        },
      }),
    );
    return { messageId: sent.MessageId ?? '' };
  },
});
