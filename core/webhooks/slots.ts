import { randomBytes } from 'node:crypto';

/**
 * An endpoint's attempt slots (WEBHOOKS.isolation): slot `n` is held by the
 * lease in its health item's `slot<n>` attribute, `<until ISO>#<token>`. The
 * time comes first, so a lease and an ISO "now" compare as times (the store's
 * condition `slot<n> < :now` is the same test as `leaseExpired`); the token
 * is known only to the attempt that took it, so a late release cannot free
 * a slot someone else took after the lease ran out.
 */
export interface HeldSlot {
  readonly slot: number;
  readonly lease: string;
}

export function newLease(until: Date, token: string = randomBytes(6).toString('hex')): string {
  return `${until.toISOString()}#${token}`;
}

/** When the lease frees its slot by itself. */
export function leaseUntil(lease: string): Date {
  const cut = lease.indexOf('#');
  return new Date(cut < 0 ? lease : lease.slice(0, cut));
}

export function leaseExpired(lease: string, now: Date): boolean {
  return lease < now.toISOString();
}

/** The slots among 0..count-1 that are free at `now` (never held, released, or their lease ran out), lowest first. */
export function freeSlots(leases: Readonly<Record<string, string>>, count: number, now: Date): number[] {
  return Array.from({ length: count }, (_, slot) => slot).filter((slot) => {
    const lease = leases[String(slot)];
    return lease === undefined || leaseExpired(lease, now);
  });
}

/** The slot attribute's name on the health item. */
export const slotAttribute = (slot: number): string => `slot${slot}`;

/** The leases of a health item's `slot<n>` attributes, by slot number. */
export function leasesOf(item: Readonly<Record<string, unknown>>): Record<string, string> {
  const leases: Record<string, string> = {};
  for (const [name, value] of Object.entries(item)) {
    const match = /^slot(\d+)$/.exec(name);
    if (match?.[1] !== undefined && typeof value === 'string') leases[match[1]] = value;
  }
  return leases;
}
