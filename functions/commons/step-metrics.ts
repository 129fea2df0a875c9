import type { MetricsSink } from '../../core/observability/metrics';
import { publishAll } from '../../core/observability/metrics';
import { stepErrorMetrics } from '../../core/observability/step-errors';
import { powertoolsMetrics } from './metrics';

/** For the step pipeline: a failed step counts a TechnicalError unless its error is a business outcome. */
export function countStepFailure(step: string, error: unknown, sink: MetricsSink = powertoolsMetrics): void {
  publishAll(sink, stepErrorMetrics(step, error));
}
