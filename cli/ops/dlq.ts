import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
} from '../../core/aws/sqs';
import { QUEUE_KEYS, QUEUES, type QueueKey } from '../../core/config/names';
import { redactPans } from '../../core/pan';
import type { OpsActionOutcome } from '../../events/ops.v1';
import { CliError } from '../errors';
import { DLQ_KEYS } from './args';
import type { OpsDeps } from './deps';
import { readableCause } from './sagas';

/** How long a peeked message stays hidden if payctl dies before restoring it. */
const PEEK_VISIBILITY_SECONDS = 20;
/** `dlq list` samples at most this many messages per queue for the oldest message's age. */
const AGE_SAMPLE_LIMIT = 50;
/** Messages per second of a client-side move when --max-per-second is not given. */
const CLIENT_MOVE_DEFAULT_RATE = 50;
/** How long a message being moved by the client stays hidden in the DLQ if payctl dies mid-batch. */
const CLIENT_MOVE_VISIBILITY_SECONDS = 30;

/**
 * SQS message move tasks only take a DLQ of another SQS queue (a RedrivePolicy
 * names it). A DLQ of an EventBridge target (intake-rule-dlq) is not one, so
 * payctl moves its messages itself: receive, send to the destination, delete.
 */
export function usesMoveTask(key: QueueKey): boolean {
  return QUEUE_KEYS.some((source) => QUEUES[source].redrive?.deadLetterQueue === key);
}

/** `dlq redrive` checks at most this many messages for intake rejections before moving them. */
const REDRIVE_CHECK_LIMIT = 200;

export interface DlqSummary {
  readonly queue: string;
  readonly key: QueueKey;
  readonly holds: string;
  /** The queue its messages go back to on redrive; undefined when they are resolved by hand. */
  readonly source: string | undefined;
  readonly depth: number;
  readonly inFlight: number;
  /** Age of the oldest message seen, seconds; undefined when empty or not sampled. */
  readonly oldestAgeSeconds: number | undefined;
  /** True when only part of the queue was sampled for the age (the true oldest may be older). */
  readonly oldestSampled: boolean;
  /** The latest redrive (message move task) of this queue, if any. */
  readonly redrive: { readonly status: string; readonly moved: number; readonly toMove: number } | undefined;
}

export interface PeekedMessage {
  readonly messageId: string;
  readonly paymentId: string | undefined;
  readonly reasonCode: string | undefined;
  readonly reason: string;
  /** Receives before this peek (at the source queue, then any earlier peeks). */
  readonly receiveCount: number;
  readonly firstFailureAt: string | undefined;
  readonly sentAt: string | undefined;
  /** The body with anything that looks like a card number masked; JSON parsed when it is JSON. */
  readonly body: unknown;
}

export interface RedrivePlan {
  readonly queue: string;
  readonly sourceArn: string;
  readonly destination: string;
  readonly destinationArn: string;
  readonly toMove: number;
  readonly inFlight: number;
  readonly maxPerSecond: number | undefined;
  /** 'move-task': SQS StartMessageMoveTask; 'client': payctl receives, sends and deletes (see usesMoveTask). */
  readonly method: 'move-task' | 'client';
  readonly sourceUrl: string;
  readonly destinationUrl: string;
  /**
   * Intake rejections among the messages checked (reasonCode -> count): each
   * was already reported upstream as PaymentRejected, and its body had any
   * card number masked, so a redrive would reject it again or, for a masked
   * card number, start a payment upstream was told was refused.
   */
  readonly rejections: Readonly<Record<string, number>>;
  /** Messages checked for rejections (all of them unless the queue holds more than REDRIVE_CHECK_LIMIT). */
  readonly checked: number;
}

export interface RedriveProgress {
  readonly status: string;
  readonly moved: number;
  readonly toMove: number;
  readonly failureReason?: string;
}

export interface RedriveResult extends RedriveProgress {
  readonly queue: string;
  readonly destination: string;
  readonly failed: number;
}

