import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../core/config/observability';
import {
  type MetricPoint,
  type MetricsSink,
  outcomeMetrics,
  publishAll,
} from '../../core/observability/metrics';
import type { Observer } from '../../core/observability/observer';
import type { OutcomeRecord } from '../../core/saga/outcome';
import type { SagaState } from '../../core/saga/state';
import { logger } from './logger';

/**
 * EMF is written on Lambda, or wherever POWERTOOLS_METRICS_DISABLED is set
 * (Powertools then decides); the local runtime and the tests run handlers
 * in-process, where a JSON line per counter on stdout would only be noise.
 */
const enabled = (source: NodeJS.ProcessEnv = process.env): boolean =>
  Boolean(source.AWS_LAMBDA_FUNCTION_NAME) || source.POWERTOOLS_METRICS_DISABLED !== undefined;

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

/**
 * Powertools Metrics as a sink: every point is its own EMF document
 * (singleMetric), so invocations sharing this module concurrently (the local
 * runtime) never mix dimensions. A metric that cannot be written must not
 * fail (and so repeat) a step that moved money: it is logged instead.
 */
export const powertoolsMetrics: MetricsSink = {
  publish(point: MetricPoint): void {
    if (!enabled()) return;
    try {
      const single = metrics.singleMetric();
      single.addDimensions({ ...point.dimensions });
      for (const [key, value] of Object.entries(point.metadata ?? {})) single.addMetadata(key, value);
      single.addMetric(point.name, MetricUnit.Count, point.value);
    } catch (error) {
      logger.warn('metric not published', { metric: point.name, error: error as Error });
    }
  },
};

/** For RecordOutcome: the payment's outcome and reason, its compensations and the DLQ messages it left. */
export function countOutcome(
  outcome: Pick<OutcomeRecord, 'status' | 'reasonCode' | 'compensations'>,
  saga: Pick<SagaState, 'notifyError'>,
  sink: MetricsSink = powertoolsMetrics,
): void {
  publishAll(sink, outcomeMetrics(outcome, saga));
}

/** What core stores report that needs a person: an error log line and a counter the alarms read. */
export const observer: Observer = {
  metrics: powertoolsMetrics,
  error: (message, fields) => logger.error(message, { ...fields }),
};
