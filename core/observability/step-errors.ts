import { METRIC_DIMENSIONS, METRIC_NAMES, type TechnicalErrorKind } from '../config/observability';
import { type FinalErrorName, isTransient } from '../errors';
import type { MetricPoint } from './metrics';

/**
 * Errors that are business outcomes: the saga answers them itself (compensates
 * and reports PaymentFailed), so they are counted as outcomes and page nobody.
 * LedgerInvariantError is final but not business: the books contradict the saga.
 */
export const BUSINESS_OUTCOME_ERROR_NAMES = [
  'InsufficientFundsError',
  'CardDeclinedError',
  'InvalidPaymentError',
] as const satisfies readonly FinalErrorName[];

const isBusinessOutcome = (error: unknown): boolean =>
  error instanceof Error && (BUSINESS_OUTCOME_ERROR_NAMES as readonly string[]).includes(error.name);

/** undefined for a business outcome; otherwise transient (on the retry list) or unexpected. */
export function technicalErrorKind(error: unknown): TechnicalErrorKind | undefined {
  if (isBusinessOutcome(error)) return undefined;
  return isTransient(error) ? 'transient' : 'unexpected';
}

/** What a failed step counts: nothing for a business outcome, one TechnicalError otherwise. */
export function stepErrorMetrics(step: string, error: unknown): MetricPoint[] {
  const kind = technicalErrorKind(error);
  if (!kind) return [];
  const errorName = error instanceof Error ? error.name : typeof error;
  return [
    {
      name: METRIC_NAMES.technicalError,
      dimensions: { [METRIC_DIMENSIONS.kind]: kind },
      value: 1,
      metadata: { step, errorName },
    },
  ];
}
