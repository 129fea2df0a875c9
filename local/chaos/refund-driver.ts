import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PaymentsRepository } from '../../core/payments/repository';
import { DETAIL_TYPES } from '../../events/envelope';
import { listRunExecutions, queueDepth } from '../demo/drive';
import type { DemoTarget } from '../demo/target';
import { CHAOS_SOURCE, ChaosSendError, whileRuntimeRestarts } from './driver';
import type { ChaosRefund } from './refund-plan';

/**
 * Sends the run's refunds as RefundRequested on the bus once their payment
 * is SUCCEEDED (a refund of a payment that failed is never sent). A
 * payment's refunds go in ONE PutEvents: the two concurrent refunds of one
 * payment, and the two copies of a duplicated one, race each other. Stops
 * waiting once the payments are quiet (no payment saga running, the intake
 * empty): a payment still not SUCCEEDED then (stopped for a redrive) keeps
 * its refunds unsent, and they are reported as such.
 */

export interface RefundSending {
  readonly sent: readonly ChaosRefund[];
  readonly notSent: readonly { readonly refund: ChaosRefund; readonly paymentStatus: string }[];
}

const READS_AT_ONCE = 32;
const QUIET_POLLS = 3;
const MAX_ROUNDS = 40;

const entriesOf = (target: DemoTarget, refunds: readonly ChaosRefund[]): PutEventsRequestEntry[] =>
  refunds.flatMap((refund) =>
    Array.from({ length: refund.copies }, () => ({
      EventBusName: target.names.eventBus,
      Source: CHAOS_SOURCE,
      DetailType: DETAIL_TYPES.refundRequested,
      Detail: JSON.stringify(refund.detail),
    })),
  );

/** Puts one payment's refund events in one PutEvents, again for entries refused, until all are accepted. */
async function putTogether(
  target: DemoTarget,
  refunds: readonly ChaosRefund[],
  whenUp: () => Promise<void>,
): Promise<void> {
  let pending = entriesOf(target, refunds);
  for (let round = 1; pending.length > 0; round++) {
    if (round > MAX_ROUNDS)
      throw new ChaosSendError(`EventBridge refused refund entries ${MAX_ROUNDS} times`);
    const batch = pending;
    const answer = await whileRuntimeRestarts(
      whenUp,
      () => target.clients.events.send(new PutEventsCommand({ Entries: batch })),
      'PutEvents (refunds)',
    );
    pending = batch.filter((_, i) => answer.Entries?.[i]?.ErrorCode !== undefined);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function statusesOf(target: DemoTarget, paymentIds: readonly string[]): Promise<Map<string, string>> {
  const payments = new PaymentsRepository(target.clients.documents, target.names.tables.payments);
  const statuses = new Map<string, string>();
  for (let i = 0; i < paymentIds.length; i += READS_AT_ONCE) {
    await Promise.all(
      paymentIds.slice(i, i + READS_AT_ONCE).map(async (paymentId) => {
        statuses.set(paymentId, (await payments.get(paymentId))?.status ?? 'no record');
      }),
    );
  }
  return statuses;
}

async function paymentsQuiet(target: DemoTarget, prefix: string): Promise<boolean> {
  const [executions, depth] = await Promise.all([
    listRunExecutions(target, prefix),
    queueDepth(target, 'intake'),
  ]);
  return depth === 0 && executions.every((e) => e.status !== 'RUNNING');
}

export async function sendRefundsWhenSucceeded(
  target: DemoTarget,
  refunds: readonly ChaosRefund[],
  whenUp: () => Promise<void>,
  options: { prefix: string; deadline: number; pollMs?: number; onSent?: (sent: number) => void },
): Promise<RefundSending> {
  const pending = new Map<string, ChaosRefund[]>();
  for (const refund of refunds)
    pending.set(refund.paymentId, [...(pending.get(refund.paymentId) ?? []), refund]);
  const sent: ChaosRefund[] = [];
  const notSent: { refund: ChaosRefund; paymentStatus: string }[] = [];
  let quietPolls = 0;
  let statuses = new Map<string, string>();
  while (pending.size > 0) {
    statuses = await whileRuntimeRestarts(
      whenUp,
      () => statusesOf(target, [...pending.keys()]),
      'reading payments',
    );
    const ready: ChaosRefund[][] = [];
    for (const [paymentId, status] of statuses) {
      const theirs = pending.get(paymentId) ?? [];
      if (status === 'SUCCEEDED') ready.push(theirs);
      else if (status === 'FAILED' || status === 'NEEDS_ATTENTION') {
        notSent.push(...theirs.map((refund) => ({ refund, paymentStatus: status })));
      } else continue;
      pending.delete(paymentId);
    }
    await Promise.all(ready.map((group) => putTogether(target, group, whenUp)));
    sent.push(...ready.flat());
    options.onSent?.(sent.length);
    if (pending.size === 0) break;
    const quiet = await whileRuntimeRestarts(whenUp, () => paymentsQuiet(target, options.prefix), 'listing');
    quietPolls = quiet ? quietPolls + 1 : 0;
    if (quietPolls >= QUIET_POLLS || Date.now() > options.deadline) break;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
  for (const [paymentId, theirs] of pending) {
    notSent.push(
      ...theirs.map((refund) => ({ refund, paymentStatus: statuses.get(paymentId) ?? 'unknown' })),
    );
  }
  return { sent, notSent };
}
