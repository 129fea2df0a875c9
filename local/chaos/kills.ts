import { chaosDraw } from './schedule';

/**
 * When the runtime is killed with SIGKILL: with two kills or more, the first
 * lands while the events are being sent (PutEvents in flight, answers lost),
 * the others while sagas run, at a fraction of the payments ended.
 */
export interface KillPoint {
  readonly phase: 'sending' | 'processing';
  /** Fraction of the events sent ('sending') or of the payments ended ('processing'). */
  readonly at: number;
}

export function killPlan(seed: number, kills: number): KillPoint[] {
  const points: KillPoint[] = [];
  for (let i = 0; i < kills; i++) {
    const draw = chaosDraw(seed, 'kill', i);
    points.push(
      i === 0 && kills >= 2
        ? { phase: 'sending', at: 0.3 + draw * 0.4 }
        : { phase: 'processing', at: 0.15 + draw * 0.7 },
    );
  }
  const order = (p: KillPoint) => (p.phase === 'sending' ? -1 : p.at);
  return points.sort((a, b) => order(a) - order(b));
}

/** Whether the next kill is due, given how far the run is. */
export function killDue(
  point: KillPoint | undefined,
  progress: { sent: number; events: number; ended: number; payments: number },
): boolean {
  if (!point) return false;
  return point.phase === 'sending'
    ? progress.sent >= point.at * progress.events
    : progress.ended >= point.at * progress.payments;
}
