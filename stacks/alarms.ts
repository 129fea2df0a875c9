import type { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { APP_NAME } from '../core/config/names';
import {
  ALARM_THRESHOLDS,
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  type MetricName,
  TECHNICAL_ERROR_KINDS,
} from '../core/config/observability';

/** One of paysaga's own (EMF) metrics, with the `service` dimension Powertools Metrics adds to each. */
export function paysagaMetric(
  name: MetricName,
  period: Duration,
  dimensions: Readonly<Record<string, string>> = {},
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE, ...dimensions },
    period,
    statistic: 'Sum',
  });
}

/** Raises when one period's datapoint is at or above `threshold` (default 1), or above it with `strictly`. */
export type AlarmFactory = (
  id: string,
  metric: IMetric,
  description: string,
  threshold?: number,
  strictly?: boolean,
) => Alarm;

/** Alarms named `paysaga-<stage>-<id>`, missing data not breaching, each sending to `action`. */
export function alarmFactory(scope: Construct, stage: string, action: IAlarmAction): AlarmFactory {
  return (id, metric, description, threshold = 1, strictly = false) => {
    const created = new Alarm(scope, id, {
      alarmName: `${APP_NAME}-${stage}-${id}`,
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: strictly
        ? ComparisonOperator.GREATER_THAN_THRESHOLD
        : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(action);
    return created;
  };
}

const TECHNICAL_ERROR_THRESHOLD = {
  transient: ALARM_THRESHOLDS.transientTechnicalErrors,
  unexpected: ALARM_THRESHOLDS.unexpectedTechnicalErrors,
} as const;

/**
 * The step functions' own failures that need a person: errors that are not
 * business outcomes (a decline or a short wallet is counted as an outcome,
 * never here), and status moves advance() refused.
 */
export function technicalErrorAlarms(alarm: AlarmFactory, period: Duration): Alarm[] {
  return [
    ...TECHNICAL_ERROR_KINDS.map((kind) =>
      alarm(
        `technical-errors-${kind}`,
        paysagaMetric(METRIC_NAMES.technicalError, period, { [METRIC_DIMENSIONS.kind]: kind }),
        `Saga steps failed with ${kind} errors that are not business outcomes: see the step logs ("step failed") and payctl sagas failed`,
        TECHNICAL_ERROR_THRESHOLD[kind],
      ),
    ),
    alarm(
      'illegal-status-moves',
      paysagaMetric(METRIC_NAMES.illegalStatusMove, period),
      'A payment status move was refused as contradicting the recorded status (e.g. FAILED after SUCCEEDED): see the error log "illegal payment status move" and reconcile the payment',
      ALARM_THRESHOLDS.illegalStatusMoves,
    ),
  ];
}

/**
 * Every DLQ: its oldest message has waited longer than a person should let it;
 * and for the DLQs where one arrival is already trouble (the compensation DLQ:
 * money left held or charged), any message sent to it.
 */
export function deadLetterAlarms(
  alarm: AlarmFactory,
  period: Duration,
  queues: Readonly<Record<string, { readonly queue: IQueue; readonly description?: string }>>,
  alarmOnArrival: readonly string[],
): Alarm[] {
  const ageMinutes = ALARM_THRESHOLDS.deadLetterOldestMessageSeconds / 60;
  return Object.entries(queues).flatMap(([queueKey, { queue, description }]) => [
    alarm(
      `${queueKey}-oldest-age`,
      queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      `A message has waited over ${ageMinutes} minutes in ${queue.queueName} (${description}): payctl dlq peek, fix, redrive`,
      ALARM_THRESHOLDS.deadLetterOldestMessageSeconds,
    ),
    ...(alarmOnArrival.includes(queueKey)
      ? [
          alarm(
            `${queueKey}-arrival`,
            queue.metricNumberOfMessagesSent({ period, statistic: 'Sum' }),
            `A message arrived in ${queue.queueName} (${description}): resolve it by hand, see the runbook`,
          ),
        ]
      : []),
  ]);
}
