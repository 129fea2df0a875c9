import type { SqsService } from '../sqs/sqs-service';
import type { BusEvent, EventTarget } from './eventbridge-service';

const stringAttribute = (value: string) => ({ DataType: 'String', StringValue: value.slice(0, 1024) || '-' });

/**
 * An SQS queue as a rule target: the event JSON is the message body, as
 * EventBridge sends it. After the retries the event goes to the target's
 * dead-letter queue with EventBridge's error attributes.
 */
export function sqsTarget(options: {
  id: string;
  sqs: SqsService;
  queueName: string;
  deadLetterQueueName?: string;
}): EventTarget {
  const { sqs } = options;
  const arn = sqs.queueArn(options.queueName);
  return {
    id: options.id,
    arn,
    synchronous: true,
    async deliver(event: BusEvent) {
      await sqs.call('SendMessage', {
        QueueUrl: sqs.queueUrl(options.queueName),
        MessageBody: JSON.stringify(event),
      });
    },
    ...(options.deadLetterQueueName !== undefined && {
      async deadLetter(event: BusEvent, error: unknown, ruleArn: string) {
        const reason = error instanceof Error ? error : new Error(String(error));
        await sqs.call('SendMessage', {
          QueueUrl: sqs.queueUrl(options.deadLetterQueueName as string),
          MessageBody: JSON.stringify(event),
          MessageAttributes: {
            ERROR_CODE: stringAttribute(reason.name),
            ERROR_MESSAGE: stringAttribute(reason.message),
            RULE_ARN: stringAttribute(ruleArn),
            TARGET_ARN: stringAttribute(arn),
          },
        });
      },
    }),
  };
}
