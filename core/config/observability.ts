/**
 * Metric names, namespace, dimensions and alarm thresholds: the one source the
 * functions (EMF through Powertools Metrics), the stacks (alarms, dashboard) and
 * the tests read. A business outcome (declined, short wallet, invalid) is a
 * metric, never an alarm; alarms read only what needs a person.
 */

import { APP_NAME, type QueueKey } from './names';

export const METRICS_NAMESPACE = APP_NAME;
/** Powertools Metrics adds `service` to every metric; alarms must name the same value. */
export const METRICS_SERVICE = APP_NAME;

export const METRIC_NAMES = {
  /** Business: one per finished payment, by outcome (SUCCEEDED, FAILED, NEEDS_ATTENTION) and reason. */
  paymentOutcome: 'PaymentOutcome',
  /** Business: one per compensation a finished payment ran (RefundCharge, ReleaseFunds). */
  compensation: 'Compensation',
  /** One per message the saga parked in a DLQ (compensation DLQ, notification DLQ). */
  deadLetterArrival: 'DeadLetterArrival',
  /** A step failed with an error that is not a business outcome (transient or unexpected). */
  technicalError: 'TechnicalError',
  /** advance() refused a status move that contradicts the recorded one (e.g. FAILED after SUCCEEDED). */
  illegalStatusMove: 'IllegalStatusMove',
  /** Holds the sweeper voided past their expiry, and those it kept because their saga may still run. */
  holdsExpired: 'HoldsExpired',
  holdsKept: 'ExpiredHoldsKept',
} as const;
export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** Dimension names (besides `service`). Values are bounded sets: statuses, reason codes, step and queue names. */
export const METRIC_DIMENSIONS = {
  outcome: 'outcome',
  reason: 'reason',
  compensation: 'compensation',
  queue: 'queue',
  /** TechnicalError: `transient` (on the retry list) or `unexpected` (anything else). */
  kind: 'kind',
} as const;

export const TECHNICAL_ERROR_KINDS = ['transient', 'unexpected'] as const;
export type TechnicalErrorKind = (typeof TECHNICAL_ERROR_KINDS)[number];

/** DLQs where a single arrival needs a person at once (money is left held or charged). */
export const ALARM_ON_ARRIVAL: readonly QueueKey[] = ['compensationDlq'];

/** The stage's CloudWatch dashboard of the metrics above. */
export const dashboardName = (stage: string): string => `${APP_NAME}-${stage}`;

/** Alarm thresholds (per 5-minute window unless said otherwise). */
export const ALARM_THRESHOLDS = {
  /** Any error outside the business and retry lists is a defect or an outage: one is enough. */
  unexpectedTechnicalErrors: 1,
  /** Transient errors are retried; a burst of them means a dependency is struggling. */
  transientTechnicalErrors: 50,
  illegalStatusMoves: 1,
  /** A message older than this in any DLQ has waited too long for a person. */
  deadLetterOldestMessageSeconds: 3600,
} as const;
