import type { WebhookEndpointStore } from './endpoint-store';
import { freeSlots, type HeldSlot, leaseExpired, leaseUntil, newLease } from './slots';

export interface AdmissionSettings {
  /** Attempts to one endpoint in flight at once (WEBHOOKS.isolation.slotsPerEndpoint). */
  readonly slots: number;
  /** How long a slot is held unless released first: more than the attempt timeout. */
  readonly leaseSeconds: number;
  /** A delivery finding every slot taken waits this long, jittered up to twice (SQS delay). */
  readonly busyDelaySeconds: number;
}

export interface AdmissionDeps {
  readonly endpoints: Pick<WebhookEndpointStore, 'health' | 'claimSlot'>;
  readonly random?: () => number;
}

/** May attempt now, holding `held` (release it, or record the outcome with it); or wait `seconds` first. */
export type Admission =
  | { readonly attempt: true; readonly held: HeldSlot; readonly failures: number }
  | { readonly attempt: false; readonly seconds: number; readonly why: 'back-off' | 'probing' | 'busy' };

const at = (date: Date, plusSeconds: number) => new Date(date.getTime() + plusSeconds * 1000);

async function claimFirst(
  deps: AdmissionDeps,
  endpointId: string,
  candidates: readonly number[],
  now: Date,
  settings: AdmissionSettings,
): Promise<HeldSlot | undefined> {
  for (const slot of candidates) {
    const lease = newLease(at(now, settings.leaseSeconds));
    if (await deps.endpoints.claimSlot(endpointId, slot, lease, now.toISOString())) return { slot, lease };
  }
  return undefined;
}

/**
 * Whether a delivery to this endpoint may be attempted now (one read of the
 * endpoint's health item, one conditional write per slot tried):
 *
 * - a healthy endpoint (no recent failure) takes any free slot of its
 *   `slots`; with every slot held (that many attempts in flight, e.g. hanging
 *   until their timeout) the delivery waits (busyWait) and tries again: not
 *   an attempt, so it neither counts nor logs as one;
 * - a failing endpoint waits for its own back-off, then is probed by ONE
 *   attempt at a time (slot 0); the others wait until that probe's lease ends.
 *
 * So a slow, hanging or failing endpoint holds at most `slots` delivery
 * batches, and the others stay free for every other endpoint. A slot whose
 * attempt crashed is free again once its lease runs out.
 */
export async function admit(
  deps: AdmissionDeps,
  endpointId: string,
  now: Date,
  settings: AdmissionSettings,
): Promise<Admission> {
  const health = await deps.endpoints.health(endpointId);
  const failures = health?.consecutiveFailures ?? 0;
  const leases = health?.leases ?? {};
  if (failures > 0) {
    const next = health?.nextAttemptAt ? Date.parse(health.nextAttemptAt) : 0;
    if (next > now.getTime())
      return { attempt: false, seconds: (next - now.getTime()) / 1000, why: 'back-off' };
    const held = await claimFirst(deps, endpointId, [0], now, settings);
    if (held) return { attempt: true, held, failures };
    const probe = leases['0'];
    const until =
      probe !== undefined && !leaseExpired(probe, now) ? leaseUntil(probe) : at(now, settings.leaseSeconds);
    return { attempt: false, seconds: Math.max(1, (until.getTime() - now.getTime()) / 1000), why: 'probing' };
  }
  const held = await claimFirst(deps, endpointId, freeSlots(leases, settings.slots, now), now, settings);
  if (held) return { attempt: true, held, failures };
  return { attempt: false, seconds: busyWait(deps, leases, now, settings), why: 'busy' };
}

/**
 * How long a delivery finding every slot taken waits: the busy delay
 * (jittered), or, when the oldest attempt in flight has already run longer,
 * as long again as it has run (at most until its lease ends): a slow or
 * hanging endpoint's deliveries come back less and less often, not every
 * second, while a fast one's come back at the busy delay.
 */
function busyWait(
  deps: AdmissionDeps,
  leases: Readonly<Record<string, string>>,
  now: Date,
  settings: AdmissionSettings,
): number {
  const random = deps.random ?? Math.random;
  const busy = settings.busyDelaySeconds * (1 + random());
  const ends = Object.values(leases)
    .filter((lease) => !leaseExpired(lease, now))
    .map((lease) => leaseUntil(lease).getTime());
  if (ends.length === 0) return busy;
  const oldestEnd = Math.min(...ends);
  const inFlightSeconds = (now.getTime() - (oldestEnd - settings.leaseSeconds * 1000)) / 1000;
  return Math.max(busy, Math.min(inFlightSeconds, (oldestEnd - now.getTime()) / 1000));
}
