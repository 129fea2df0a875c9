import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { readJsonFile, writeJsonDurably } from '../edge/durable-file';
import { sqsError } from './sqs-error';

/** The part of the SQS service a move task needs: the SQS operations and the queue registry. */
export interface MoveTaskSqs {
  call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T>;
  queueByArn(arn: string): { name: string; url: string; attributes: Record<string, string> } | undefined;
  allQueues(): Array<{ name: string; arn: string; attributes: Record<string, string> }>;
}

type TaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

interface MoveTask {
  readonly taskHandle: string;
  readonly sourceArn: string;
  readonly destinationArn: string;
  /** Whether the caller named the destination (AWS lists DestinationArn only then). */
  readonly explicitDestination: boolean;
  readonly maxPerSecond?: number;
  readonly startedTimestamp: number;
  readonly toMove: number;
  moved: number;
  status: TaskStatus;
  failureReason?: string;
}

interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MessageAttributes?: Record<string, unknown>;
}

const StartInput = z.object({
  SourceArn: z.string().min(1),
  DestinationArn: z.string().min(1).optional(),
  MaxNumberOfMessagesPerSecond: z.number().int().min(1).max(500).optional(),
});
const ListInput = z.object({
  SourceArn: z.string().min(1),
  MaxResults: z.number().int().min(1).max(10).optional(),
});
const CancelInput = z.object({ TaskHandle: z.string().min(1) });

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw sqsError('InvalidParameterValue', z.prettifyError(result.error));
  return result.data;
}

/** How long moved-but-not-yet-deleted messages stay invisible in the source while a batch is in flight. */
const BATCH_VISIBILITY_SECONDS = 30;
const DEFAULT_MESSAGES_PER_SECOND = 500;

/**
 * SQS message move tasks (DLQ redrive), which fauxqs lacks: receive from the
 * source, send to the destination with the same body and attributes, then
 * delete from the source. A crash between send and delete can duplicate a
 * message (at-least-once, as SQS), never lose one. Task state is written to
 * a file after every batch and RUNNING tasks resume when the runtime starts.
 */
export class MessageMoveTasks {
  private readonly tasks: MoveTask[];
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(private readonly options: { sqs: MoveTaskSqs; file: string | undefined }) {
    this.tasks = options.file ? readJsonFile<MoveTask[]>(options.file, []) : [];
  }

