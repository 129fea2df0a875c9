import { SendMessageCommand } from '../core/aws/sqs';
import { required } from '../core/config/env';
import { merchantNotification } from '../core/saga/notification';
import { NotifyInput, type NotifyOutput } from '../core/saga/state';
import { sqs } from './commons/clients/sqs';
import { env } from './commons/env';
import { sagaStepWithoutRecord } from './commons/payment-step';

/**
 * Notify: queues the merchant notification. It keeps no idempotency record
 * (core/saga/steps-records.ts): SendMessage is at-least-once anyway, a retry
 * sends again, and every copy carries the same notificationId (body and
 * message attribute) for consumers to dedupe on.
 */
export const handler = sagaStepWithoutRecord({
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
