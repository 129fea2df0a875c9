import type { PaymentRecord, PaymentResolution, ResolutionAction, ResolutionOutcome } from './records';

/**
 * What a person's resolution of a payment means (`payctl payments resolve`, the
 * console): the payment ends as its outcome. One reading for every reader: the
 * status API answers it (core/frontdoor/payment-status.ts), reconciliation
 * judges the payment's money against it (core/finance/reconcile-rules.ts).
 */

/** How a resolved payment ended, who said so and when. */
export interface ResolutionView {
  readonly action: ResolutionAction;
  /** What the merchant was told; a resolution recorded before outcomes were is `failed`. */
  readonly outcome: ResolutionOutcome;
  readonly by: string;
  readonly resolvedAt: string;
  readonly reason?: string;
}

export function resolutionView(resolution: PaymentResolution): ResolutionView {
  return {
    action: resolution.action,
    outcome: resolution.outcome ?? 'failed',
    by: resolution.by,
    resolvedAt: resolution.at,
    ...(resolution.reason !== undefined && { reason: resolution.reason }),
  };
}

/** A payment's status as it ended: its resolution's outcome (SUCCEEDED / FAILED) once resolved, else its own. */
export function effectiveStatusOf(
  record: Pick<PaymentRecord, 'status' | 'resolution'>,
): PaymentRecord['status'] {
  if (!record.resolution) return record.status;
  return resolutionView(record.resolution).outcome === 'succeeded' ? 'SUCCEEDED' : 'FAILED';
}
