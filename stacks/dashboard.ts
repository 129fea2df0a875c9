import type { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  MathExpression,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  dashboardName,
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  type MetricName,
  TECHNICAL_ERROR_KINDS,
} from '../core/config/observability';
import { paysagaMetric } from './alarms';

export interface DashboardInputs {
  readonly stage: string;
  readonly period: Duration;
  readonly stateMachine: IStateMachine;
  /** The refund saga: its executions beside the payment saga's. */
  readonly refundStateMachine: IStateMachine;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly alarms: readonly IAlarm[];
}

/** Every series of one of paysaga's metrics, one line per value of its `dimensions` (a CloudWatch SEARCH). */
function byDimensions(name: MetricName, dimensions: readonly string[], period: Duration): IMetric {
  const schema = [METRICS_NAMESPACE, 'service', ...dimensions].join(',');
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${name}"', 'Sum', ${period.toSeconds()})`,
    label: '',
    period,
    usingMetrics: {},
  });
}

const graph = (title: string, left: IMetric[], width = 12): GraphWidget =>
  new GraphWidget({ title, left, width, height: 6 });

/**
 * The stage's dashboard: business outcomes (payments by outcome and reason,
 * compensations, DLQ arrivals), what needs a person (technical errors, refused
 * status moves, stopped sagas, DLQ ages, expired holds) and the alarms' states.
 */
export function paysagaDashboard(scope: Construct, inputs: DashboardInputs): Dashboard {
  const { period, stateMachine } = inputs;
  const queues = Object.entries(inputs.deadLetterQueues);
  const sfn = { period, statistic: 'Sum' };
  return new Dashboard(scope, 'Dashboard', {
    dashboardName: dashboardName(inputs.stage),
    widgets: [
      [
        graph('Payments by outcome and reason', [
          byDimensions(
            METRIC_NAMES.paymentOutcome,
            [METRIC_DIMENSIONS.outcome, METRIC_DIMENSIONS.reason],
            period,
          ),
        ]),
        graph('Compensations', [
          byDimensions(METRIC_NAMES.compensation, [METRIC_DIMENSIONS.compensation], period),
        ]),
      ],
      [
        graph('DLQ arrivals', [
          byDimensions(METRIC_NAMES.deadLetterArrival, [METRIC_DIMENSIONS.queue], period),
        ]),
        graph(
          'DLQ age of oldest message (s)',
          queues.map(([key, queue]) =>
            queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum', label: key }),
          ),
        ),
      ],
      [
        graph(
          'Technical errors (not business outcomes)',
          TECHNICAL_ERROR_KINDS.map((kind) =>
            paysagaMetric(METRIC_NAMES.technicalError, period, { [METRIC_DIMENSIONS.kind]: kind }).with({
              label: kind,
            }),
          ),
        ),
        graph('Sagas', [
          stateMachine.metricStarted(sfn).with({ label: 'started' }),
          stateMachine.metricSucceeded(sfn).with({ label: 'succeeded' }),
          stateMachine.metricFailed(sfn).with({ label: 'stopped (hold kept)' }),
          stateMachine.metricTimedOut(sfn).with({ label: 'timed out' }),
          stateMachine.metricThrottled(sfn).with({ label: 'throttled' }),
        ]),
      ],
      [
        graph('Refused status moves', [
          paysagaMetric(METRIC_NAMES.illegalStatusMove, period).with({ label: 'illegal moves' }),
        ]),
        graph('Expired holds', [
          paysagaMetric(METRIC_NAMES.holdsExpired, period).with({ label: 'voided' }),
          paysagaMetric(METRIC_NAMES.holdsKept, period).with({ label: 'kept (saga may still run)' }),
        ]),
      ],
      [
        graph(
          'Refund sagas',
          [
            inputs.refundStateMachine.metricStarted(sfn).with({ label: 'started' }),
            inputs.refundStateMachine.metricSucceeded(sfn).with({ label: 'succeeded (refunded or refused)' }),
            inputs.refundStateMachine
              .metricFailed(sfn)
              .with({ label: 'failed (stopped or needs attention)' }),
            inputs.refundStateMachine.metricTimedOut(sfn).with({ label: 'timed out' }),
          ],
          24,
        ),
      ],
      [new AlarmStatusWidget({ title: 'Alarms', alarms: [...inputs.alarms], width: 24, height: 6 })],
    ],
  });
}