const number = (value: string | undefined): number => Number(value ?? 0) || 0;

async function queueAttributes(deps: OpsDeps, key: QueueKey) {
  const url = await deps.queueUrl(key);
  const { Attributes = {} } = await deps.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    url,
    arn: Attributes.QueueArn ?? '',
    depth: number(Attributes.ApproximateNumberOfMessages),
    inFlight: number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

async function latestMoveTask(
  deps: OpsDeps,
  sourceArn: string,
): Promise<ListMessageMoveTasksResultEntry | undefined> {
  const { Results = [] } = await deps.clients.sqs.send(
    new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }),
  );
  return Results[0];
}

const isRunning = (task: ListMessageMoveTasksResultEntry | undefined) =>
  task?.Status === 'RUNNING' || task?.Status === 'CANCELLING';

/**
 * Receives up to `limit` messages and makes them visible again at once (also
 * when something fails midway): SQS has no peek, and a message received and
 * not restored would stay hidden for PEEK_VISIBILITY_SECONDS.
 */
async function sample(deps: OpsDeps, url: string, limit: number): Promise<Message[]> {
  const seen: Message[] = [];
  let empty = 0;
  try {
    while (seen.length < limit && empty < 2) {
      const { Messages = [] } = await deps.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: Math.min(10, limit - seen.length),
          VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      // Short polling samples a subset of SQS hosts: one empty answer does not prove the queue empty.
      empty = Messages.length === 0 ? empty + 1 : 0;
      seen.push(...Messages);
    }
  } finally {
    for (let i = 0; i < seen.length; i += 10) {
      const batch = seen.slice(i, i + 10);
      await deps.clients.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: batch.map((m, j) => ({
            Id: String(j),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }
  return seen;
}

/** Every paysaga DLQ: depth, in flight, oldest message age, where it redrives to, the latest redrive. */
export async function listDlqs(deps: OpsDeps, now: Date = new Date()): Promise<DlqSummary[]> {
  return Promise.all(
    DLQ_KEYS.map(async (key) => {
      const spec = QUEUES[key];
      const attributes = await queueAttributes(deps, key);
      const task = usesMoveTask(key) ? await latestMoveTask(deps, attributes.arn) : undefined;
      // Sampling hides messages for a moment: never while a redrive is moving them.
      const sampled =
        attributes.depth > 0 && !isRunning(task) ? await sample(deps, attributes.url, AGE_SAMPLE_LIMIT) : [];
      const sent = sampled.map((m) => number(m.Attributes?.SentTimestamp)).filter((t) => t > 0);
      const redrivesTo = spec.deadLetter?.redrivesTo;
      return {
        queue: deps.names.queues[key],
        key,
        holds: spec.deadLetter?.description ?? '',
        source: redrivesTo && deps.names.queues[redrivesTo],
        depth: attributes.depth,
        inFlight: attributes.inFlight,
        oldestAgeSeconds:
          sent.length > 0 ? Math.max(0, Math.round((now.getTime() - Math.min(...sent)) / 1000)) : undefined,
        oldestSampled: attributes.depth > sampled.length,
        redrive: task && {
          status: task.Status ?? 'UNKNOWN',
          moved: task.ApproximateNumberOfMessagesMoved ?? 0,
          toMove: task.ApproximateNumberOfMessagesToMove ?? 0,
        },
      };
    }),
  );
}

function parseBody(body: string): unknown {
  const masked = redactPans(body);
  try {
    return JSON.parse(masked);
  } catch {
    return masked;
  }
}

const field = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The paymentId in a DLQ body: an EventBridge event's detail, or a saga DLQ message. */
function paymentIdIn(body: unknown): string | undefined {
  return text(field(field(body, 'detail'), 'paymentId')) ?? text(field(body, 'paymentId'));
}

/**
 * Why a message is in its DLQ. Intake rejections carry reasonCode/reason
 * attributes, EventBridge target failures ERROR_CODE/ERROR_MESSAGE, the saga's
 * own DLQ messages an error and cause in the body; a message SQS moved after
 * maxReceiveCount carries nothing: its consumer kept failing.
 */
function reasonFor(key: QueueKey, message: Message, body: unknown, receives: number) {
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const reasonCode = attribute('reasonCode');
  if (reasonCode) return { reasonCode, reason: redactPans(attribute('reason') ?? reasonCode) };
  const errorCode = attribute('ERROR_CODE');
  if (errorCode) {
    return {
      reasonCode: errorCode,
      reason: redactPans(attribute('ERROR_MESSAGE') ?? 'EventBridge could not deliver the event'),
    };
  }
  const error = text(field(body, 'error'));
  if (error)
    return { reasonCode: error, reason: readableCause(text(field(body, 'cause'))) ?? redactPans(error) };
  const source = Object.entries(QUEUES).find(([, spec]) => spec.redrive?.deadLetterQueue === key);
  const maxReceiveCount = source?.[1].redrive?.maxReceiveCount;
  return {
    reasonCode: 'max_receives_exceeded',
    reason: `its consumer failed ${maxReceiveCount ? `more than ${maxReceiveCount} times` : `${receives} times`}${source ? ` on ${source[1].suffix}` : ''} without saying why (see that function's logs around the first failure)`,
  };
}

const isoOf = (millis: string | undefined): string | undefined =>
  millis && Number(millis) > 0 ? new Date(Number(millis)).toISOString() : undefined;

/** Decoded messages of a DLQ without consuming them (visibility restored). */
export async function peekDlq(
  deps: OpsDeps,
  key: QueueKey,
  options: { limit?: number } = {},
): Promise<PeekedMessage[]> {
  const attributes = await queueAttributes(deps, key);
  if (usesMoveTask(key) && isRunning(await latestMoveTask(deps, attributes.arn))) {
    throw new CliError(
      `a redrive of ${deps.names.queues[key]} is running: peeking would hide messages from it; wait for it (payctl dlq list) or cancel it (payctl dlq redrive ${QUEUES[key].suffix} --cancel)`,
    );
  }
  const messages = await sample(deps, attributes.url, options.limit ?? 10);
  return messages.map((message) => {
    const body = parseBody(message.Body ?? '');
    const receives = Math.max(0, number(message.Attributes?.ApproximateReceiveCount) - 1);
    const rejectedAt = message.MessageAttributes?.rejectedAt?.StringValue;
    return {
      messageId: message.MessageId ?? '',
      paymentId: message.MessageAttributes?.paymentId?.StringValue ?? paymentIdIn(body),
      ...reasonFor(key, message, body, receives),
      receiveCount: receives,
      firstFailureAt:
        rejectedAt ??
        isoOf(message.Attributes?.ApproximateFirstReceiveTimestamp) ??
        isoOf(message.Attributes?.SentTimestamp),
      sentAt: isoOf(message.Attributes?.SentTimestamp),
      body,
    };
  });
}

/** What a redrive of this DLQ would do; refuses a queue whose messages are not redriven by moving them. */
export async function planRedrive(
  deps: OpsDeps,
  key: QueueKey,
  options: { maxPerSecond?: number } = {},
): Promise<RedrivePlan> {
  const destinationKey = QUEUES[key].deadLetter?.redrivesTo;
  if (!destinationKey) {
    throw new CliError(
      `${deps.names.queues[key]} is not redriven by moving messages: each holds a saga whose compensation (refund or release) failed after its retries; resolve it by hand (payctl dlq peek ${QUEUES[key].suffix}, then the payment's saga with payctl sagas show <paymentId>)`,
    );
  }
  const [source, destination] = await Promise.all([
    queueAttributes(deps, key),
    queueAttributes(deps, destinationKey),
  ]);
  const running = usesMoveTask(key) && isRunning(await latestMoveTask(deps, source.arn));
  const checked = source.depth > 0 && !running ? await sample(deps, source.url, REDRIVE_CHECK_LIMIT) : [];
  const rejections: Record<string, number> = {};
  for (const message of checked) {
    const code = message.MessageAttributes?.reasonCode?.StringValue;
    if (code) rejections[code] = (rejections[code] ?? 0) + 1;
  }
  return {
    queue: deps.names.queues[key],
    sourceArn: source.arn,
    destination: deps.names.queues[destinationKey],
    destinationArn: destination.arn,
    toMove: source.depth,
    inFlight: source.inFlight,
    maxPerSecond: options.maxPerSecond,
    method: usesMoveTask(key) ? 'move-task' : 'client',
    sourceUrl: source.url,
    destinationUrl: destination.url,
    rejections,
    checked: checked.length,
  };
}

const progressOf = (task: ListMessageMoveTasksResultEntry): RedriveProgress => ({
  status: task.Status ?? 'UNKNOWN',
  moved: task.ApproximateNumberOfMessagesMoved ?? 0,
  toMove: task.ApproximateNumberOfMessagesToMove ?? 0,
  ...(task.FailureReason !== undefined && { failureReason: task.FailureReason }),
});

/**
 * Starts the message move task (StartMessageMoveTask to the planned source
 * queue) and polls ListMessageMoveTasks until it is no longer running; for a
 * DLQ no move task takes, moves the messages from here (moveByClient).
 */
export async function redriveDlq(
  deps: OpsDeps,
  plan: RedrivePlan,
  options: { pollMs?: number; onProgress?: (progress: RedriveProgress) => void } = {},
): Promise<RedriveResult> {
  if (plan.method === 'client') return moveByClient(deps, plan, options.onProgress);
  const before = await latestMoveTask(deps, plan.sourceArn);
  if (isRunning(before)) {
    throw new CliError(
      `a redrive of ${plan.queue} is already running (${before?.ApproximateNumberOfMessagesMoved ?? 0} moved); wait for it or cancel it with --cancel`,
    );
  }
  await deps.clients.sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: plan.sourceArn,
      DestinationArn: plan.destinationArn,
      ...(plan.maxPerSecond !== undefined && { MaxNumberOfMessagesPerSecond: plan.maxPerSecond }),
    }),
  );
  for (;;) {
    const task = await latestMoveTask(deps, plan.sourceArn);
    const progress = task ? progressOf(task) : { status: 'UNKNOWN', moved: 0, toMove: plan.toMove };
    options.onProgress?.(progress);
    if (!isRunning(task)) {
      return {
        ...progress,
        queue: plan.queue,
        destination: plan.destination,
        failed: progress.status === 'COMPLETED' ? 0 : Math.max(0, progress.toMove - progress.moved),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Moves a DLQ's messages to the destination from here, at most `maxPerSecond`:
 * send first, delete only what was sent, so a crash can duplicate a message
 * (every consumer is idempotent) but never lose one, as the SQS move task.
 */
async function moveByClient(
  deps: OpsDeps,
  plan: RedrivePlan,
  onProgress?: (progress: RedriveProgress) => void,
): Promise<RedriveResult> {
  const rate = plan.maxPerSecond ?? CLIENT_MOVE_DEFAULT_RATE;
  let moved = 0;
  let empty = 0;
  const report = (status: string, failureReason?: string): RedriveResult => {
    const progress = {
      status,
      moved,
      toMove: plan.toMove,
      ...(failureReason !== undefined && { failureReason }),
    };
    onProgress?.(progress);
    return {
      ...progress,
      queue: plan.queue,
      destination: plan.destination,
      failed: status === 'COMPLETED' ? 0 : Math.max(0, plan.toMove - moved),
    };
  };
  for (;;) {
    const windowStart = Date.now();
    let thisSecond = 0;
    while (thisSecond < rate) {
      const { Messages = [] } = await deps.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: plan.sourceUrl,
          MaxNumberOfMessages: Math.min(10, rate - thisSecond),
          VisibilityTimeout: CLIENT_MOVE_VISIBILITY_SECONDS,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) {
        // Short polling samples some SQS hosts: ask twice before calling the queue empty.
        if (++empty >= 2) return report('COMPLETED');
        continue;
      }
      empty = 0;
      const sent = await deps.clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: plan.destinationUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            MessageBody: message.Body ?? '',
            ...(message.MessageAttributes && { MessageAttributes: message.MessageAttributes }),
          })),
        }),
      );
      const sentIds = new Set((sent.Successful ?? []).map((entry) => entry.Id));
      const toDelete = Messages.flatMap((message, index) =>
        sentIds.has(String(index)) ? [{ Id: String(index), ReceiptHandle: message.ReceiptHandle }] : [],
      );
      if (toDelete.length > 0) {
        await deps.clients.sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: plan.sourceUrl, Entries: toDelete }),
        );
      }
      moved += toDelete.length;
      thisSecond += toDelete.length;
      const refused = sent.Failed?.[0];
      if (refused) {
        return report(
          'FAILED',
          `${plan.destination} refused ${sent.Failed?.length} message(s): ${refused.Code ?? ''} ${refused.Message ?? ''}`.trim(),
        );
      }
      onProgress?.({ status: 'RUNNING', moved, toMove: plan.toMove });
    }
    const elapsed = Date.now() - windowStart;
    if (elapsed < 1000) await sleep(1000 - elapsed);
  }
}

