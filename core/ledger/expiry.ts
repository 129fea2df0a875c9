import type { Hold, Wallet } from './model';

/**
 * The hold-expiry rule: a pending hold whose expiresAt has passed no longer
 * counts as held for settle, and the sweep voids it (state EXPIRED). Times are
 * normalised ISO-8601 UTC strings (Date#toISOString), which compare correctly
 * as strings, in DynamoDB conditions too.
 */

export function isExpired(hold: Hold, now: Date): boolean {
  return hold.state === 'PENDING' && hold.expiresAt <= now.toISOString();
}

/** A hold settle may post: pending and not yet expired. */
export function isSettleable(hold: Hold, now: Date): boolean {
  return hold.state === 'PENDING' && !hold.tombstone && hold.expiresAt > now.toISOString();
}

/** The paymentIds of the wallet's pending holds that have expired at `now`. */
export function expiredHoldIds(wallet: Wallet, now: Date): string[] {
  return Object.entries(wallet.holds)
    .filter(([, hold]) => isExpired(hold, now))
    .map(([paymentId]) => paymentId);
}

/** Normalises an instant given with any offset to the stored form; undefined when unparseable. */
export function normaliseInstant(value: string | Date): string | undefined {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
