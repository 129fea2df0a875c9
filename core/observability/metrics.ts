import { METRIC_DIMENSIONS, METRIC_NAMES, type MetricName } from '../config/observability';
import type { OutcomeRecord } from '../saga/outcome';
import type { SagaState } from '../saga/state';

/** One counter increment: a metric name, its dimensions (besides `service`) and searchable metadata. */
export interface MetricPoint {
  readonly name: MetricName;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
  /** Not a dimension (no cardinality cost): stored with the datapoint for Logs Insights. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Where core hands its counters: Powertools Metrics (EMF) in functions/, a recorder in tests. */
export interface MetricsSink {
  publish(point: MetricPoint): void;
}

export const NO_METRICS: MetricsSink = { publish: () => undefined };

/** The queues the saga parks messages in, by the QUEUES key operations know them by. */
export type ParkingQueue = 'compensationDlq' | 'notificationDlq';

/** What a finished payment counts: its outcome and reason, each compensation it ran, each DLQ message it left. */
export function outcomeMetrics(
  outcome: Pick<OutcomeRecord, 'status' | 'reasonCode' | 'compensations'>,
  saga: Pick<SagaState, 'notifyError'>,
): MetricPoint[] {
  const parked: ParkingQueue[] = [
    ...(outcome.status === 'NEEDS_ATTENTION' ? ['compensationDlq' as const] : []),
    ...(saga.notifyError ? ['notificationDlq' as const] : []),
  ];
  return [
    {
      name: METRIC_NAMES.paymentOutcome,
      dimensions: {
        [METRIC_DIMENSIONS.outcome]: outcome.status,
        [METRIC_DIMENSIONS.reason]: outcome.reasonCode ?? 'none',
      },
      value: 1,
    },
    ...outcome.compensations.map((compensation) => ({
      name: METRIC_NAMES.compensation,
      dimensions: { [METRIC_DIMENSIONS.compensation]: compensation },
      value: 1,
    })),
    ...parked.map((queue) => ({
      name: METRIC_NAMES.deadLetterArrival,
      dimensions: { [METRIC_DIMENSIONS.queue]: queue },
      value: 1,
    })),
  ];
}

export function publishAll(sink: MetricsSink, points: readonly MetricPoint[]): void {
  for (const point of points) sink.publish(point);
}

/** A status move advance() refused because it contradicts the recorded status (e.g. FAILED after SUCCEEDED). */
export function illegalStatusMoveMetric(from: string, to: string): MetricPoint {
  return { name: METRIC_NAMES.illegalStatusMove, dimensions: {}, value: 1, metadata: { from, to } };
}
