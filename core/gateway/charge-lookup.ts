import type { ChargeResult, FindChargeOptions } from './port';
import { GatewayChargeProcessingError } from './stripe-errors';

/**
 * Where to look for the charge a Charge attempt may have made, after a Charge error (the saga holds no charge
 * id). Stripe's Search API lags writes by up to about a minute; listing is consistent at once but costs a page
 * per 100 PaymentIntents of ANY payment. So the list is used only right after an attempt, over a bounded
 * window, and the adapter caps its pages (a transient error: the retry comes once search has caught up).
 */
export const CHARGE_LOOKUP = {
  /** How far apart the gateway's and Lambda's clocks may stamp the same moment. */
  clockSkewMs: 5 * 60 * 1000,
  /** Past this after the latest attempt, the gateway's search shows every charge the attempts made. */
  searchCatchUpMs: 2 * 60 * 1000,
  /** The longest a Charge attempt can run at the gateway: the 30 s Lambda timeout with the client's retry. */
  attemptMaxMs: 60 * 1000,
} as const;

/** When the charge attempts were made (ISO-8601): the first, and the latest (a retry or a redrive). */
export interface ChargeAttempts {
  readonly first?: string | undefined;
  readonly latest?: string | undefined;
}

/**
 * The findChargeByPaymentId options for a lookup at `now`: a list window while the search may still lag the
 * latest attempt, from the oldest charge search may not show yet to the end of the latest attempt (each with
 * the clock skew); search only (no window) when no attempt is recorded or the latest is old enough.
 */
export function chargeLookupOptions(attempts: ChargeAttempts, now: Date): FindChargeOptions {
  if (!attempts.first) return {};
  const first = Date.parse(attempts.first);
  const latest = Math.max(first, Date.parse(attempts.latest ?? attempts.first));
  const at = now.getTime();
  if (at - latest > CHARGE_LOOKUP.searchCatchUpMs) return {};
  const uncovered = Math.max(first, at - CHARGE_LOOKUP.searchCatchUpMs);
  return {
    createdSince: new Date(uncovered - CHARGE_LOOKUP.clockSkewMs),
    createdUntil: new Date(latest + CHARGE_LOOKUP.attemptMaxMs + CHARGE_LOOKUP.clockSkewMs),
  };
}

/**
 * A charge found by a lookup (the >23 h recovery at Charge) may still be `processing`, and can still fail:
 * nothing to credit or settle on yet. Returns it once succeeded; retryable GatewayChargeProcessingError before.
 */
export function settledCharge<T extends Pick<ChargeResult, 'chargeId' | 'status'>>(
  charge: T,
  operation: string,
): T {
  if (charge.status === 'processing') {
    throw new GatewayChargeProcessingError(
      `${operation}: the gateway is still processing charge ${charge.chargeId}; retry until it succeeds or fails`,
    );
  }
  return charge;
}