/** Cancels the running redrive of a DLQ; messages already moved stay moved. */
export async function cancelRedrive(deps: OpsDeps, key: QueueKey): Promise<{ queue: string; moved: number }> {
  if (!usesMoveTask(key)) {
    throw new CliError(
      `${deps.names.queues[key]} is redriven by payctl itself, not by an SQS move task: stop that payctl (Ctrl-C); what it moved stays moved`,
    );
  }
  const { arn } = await queueAttributes(deps, key);
  const task = await latestMoveTask(deps, arn);
  if (task?.Status !== 'RUNNING' || !task.TaskHandle) {
    throw new CliError(`no redrive of ${deps.names.queues[key]} is running; nothing to cancel`);
  }
  const { ApproximateNumberOfMessagesMoved = 0 } = await deps.clients.sqs.send(
    new CancelMessageMoveTaskCommand({ TaskHandle: task.TaskHandle }),
  );
  return { queue: deps.names.queues[key], moved: ApproximateNumberOfMessagesMoved };
}

/**
 * The pre-flight every DLQ redrive runs (CLI and console): intake rejections
 * were already reported upstream as PaymentRejected, so moving them back is
 * refused unless asked for explicitly (`howToInclude` names the switch).
 */
export function refuseIntakeRejections(
  plan: RedrivePlan,
  includeRejected: boolean,
  howToInclude: string,
): void {
  const rejected = Object.entries(plan.rejections);
  const count = rejected.reduce((sum, [, n]) => sum + n, 0);
  if (count > 0 && !includeRejected) {
    throw new CliError(
      `${count} of the ${plan.checked} message(s) checked in ${plan.queue} are intake rejections (${rejected.map(([code, n]) => `${code}: ${n}`).join(', ')}), already reported upstream as PaymentRejected: a redrive would reject them again or, for a masked card number, start a payment upstream was told was refused. Let them expire, or ${howToInclude} if that is what you want`,
    );
  }
}

/** The audit outcome of a finished redrive. */
export function redriveOutcome(result: RedriveResult): OpsActionOutcome {
  if (result.status === 'COMPLETED') return 'succeeded';
  if (result.status === 'CANCELLED') return 'cancelled';
  return result.moved > 0 ? 'partial' : 'failed';
}

export function describeRedriveResult(result: RedriveResult): string {
  return `${result.status}: moved ${result.moved}, failed ${result.failed} (of ${result.toMove}) from ${result.queue} to ${result.destination}${result.failureReason ? ` — ${result.failureReason}` : ''}`;
}
