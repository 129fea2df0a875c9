import { SWEEPER } from '../core/config/sweeper';
import type { RuntimeLog } from './edge/runtime-log';

export interface SweeperOptions {
  /** Milliseconds between runs; default SWEEPER.intervalMinutes (the schedule's rate on AWS). */
  readonly intervalMs?: number;
  /** Runs the sweeper once: the sweep-holds function, invoked as EventBridge Scheduler invokes it. */
  readonly invoke: () => Promise<unknown>;
  readonly log: RuntimeLog;
}

export interface SweeperTimer {
  /** Runs a sweep now (or waits for the one running) and returns its result. */
  runNow(): Promise<unknown>;
  /** No new runs; waits for a running one to end. */
  stop(): Promise<void>;
}

/**
 * The local runtime's stand-in for EventBridge Scheduler: runs the expired-hold
 * sweeper every interval, never two at once (a run still going when the next
 * is due absorbs it), and never keeps the process alive on its own.
 */
export function startSweeper(options: SweeperOptions): SweeperTimer {
  let running: Promise<unknown> | undefined;
  const runNow = (): Promise<unknown> => {
    running ??= options.invoke().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(
    () => {
      runNow().catch((error: unknown) =>
        options.log.error('expired-hold sweep failed; the next run retries', error),
      );
    },
    options.intervalMs ?? SWEEPER.intervalMinutes * 60_000,
  );
  timer.unref();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
