import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsService } from '../sqs/sqs-service';

interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
}

export interface SqsPollerOptions {
  readonly sqs: SqsService;
  readonly queueName: string;
  readonly region: string;
  /** The function the batches go to (the intake handler, in-process). */
  readonly invoke: (event: SQSEvent) => Promise<unknown>;
  readonly batchSize?: number;
  /** Long-poll wait; the stop() latency is bounded by it. */
  readonly waitTimeSeconds?: number;
  /** Batches processed at once (the event source mapping's concurrency). */
  readonly concurrency?: number;
  readonly onError?: (error: unknown) => void;
  /**
   * Fault injection (the chaos run): a processed message for which this says
   * true is not deleted but made visible again at once, as when the delete is
   * lost and the visibility timeout runs out; the function sees it again.
   */
  readonly redeliver?: (record: SQSRecord) => boolean;
}

function toRecord(message: ReceivedMessage, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType,
          ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
          ...(value.BinaryValue !== undefined && { binaryValue: value.BinaryValue }),
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The Lambda SQS event source mapping, locally: long-polls the queue, hands
 * batches to the function, deletes what succeeded. With ReportBatchItemFailures
 * the messages named in `batchItemFailures` stay; if the function throws, the
 * whole batch stays. Kept messages come back after the visibility timeout and,
 * past maxReceiveCount, SQS moves them to the DLQ: nothing is dropped here.
 */
export class SqsPoller {
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly options: SqsPollerOptions) {}

  start(): void {
    for (let i = 0; i < (this.options.concurrency ?? 2); i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    const { sqs, queueName } = this.options;
    while (!this.stopped) {
      try {
        const { Messages = [] } = await sqs.call<{ Messages?: ReceivedMessage[] }>('ReceiveMessage', {
          QueueUrl: sqs.queueUrl(queueName),
          MaxNumberOfMessages: this.options.batchSize ?? 10,
          WaitTimeSeconds: this.options.waitTimeSeconds ?? 1,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        });
        if (Messages.length > 0) await this.process(Messages);
      } catch (error) {
        if (this.stopped) return;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private async process(messages: ReceivedMessage[]): Promise<void> {
    const { sqs, queueName } = this.options;
    const queueArn = sqs.queueArn(queueName);
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, queueArn, this.options.region)) };
    let failed: Set<string>;
    try {
      const response = (await this.options.invoke(event)) as SQSBatchResponse | null | undefined;
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      // The whole batch failed: leave every message for a later receive.
      this.options.onError?.(error);
      return;
    }
    const processed = messages.filter((message) => !failed.has(message.MessageId));
    const again = new Set(
      event.Records.filter(
        (record) => !failed.has(record.messageId) && this.options.redeliver?.(record) === true,
      ).map((record) => record.messageId),
    );
    const done = processed.filter((message) => !again.has(message.MessageId));
    const redelivered = processed.filter((message) => again.has(message.MessageId));
    if (redelivered.length > 0) {
      await sqs.call('ChangeMessageVisibilityBatch', {
        QueueUrl: sqs.queueUrl(queueName),
        Entries: redelivered.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      });
    }
    if (done.length === 0) return;
    await sqs.call('DeleteMessageBatch', {
      QueueUrl: sqs.queueUrl(queueName),
      Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
    });
  }
}