  resume(): void {
    for (const task of this.tasks) {
      if (task.status === 'RUNNING' || task.status === 'CANCELLING') this.run(task);
    }
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'StartMessageMoveTask':
        return this.start(parse(StartInput, input));
      case 'ListMessageMoveTasks':
        return this.list(parse(ListInput, input));
      case 'CancelMessageMoveTask':
        return this.cancel(parse(CancelInput, input).TaskHandle);
      default:
        throw sqsError('UnsupportedOperation', `${operation} is not a message move task operation`);
    }
  }

  /** Resolves when every task that is running has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all(this.running.values());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  private async start(input: z.infer<typeof StartInput>): Promise<{ TaskHandle: string }> {
    const source = this.options.sqs.queueByArn(input.SourceArn);
    if (!source)
      throw sqsError('ResourceNotFoundException', `The source queue ${input.SourceArn} does not exist.`);
    if (source.attributes.FifoQueue === 'true') {
      throw sqsError('UnsupportedOperation', 'Message move tasks support standard queues only.');
    }
    let destinationArn = input.DestinationArn;
    if (destinationArn === undefined) {
      // The original source queue: the one whose RedrivePolicy names this DLQ.
      const sources = this.options.sqs.allQueues().filter((queue) => {
        const policy = queue.attributes.RedrivePolicy;
        return (
          policy !== undefined &&
          (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn === input.SourceArn
        );
      });
      if (sources.length !== 1) {
        throw sqsError(
          'UnsupportedOperation',
          sources.length === 0
            ? `${input.SourceArn} is not the dead-letter queue of any queue; pass DestinationArn to say where its messages go.`
            : `${input.SourceArn} is the dead-letter queue of several queues; pass DestinationArn (the local runtime does not track each message's origin).`,
        );
      }
      destinationArn = sources[0]?.arn;
    }
    if (!destinationArn || !this.options.sqs.queueByArn(destinationArn)) {
      throw sqsError('ResourceNotFoundException', `The destination queue ${destinationArn} does not exist.`);
    }
    if (
      this.tasks.some(
        (task) =>
          task.sourceArn === input.SourceArn && (task.status === 'RUNNING' || task.status === 'CANCELLING'),
      )
    ) {
      throw sqsError(
        'UnsupportedOperation',
        `A message move task is already running on ${input.SourceArn}; only one is supported per queue.`,
      );
    }
    const attributes = await this.options.sqs.call<{ Attributes?: Record<string, string> }>(
      'GetQueueAttributes',
      {
        QueueUrl: source.url,
        AttributeNames: ['ApproximateNumberOfMessages'],
      },
    );
    const task: MoveTask = {
      taskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: input.SourceArn })).toString(
        'base64',
      ),
      sourceArn: input.SourceArn,
      destinationArn,
      explicitDestination: input.DestinationArn !== undefined,
      ...(input.MaxNumberOfMessagesPerSecond !== undefined && {
        maxPerSecond: input.MaxNumberOfMessagesPerSecond,
      }),
      startedTimestamp: Date.now(),
      toMove: Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0),
      moved: 0,
      status: 'RUNNING',
    };
    this.tasks.push(task);
    this.save();
    this.run(task);
    return { TaskHandle: task.taskHandle };
  }

  private list(input: z.infer<typeof ListInput>): { Results: unknown[] } {
    if (!this.options.sqs.queueByArn(input.SourceArn)) {
      throw sqsError('ResourceNotFoundException', `The source queue ${input.SourceArn} does not exist.`);
    }
    const results = this.tasks
      .filter((task) => task.sourceArn === input.SourceArn)
      .sort((a, b) => b.startedTimestamp - a.startedTimestamp)
      .slice(0, input.MaxResults ?? 1)
      .map((task) => ({
        ...(task.status === 'RUNNING' && { TaskHandle: task.taskHandle }),
        Status: task.status,
        SourceArn: task.sourceArn,
        ...(task.explicitDestination && { DestinationArn: task.destinationArn }),
        ...(task.maxPerSecond !== undefined && { MaxNumberOfMessagesPerSecond: task.maxPerSecond }),
        ApproximateNumberOfMessagesMoved: task.moved,
        ApproximateNumberOfMessagesToMove: task.toMove,
        ...(task.failureReason !== undefined && { FailureReason: task.failureReason }),
        StartedTimestamp: task.startedTimestamp,
      }));
    return { Results: results };
  }

  private async cancel(taskHandle: string): Promise<{ ApproximateNumberOfMessagesMoved: number }> {
    const task = this.tasks.find((candidate) => candidate.taskHandle === taskHandle);
    if (task?.status !== 'RUNNING') {
      throw sqsError('ResourceNotFoundException', 'No running message move task has this TaskHandle.');
    }
    task.status = 'CANCELLING';
    this.save();
    await this.running.get(taskHandle);
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }

  private run(task: MoveTask): void {
    if (this.running.has(task.taskHandle)) return;
    const done = this.move(task)
      .catch((error: unknown) => {
        task.status = 'FAILED';
        task.failureReason = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        this.save();
        this.running.delete(task.taskHandle);
      });
    this.running.set(task.taskHandle, done);
  }

  private async move(task: MoveTask): Promise<void> {
    const { sqs } = this.options;
    const rate = task.maxPerSecond ?? DEFAULT_MESSAGES_PER_SECOND;
    while (!this.stopping) {
      if (task.status === 'CANCELLING') {
        task.status = 'CANCELLED';
        return;
      }
      const source = sqs.queueByArn(task.sourceArn);
      const destination = sqs.queueByArn(task.destinationArn);
      if (!source || !destination) throw new Error('the source or destination queue was deleted');
      const windowStart = Date.now();
      let movedThisSecond = 0;
      while (movedThisSecond < rate && !this.stopping && task.status === 'RUNNING') {
        const { Messages = [] } = await sqs.call<{ Messages?: ReceivedMessage[] }>('ReceiveMessage', {
          QueueUrl: source.url,
          MaxNumberOfMessages: Math.min(10, rate - movedThisSecond),
          VisibilityTimeout: BATCH_VISIBILITY_SECONDS,
          MessageAttributeNames: ['All'],
        });
        if (Messages.length === 0) {
          task.status = 'COMPLETED';
          return;
        }
        const sent = await sqs.call<{
          Successful?: Array<{ Id: string }>;
          Failed?: Array<{ Id: string; Message?: string }>;
        }>('SendMessageBatch', {
          QueueUrl: destination.url,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            MessageBody: message.Body,
            ...(message.MessageAttributes && { MessageAttributes: message.MessageAttributes }),
          })),
        });
        const sentIds = new Set((sent.Successful ?? []).map((entry) => entry.Id));
        const toDelete = Messages.flatMap((message, index) =>
          sentIds.has(String(index)) ? [{ Id: String(index), ReceiptHandle: message.ReceiptHandle }] : [],
        );
        if (toDelete.length > 0)
          await sqs.call('DeleteMessageBatch', { QueueUrl: source.url, Entries: toDelete });
        task.moved += toDelete.length;
        movedThisSecond += toDelete.length;
        this.save();
        if ((sent.Failed ?? []).length > 0) {
          throw new Error(
            `the destination refused messages: ${sent.Failed?.[0]?.Message ?? 'unknown reason'}`,
          );
        }
      }
      const elapsed = Date.now() - windowStart;
      if (elapsed < 1000 && movedThisSecond >= rate)
        await new Promise((resolve) => setTimeout(resolve, 1000 - elapsed));
    }
  }

  private save(): void {
    if (this.options.file) writeJsonDurably(this.options.file, this.tasks);
  }
}
