import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { type ExecutionListItem, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { QueueKey } from '../../core/config/names';
import { Ledger } from '../../core/ledger';
import { DETAIL_TYPES } from '../../events/envelope';
import type { DemoPlan } from './plan';
import type { DemoTarget } from './target';

export const DEMO_SOURCE = 'paysaga.demo';
const ENTRIES_PER_PUT = 10; // PutEvents' limit

export interface Progress {
  readonly sent: number;
  readonly toSend: number;
  readonly terminal: number;
  readonly started: number;
  /** Sagas the plan should start (unique valid requests). */
  readonly expected: number;
}

async function inBatches<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Opens and funds the plan's wallets through the DynamoDB API of the runtime (the ledger has no HTTP API). */
export async function seedWallets(
  target: DemoTarget,
  plan: Pick<DemoPlan, 'wallets'>,
  concurrency = 8,
): Promise<void> {
  const ledger = new Ledger({ doc: target.clients.documents, tableName: target.names.tables.ledger });
  await inBatches(plan.wallets, concurrency, async (wallet) => {
    await ledger.openWallet(wallet.walletId, wallet.currency);
    await ledger.deposit(
      wallet.walletId,
      { value: wallet.deposit, currency: wallet.currency },
      wallet.depositId,
    );
  });
}

export class SendError extends Error {
  override readonly name = 'SendError';
}

/**
 * Puts the plan's events on the bus through PutEvents, 10 per request, and
 * retries entries EventBridge refused (never drops one). Returns the time each
 * paymentId was first accepted (epoch ms), for latencies.
 */
export async function sendPlan(
  target: DemoTarget,
  plan: DemoPlan,
  options: { concurrency?: number; onSent?: (sent: number) => void } = {},
): Promise<Map<string, number>> {
  const acceptedAt = new Map<string, number>();
  const entries = plan.sendOrder.map((index) => {
    const request = plan.requests[index];
    if (!request) throw new SendError(`send order names request ${index}, which the plan does not have`);
    return {
      paymentId: request.paymentId,
      entry: {
        EventBusName: target.names.eventBus,
        Source: DEMO_SOURCE,
        DetailType: DETAIL_TYPES.paymentRequested,
        Detail: JSON.stringify(request.detail),
      } satisfies PutEventsRequestEntry,
    };
  });
  const batches: (typeof entries)[] = [];
  for (let i = 0; i < entries.length; i += ENTRIES_PER_PUT)
    batches.push(entries.slice(i, i + ENTRIES_PER_PUT));
  let sent = 0;
  await inBatches(batches, options.concurrency ?? 4, async (batch) => {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const result = await target.clients.events.send(
        new PutEventsCommand({ Entries: pending.map((item) => item.entry) }),
      );
      const now = Date.now();
      const refused = pending.filter((_, i) => result.Entries?.[i]?.ErrorCode !== undefined);
      for (const item of pending) {
        if (!refused.includes(item) && !acceptedAt.has(item.paymentId)) acceptedAt.set(item.paymentId, now);
      }
      sent += pending.length - refused.length;
      options.onSent?.(sent);
      if (refused.length > 0 && attempt >= 5) {
        const reason = result.Entries?.find((e) => e.ErrorCode)?.ErrorMessage;
        throw new SendError(`EventBridge refused ${refused.length} entries 5 times (${reason}); stopping`);
      }
      pending = refused;
    }
  });
  return acceptedAt;
}

/** Every execution of the state machine whose name starts with `prefix`. */
export async function listRunExecutions(target: DemoTarget, prefix: string): Promise<ExecutionListItem[]> {
  const found: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await target.clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: target.stateMachineArn, maxResults: 1000, nextToken }),
    );
    for (const execution of page.executions ?? []) {
      if (execution.name?.startsWith(prefix)) found.push(execution);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

export async function queueDepth(target: DemoTarget, key: QueueKey): Promise<number> {
  const { Attributes = {} } = await target.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: target.queueUrls[key],
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/**
 * Waits until the intake queue is drained and every execution of the run has
 * ended (twice in a row, so a message between receive and StartExecution is
 * not missed), or the deadline passes. Returns the run's executions.
 */
export async function awaitTerminal(
  target: DemoTarget,
  prefix: string,
  options: { deadline: number; pollMs?: number; onProgress?: (started: number, terminal: number) => void },
): Promise<{ executions: ExecutionListItem[]; timedOut: boolean }> {
  let quietPolls = 0;
  for (;;) {
    const executions = await listRunExecutions(target, prefix);
    const terminal = executions.filter((e) => e.status !== 'RUNNING').length;
    options.onProgress?.(executions.length, terminal);
    const settled = terminal === executions.length && (await queueDepth(target, 'intake')) === 0;
    quietPolls = settled ? quietPolls + 1 : 0;
    if (quietPolls >= 2) return { executions, timedOut: false };
    if (Date.now() > options.deadline) return { executions, timedOut: true };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
