import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DemoTarget } from '../demo/target';
import type { ChaosPlan } from './plan';

export const CHAOS_SOURCE = 'paysaga.chaos';
const ENTRIES_PER_PUT = 10;
const MAX_TRIES = 40;

export class ChaosSendError extends Error {
  override readonly name = 'ChaosSendError';
}

/**
 * Runs `call` until it succeeds, waiting for the runtime to be back when it
 * fails (it may be mid kill -9): a request is never given up while the runtime
 * restarts, and one whose answer was lost is sent again (every consumer is
 * idempotent per paymentId).
 */
export async function whileRuntimeRestarts<T>(
  whenUp: () => Promise<void>,
  call: () => Promise<T>,
  what: string,
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    await whenUp();
    try {
      return await call();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * attempt)));
    }
  }
  throw new ChaosSendError(`${what} failed ${MAX_TRIES} times; last: ${String(lastError)}`);
}

/**
 * Puts the plan's stream (payments and top-ups) on the bus in its sending order, 10 per PutEvents,
 * `concurrency` requests at once; entries refused or whose answer was lost are
 * sent again until EventBridge accepts them.
 */
export async function sendChaosPlan(
  target: DemoTarget,
  plan: ChaosPlan,
  whenUp: () => Promise<void>,
  options: { concurrency?: number; onSent?: (sent: number) => void } = {},
): Promise<void> {
  const entries: PutEventsRequestEntry[] = plan.stream.map((event) => ({
    EventBusName: target.names.eventBus,
    Source: CHAOS_SOURCE,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
  }));
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < entries.length) {
      let pending = entries.slice(next, next + ENTRIES_PER_PUT);
      next += ENTRIES_PER_PUT;
      for (let round = 1; pending.length > 0; round++) {
        if (round > MAX_TRIES) throw new ChaosSendError(`EventBridge refused entries ${MAX_TRIES} times`);
        const batch = pending;
        const result = await whileRuntimeRestarts(
          whenUp,
          () => target.clients.events.send(new PutEventsCommand({ Entries: batch })),
          'PutEvents',
        );
        const refused = batch.filter((_, i) => result.Entries?.[i]?.ErrorCode !== undefined);
        sent += batch.length - refused.length;
        options.onSent?.(sent);
        pending = refused;
        if (refused.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
}
