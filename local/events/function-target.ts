import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SqsPoller } from '../intake/sqs-poller';
import type { SqsService } from '../sqs/sqs-service';
import type { BusEvent, EventTarget } from './eventbridge-service';

export interface FunctionTargetOptions {
  readonly id: string;
  readonly sqs: SqsService;
  /** The Lambda ARN shown by ListTargetsByRule. */
  readonly functionArn: string;
  /** A queue of the runtime's own that buffers the events durably until the function has taken them. */
  readonly bufferQueueName: string;
  /** Seconds an event stays invisible while the function runs: above the function's timeout. */
  readonly visibilityTimeoutSeconds: number;
  readonly region: string;
  /** Runs the function with one event (in-process). */
  readonly invoke: (event: BusEvent) => Promise<unknown>;
  readonly onError?: (error: unknown) => void;
}

export interface FunctionTarget {
  readonly target: EventTarget;
  stop(): Promise<void>;
}

/**
 * A Lambda function as a rule target. EventBridge invokes Lambda targets
 * asynchronously and retries for up to a day; locally the event is first put
 * in a buffer queue (so PutEvents has made it durable when it answers, and a
 * restart loses nothing), then handed to the function one event per
 * invocation, deleted on success and retried after the visibility timeout
 * on failure.
 */
export async function startFunctionTarget(options: FunctionTargetOptions): Promise<FunctionTarget> {
  const { sqs } = options;
  await sqs.ensureQueue(options.bufferQueueName, {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(24 * 3600),
  });
  // This runtime is the buffer's only consumer: what the previous process had received it never finished.
  await sqs.releaseInFlight(options.bufferQueueName);
  const poller = new SqsPoller({
    sqs,
    queueName: options.bufferQueueName,
    region: options.region,
    concurrency: 1,
    ...(options.onError && { onError: options.onError }),
    invoke: async (batch: SQSEvent): Promise<SQSBatchResponse> => {
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of batch.Records) {
        try {
          await options.invoke(JSON.parse(record.body) as BusEvent);
        } catch (error) {
          options.onError?.(error);
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    },
  });
  poller.start();
  return {
    target: {
      id: options.id,
      arn: options.functionArn,
      synchronous: true,
      async deliver(event) {
        await sqs.call('SendMessage', {
          QueueUrl: sqs.queueUrl(options.bufferQueueName),
          MessageBody: JSON.stringify(event),
        });
      },
    },
    stop: () => poller.stop(),
  };
}
