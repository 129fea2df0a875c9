import { type ChargeInput, gatewayPartOf } from './state';

/**
 * Which payment-saga steps keep a Powertools idempotency record (two writes per step: an INPROGRESS put
 * and a COMPLETED update), by the step's function key; a step not listed keeps one. A step goes without
 * only when its effects are idempotent and crash-safe on their own: run again after a crash at any point
 * (before or after its writes, before or after its answer), it writes nothing twice and answers the same.
 *
 * - reserve: kept. Its writes would be safe without it (open is a put-if-absent; the hold is one
 *   conditional ledger write per (paymentId, reserve) whose replay answers the hold placed first; RESERVED
 *   is a conditional move whose replay is a no-op; a retry holds the recorded split again), but the
 *   in-progress lock of a step that died before saving its result is what the crash tests pin on Reserve
 *   (and on Settle): dropping it would change behaviour those tests fix, not only the count.
 * - charge: none when the wallet covered everything (the split is recorded, the card part is 0): the step
 *   answers `not_needed` from its input and touches nothing. Otherwise kept: the gateway call is keyed by
 *   the paymentId, but Stripe forgets a key after 24 h, so a redrive after that would rely on the gateway
 *   lookup alone; the record replays the charge it made without asking the gateway at all.
 * - settle: kept, as reserve: its ledger posts are idempotent per (paymentId, operation), but the crash
 *   tests pin its in-progress lock.
 * - notify: none. SendMessage is at-least-once anyway (a crash between it and the record sends again);
 *   every copy carries the same notificationId, body and attribute, and consumers dedupe on it. No money.
 * - the compensations (release-funds, refund-charge) keep theirs; record-outcome declares its own.
 */
const RECORD_RULES: Readonly<Record<string, (input: unknown) => boolean>> = {
  charge: (input) => !chargeNeedsNoGateway(input as ChargeInput),
  notify: () => false,
};

/** Whether the step's attempt on this (validated) input runs under its Powertools idempotency record. */
export function needsIdempotencyRecord(step: string, input: unknown): boolean {
  return RECORD_RULES[step]?.(input) ?? true;
}

/**
 * The wallet covered the whole amount and the split is recorded: Charge answers `not_needed` without
 * calling the gateway. A state from before the split (no gatewayAmount) still asks the gateway.
 */
export const chargeNeedsNoGateway = (input: ChargeInput): boolean =>
  input.reserve.gatewayAmount !== undefined && gatewayPartOf(input) === 0;
