/** What every chaos check answers, and the helpers the checks share (checks.ts, top-up-checks.ts). */
import type { SandboxCharge } from '../sandbox-gateway/server';

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** How many payments (or items) break it; the figure the report calls lost, double charges, ... */
  readonly violations: number;
  /** The first few offenders, or the figures that agree. */
  readonly detail: string;
}

const FIRST_FEW = 5;

export function result(name: string, offenders: readonly string[], agreed: string): CheckResult {
  const shown = offenders.slice(0, FIRST_FEW).join(', ');
  return {
    name,
    ok: offenders.length === 0,
    violations: offenders.length,
    detail:
      offenders.length === 0
        ? agreed
        : `${offenders.length}: ${shown}${offenders.length > FIRST_FEW ? ', …' : ''}`,
  };
}

/** A charge the gateway still holds some of (not refunded in full). */
export const isLive = (charge: SandboxCharge): boolean => charge.amount - charge.refunded > 0;

/** What the gateway still holds of a charge: its amount net of refunds. */
export const netOf = (charge: SandboxCharge): number => charge.amount - charge.refunded;

/** Whether an id (paymentId or topUpId) has a DLQ message: a person resolves it, the checks expect no end. */
export const parkedIn = (dlq: ReadonlyMap<string, readonly unknown[]>, id: string): boolean =>
  (dlq.get(id) ?? []).length > 0;
