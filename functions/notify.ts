import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { required } from '../core/config/env';
import { merchantNotification } from '../core/saga/notification';
import { NotifyInput, type NotifyOutput } from '../core/saga/state';
import { sqs } from './commons/clients/sqs';
import { env } from './commons/env';
import { sagaStep } from './commons/saga-step';

/** Notify: queues the merchant notification; idempotent, so a retry does not notify twice. */
export const handler = sagaStep({
  name: 'notify',
  input: NotifyInput,
  run: async (input): Promise<NotifyOutput> => {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: required(env, 'notificationQueueUrl'),
        MessageBody: JSON.stringify(merchantNotification(input)),
        MessageAttributes: { paymentId: { DataType: 'String', StringValue: input.payment.paymentId } },
      }),
    );
    return { messageId: sent.MessageId ?? '' };
  },
});
