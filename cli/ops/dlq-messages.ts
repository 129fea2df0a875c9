import '../../core/config/zod-locale';
import * as z from 'zod/mini';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
} from '../../core/aws/sqs';
import { SagaState } from '../../core/saga/state';
import type { OpsDeps } from './deps';

/**
 * The compensation DLQ's messages of one payment: what the saga's
 * DeadLetterCompensation state sent (the whole saga state, the error, the
 * execution). Found by receiving and making visible again at once; deleted
 * only by `deleteCompensationMessages`, after the payment was resolved.
 */

/** How many messages are looked through for one payment (the queue should hold few). */
const SCAN_LIMIT = 1_000;
/** How long the messages looked at stay hidden if payctl dies before making them visible again. */
const SCAN_VISIBILITY_SECONDS = 20;

export const CompensationMessage = z.object({
  kind: z.optional(z.literal('compensation')),
  paymentId: z.string(),
  saga: SagaState,
  error: z.optional(z.string()),
  cause: z.optional(z.string()),
  executionArn: z.optional(z.string()),
});
export type CompensationMessage = z.infer<typeof CompensationMessage>;

export interface ParkedCompensation {
  readonly messageId: string;
  readonly sentAt: string | undefined;
  /** The message parsed; undefined when its body is not a saga state (then only its paymentId is known). */
  readonly body: CompensationMessage | undefined;
}

/**
 * The payment a payment saga's compensation message names. The refund saga parks its own messages in the
 * same queue (`kind: "refund-compensation"`, the refund's state, not the payment's): those are not this
 * payment's saga and never resolved (nor deleted) as such. A message without a kind is a payment saga's
 * (written before the kind existed).
 */
const paymentIdIn = (text: string): string | undefined => {
  try {
    const body = JSON.parse(text) as { paymentId?: unknown; kind?: unknown };
    if (body.kind !== undefined && body.kind !== 'compensation') return undefined;
    return typeof body.paymentId === 'string' ? body.paymentId : undefined;
  } catch {
    return undefined;
  }
};

function parsed(message: Message): ParkedCompensation {
  let body: CompensationMessage | undefined;
  try {
    const result = CompensationMessage.safeParse(JSON.parse(message.Body ?? ''));
    body = result.success ? result.data : undefined;
  } catch {
    body = undefined;
  }
  const sent = Number(message.Attributes?.SentTimestamp ?? 0);
  return {
    messageId: message.MessageId ?? '',
    sentAt: sent > 0 ? new Date(sent).toISOString() : undefined,
    body,
  };
}

/**
 * Receives the queue's messages (hidden for a moment), hands those `take`
 * picks to `act`, and makes every message `act` did not consume (answer:
 * the ones it deleted) visible again, also on errors.
 */
async function scan(
  deps: OpsDeps,
  take: (message: Message) => boolean,
  act: (url: string, taken: Message[]) => Promise<Message[]>,
): Promise<void> {
  const url = await deps.queueUrl('compensationDlq');
  const seen: Message[] = [];
  let empty = 0;
  try {
    while (seen.length < SCAN_LIMIT && empty < 2) {
      const { Messages = [] } = await deps.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: SCAN_VISIBILITY_SECONDS,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      // Short polling samples a subset of SQS hosts: one empty answer does not prove the queue empty.
      empty = Messages.length === 0 ? empty + 1 : 0;
      seen.push(...Messages);
    }
    const taken = seen.filter(take);
    const consumed = taken.length > 0 ? await act(url, taken) : [];
    seen.splice(0, seen.length, ...seen.filter((m) => !consumed.includes(m)));
  } finally {
    for (let i = 0; i < seen.length; i += 10) {
      await deps.clients.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: seen
            .slice(i, i + 10)
            .map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      );
    }
  }
}

/** Picks the payment saga's compensation messages of this payment (not the refund saga's). */
export const ofPayment = (paymentId: string) => (message: Message) =>
  paymentIdIn(message.Body ?? '') === paymentId;

/** The payment's messages in the compensation DLQ (left in the queue). */
export async function findCompensationMessages(
  deps: OpsDeps,
  paymentId: string,
): Promise<ParkedCompensation[]> {
  const found: ParkedCompensation[] = [];
  await scan(deps, ofPayment(paymentId), async (_url, taken) => {
    found.push(...taken.map(parsed));
    return []; // none consumed: made visible again with the others
  });
  return found;
}

/** Deletes the messages `take` picks from the compensation DLQ; answers how many went. */
async function deleteMatching(deps: OpsDeps, take: (message: Message) => boolean): Promise<number> {
  let deleted = 0;
  await scan(deps, take, async (url, taken) => {
    const consumed: Message[] = [];
    for (let i = 0; i < taken.length; i += 10) {
      const batch = taken.slice(i, i + 10);
      const result = await deps.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: batch.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      for (const entry of result.Successful ?? []) {
        const message = batch[Number(entry.Id)];
        if (message) consumed.push(message);
      }
    }
    deleted = consumed.length;
    return consumed;
  });
  return deleted;
}

/** Deletes the payment's messages from the compensation DLQ; answers how many went. */
export function deleteCompensationMessages(deps: OpsDeps, paymentId: string): Promise<number> {
  return deleteMatching(deps, ofPayment(paymentId));
}

/** Picks the refund saga's messages (`kind: refund-compensation`) of one refund. */
export const ofRefund = (paymentId: string, refundId: string) => (message: Message) => {
  try {
    const body = JSON.parse(message.Body ?? '') as {
      kind?: unknown;
      paymentId?: unknown;
      refundId?: unknown;
    };
    return body.kind === 'refund-compensation' && body.paymentId === paymentId && body.refundId === refundId;
  } catch {
    return false;
  }
};

/** How many messages of this refund the compensation DLQ holds (left in the queue). */
export async function countRefundCompensationMessages(
  deps: OpsDeps,
  paymentId: string,
  refundId: string,
): Promise<number> {
  let count = 0;
  await scan(deps, ofRefund(paymentId, refundId), async (_url, taken) => {
    count = taken.length;
    return [];
  });
  return count;
}

/** Deletes the refund's messages from the compensation DLQ; answers how many went. */
export function deleteRefundCompensationMessages(
  deps: OpsDeps,
  paymentId: string,
  refundId: string,
): Promise<number> {
  return deleteMatching(deps, ofRefund(paymentId, refundId));
}
