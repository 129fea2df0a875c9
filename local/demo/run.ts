import { awaitTerminal, type Progress, queueDepth, seedWallets, sendPlan } from './drive';
import { type DemoPlan, isValidIntent, type PlanOptions, planDemo } from './plan';
import type { DemoTarget } from './target';
import { DEMO_DLQS, type DemoDlq, type DemoSummary, type Observations, verifyRun } from './verify';

export interface DemoRunOptions extends Omit<PlanOptions, 'runId'> {
  /** Default: `demo-<base36 time>`. */
  readonly runId?: string;
  /** Give up waiting for terminal states after this long (ms). */
  readonly timeoutMs?: number;
  /** Concurrent PutEvents requests. */
  readonly sendConcurrency?: number;
  readonly onPhase?: (phase: 'seeding' | 'sending' | 'waiting' | 'verifying') => void;
  readonly onProgress?: (progress: Progress) => void;
}

async function dlqDepths(target: DemoTarget): Promise<Record<DemoDlq, number>> {
  const depths = await Promise.all(DEMO_DLQS.map((key) => queueDepth(target, key)));
  return Object.fromEntries(DEMO_DLQS.map((key, i) => [key, depths[i] ?? 0])) as Record<DemoDlq, number>;
}

/** Seeds, sends the stream through PutEvents, waits for every saga to end, then checks the summary. */
export async function runDemo(
  target: DemoTarget,
  options: DemoRunOptions,
): Promise<{ plan: DemoPlan; summary: DemoSummary; observations: Observations }> {
  const runId = options.runId ?? `demo-${Date.now().toString(36)}`;
  const plan = planDemo({ ...options, runId });
  const expected = plan.requests.filter((r) => isValidIntent(r.intent)).length;
  const toSend = plan.sendOrder.length;
  let sent = 0;
  const report = (started: number, terminal: number) =>
    options.onProgress?.({ sent, toSend, started, terminal, expected });

  options.onPhase?.('seeding');
  await seedWallets(target, plan);
  const dlqBefore = await dlqDepths(target);

  options.onPhase?.('sending');
  const startedAt = Date.now();
  const acceptedAt = await sendPlan(target, plan, {
    ...(options.sendConcurrency !== undefined && { concurrency: options.sendConcurrency }),
    onSent: (n) => {
      sent = n;
      report(0, 0);
    },
  });
  const sentAt = Date.now();

  options.onPhase?.('waiting');
  const { executions, timedOut } = await awaitTerminal(target, `${runId}-`, {
    deadline: Date.now() + (options.timeoutMs ?? 10 * 60_000),
    onProgress: report,
  });
  const endedAt = Date.now();
  // Rejections reach the intake DLQ before their message leaves the intake queue, so this count is complete.
  const dlqAfter = await dlqDepths(target);

  options.onPhase?.('verifying');
  const observations: Observations = {
    executions,
    timedOut,
    acceptedAt,
    dlqBefore,
    dlqAfter,
    startedAt,
    sentAt,
    endedAt,
  };
  const summary = await verifyRun(target, plan, observations);
  return { plan, summary, observations };
}
