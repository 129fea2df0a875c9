import { type ChargeInput, gatewayPartOf } from './state';

/**
 * Which payment-saga steps keep a Powertools idempotency record (two writes per step: an INPROGRESS put
 * and a COMPLETED update), by the step's function key; a step not listed keeps one. A step goes without
 * only when its effects are idempotent and crash-safe on their own: run again after a crash at any point
 * (before or after its writes, before or after its answer), it writes nothing twice and answers the same.
 *
 * - reserve: none. Every write is safe to run again, at once or after a crash at any point: open is a
 *   put-if-absent (a different payload is refused by its request hash); the hold is one conditional ledger
 *   write per (paymentId, reserve) whose replay (the marker on the wallet, or the journal once it closed)
 *   answers the hold placed first and completes its journal entry; RESERVED is a conditional move whose
 *   replay is a no-op, and a retry holds the recorded split again, so every attempt answers the same
 *   split. Two attempts at once (Step Functions invokes at least once) meet at the wallet's conditional
 *   write: one hold. Shown by test/integration/saga-steps-crash.test.ts (a crash before or after each of
 *   its writes, then the step again; two attempts at once).
 * - charge: none when the wallet covered everything (the split is recorded, the card part is 0): the step
 *   answers `not_needed` from its input and touches nothing. Otherwise kept: the gateway call is keyed by
 *   the paymentId, but Stripe forgets a key after 24 h, so a redrive after that would rely on the gateway
 *   lookup alone; the record replays the charge it made without asking the gateway at all.
 * - settle: none, as reserve: the post is one conditional write of the pending hold, its journal entries
 *   are put-if-absent and derived from the wallet's marker (a replay rewrites the same items), the marker
 *   goes only once they exist, the card part is once per payment in the journal, and SUCCEEDED is a
 *   conditional move; a replay after the marker left answers from the journal (the same capture, or
 *   LedgerInvariantError for another). Same tests. The in-progress lock of a step that died before saving
 *   its result is pinned on Charge (test/integration/saga-errors.test.ts), the step that keeps its record.
 * - notify: none. SendMessage is at-least-once anyway (a crash between it and the record sends again);
 *   every copy carries the same notificationId, body and attribute, and consumers dedupe on it. No money.
 * - the compensations (release-funds, refund-charge) keep theirs; record-outcome declares its own.
 */
const never = (): boolean => false;
const RECORD_RULES: Readonly<Record<string, (input: unknown) => boolean>> = {
  reserve: never,
  charge: (input) => !chargeNeedsNoGateway(input as ChargeInput),
  settle: never,
  notify: never,
};

/** Whether the step never keeps a record, whatever its input (the chaos run's crashBeforeRecord skips such steps). */
export const keepsNoRecord = (step: string): boolean => RECORD_RULES[step] === never;

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
