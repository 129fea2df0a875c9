/**
 * A top-up's ids at the gateway. The gateway port keys a charge by the id it is
 * given (Idempotency-Key = that id, its refund `refund:<id>`, and the id in the
 * charge's metadata for reconciliation). Top-ups pass `topup:<topUpId>`: a
 * paymentId cannot contain ":", so a top-up's key never meets a payment's.
 */
export const TOP_UP_GATEWAY_PREFIX = 'topup:';

export const gatewayRefOf = (topUpId: string): string => `${TOP_UP_GATEWAY_PREFIX}${topUpId}`;

/** The topUpId of a gateway reference, or undefined for a payment's. */
export function topUpIdOfGatewayRef(ref: string | undefined): string | undefined {
  return ref?.startsWith(TOP_UP_GATEWAY_PREFIX) ? ref.slice(TOP_UP_GATEWAY_PREFIX.length) : undefined;
}
