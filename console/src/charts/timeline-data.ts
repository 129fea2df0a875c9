import type { SagaTimeline } from '../../../cli/console/api-types';

/**
 * The saga timeline as chart data: one row per state visit (a redriven run's
 * visits are labelled "#2", ...), a floating bar from entry to exit in
 * milliseconds since the saga started, and a mark at the end of every failed
 * attempt (the retries). Pure, so it is tested without a browser.
 */

export type BarKind = SagaTimeline['steps'][number]['kind'];

export interface TimelineRow {
  readonly label: string;
  readonly state: string;
  readonly kind: BarKind;
  readonly status: SagaTimeline['steps'][number]['status'];
  /** [start, end] in ms since the saga started. */
  readonly span: readonly [number, number];
  readonly attempts: number;
  readonly retries: ReadonlyArray<{ readonly at: number; readonly error: string }>;
}

export interface TimelineChartData {
  readonly rows: readonly TimelineRow[];
  readonly totalMs: number;
  /** A sentence for screen readers and tests: every row with its kind and attempts, then the outcome. */
  readonly description: string;
}

/** Compensations stand out; the end bar shows the outcome. */
export const KIND_COLOURS: Readonly<Record<BarKind, string>> = {
  step: '#2563eb',
  compensation: '#ea580c',
  outcome: '#94a3b8',
  publish: '#94a3b8',
  dead_letter: '#a855f7',
  end: '#16a34a',
};
export const FAILED_END_COLOUR = '#dc2626';
export const RETRY_MARK_COLOUR = '#dc2626';

const KIND_LABEL: Readonly<Record<BarKind, string>> = {
  step: 'step',
  compensation: 'compensation',
  outcome: 'bookkeeping',
  publish: 'bookkeeping',
  dead_letter: 'dead letter',
  end: 'end',
};

const ms = (iso: string | undefined): number | undefined => (iso ? Date.parse(iso) : undefined);

export function timelineChartData(timeline: SagaTimeline, now: number = Date.now()): TimelineChartData {
  const origin = ms(timeline.startedAt) ?? now;
  const end = ms(timeline.stoppedAt) ?? now;
  const total = Math.max(1, end - origin);
  // Instant states (a Fail, a publish, a step that failed at once) still get a bar one can see: 1% of the saga.
  const sliver = Math.max(1, Math.round(total / 100));
  const rows = timeline.steps.map((step): TimelineRow => {
    const start = (ms(step.enteredAt) ?? origin) - origin;
    const exit = (ms(step.exitedAt) ?? (step.status === 'running' ? now : end)) - origin;
    const span: [number, number] = [start, Math.max(exit, start + sliver)];
    const retries = step.attempts
      .filter((a) => a.outcome === 'failed' || a.outcome === 'timed_out')
      .map((a) => ({
        at: (ms(a.endedAt) ?? ms(a.scheduledAt) ?? origin) - origin,
        error: a.error ?? a.outcome,
      }));
    return {
      label: step.run > 0 ? `${step.state} #${step.run + 1}` : step.state,
      state: step.state,
      kind: step.kind,
      status: step.status,
      span,
      attempts: step.attempts.length,
      retries,
    };
  });
  const totalMs = Math.max(1, end - origin, ...rows.map((r) => r.span[1]));
  const parts = rows.map((r) => {
    const extra = [
      KIND_LABEL[r.kind],
      r.attempts > 1 ? `${r.attempts} attempts` : '',
      r.status !== 'succeeded' ? r.status : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `${r.label} (${extra})`;
  });
  const outcome = timeline.outcome.summary;
  return {
    rows,
    totalMs,
    description: `Saga timeline: ${parts.join('; ')}. Outcome: ${outcome}${timeline.outcome.reasonCode ? ` (${timeline.outcome.reasonCode})` : ''}.`,
  };
}

export function barColour(row: TimelineRow, outcome: SagaTimeline['outcome']['summary']): string {
  if (row.kind === 'end') return outcome === 'succeeded' ? KIND_COLOURS.end : FAILED_END_COLOUR;
  if (row.status === 'failed' || row.status === 'caught') return FAILED_END_COLOUR;
  return KIND_COLOURS[row.kind];
}
