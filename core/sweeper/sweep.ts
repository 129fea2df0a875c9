import { METRIC_NAMES } from '../config/observability';
import { SWEEPER } from '../config/sweeper';
import type { ExpireOptions, SweepResult } from '../ledger/ledger';
import { type MetricsSink, NO_METRICS } from '../observability/metrics';
import { type KeepReason, keepReason, type SagaExecutions } from './skip-rule';

export interface SweepDeps {
  readonly ledger: {
    expireHolds(walletId: string, options: ExpireOptions): Promise<SweepResult>;
  };
  readonly reader: { walletsWithHoldsExpiringBefore(instant: Date): AsyncIterable<string> };
  readonly executions: SagaExecutions;
  readonly now: () => Date;
  readonly metrics?: MetricsSink;
  readonly maxWallets?: number;
}

export interface SweepReport {
  readonly wallets: number;
  readonly expired: SweepResult['expired'];
  readonly kept: ReadonlyArray<{
    readonly paymentId: string;
    readonly reason: KeepReason;
    readonly detail?: string;
  }>;
  /** Wallets whose sweep failed (retried on the next run); the run reports them and fails. */
  readonly failures: ReadonlyArray<{ readonly walletId: string; readonly error: string }>;
}

/** Some wallets could not be swept: the next run tries them again; the function's error alarm says so now. */
export class SweepIncompleteError extends Error {
  override readonly name = 'SweepIncompleteError';
}

/**
 * One run of the expiry sweeper: every wallet the ledger's expiry index lists
 * with a hold expiring before now has its expired holds voided (journal
 * `expire`), except holds whose saga may still use them (skip-rule.ts). When
 * Step Functions cannot be asked, the hold is kept: never void when unsure.
 */
export async function sweepExpiredHolds(deps: SweepDeps): Promise<SweepReport> {
  const now = deps.now();
  const metrics = deps.metrics ?? NO_METRICS;
  const kept: Array<SweepReport['kept'][number]> = [];
  const expired: Array<SweepResult['expired'][number]> = [];
  const failures: Array<SweepReport['failures'][number]> = [];
  const skip = async (paymentId: string): Promise<boolean> => {
    try {
      const reason = keepReason(await deps.executions.describe(paymentId), now);
      if (reason) kept.push({ paymentId, reason });
      return reason !== undefined;
    } catch (error) {
      kept.push({ paymentId, reason: 'saga_unknown', detail: (error as Error).message });
      return true;
    }
  };
  let wallets = 0;
  for await (const walletId of deps.reader.walletsWithHoldsExpiringBefore(now)) {
    if (wallets >= (deps.maxWallets ?? SWEEPER.maxWalletsPerRun)) break;
    wallets += 1;
    try {
      expired.push(...(await deps.ledger.expireHolds(walletId, { skip })).expired);
    } catch (error) {
      failures.push({ walletId, error: `${(error as Error).name}: ${(error as Error).message}` });
    }
  }
  metrics.publish({ name: METRIC_NAMES.holdsExpired, dimensions: {}, value: expired.length });
  metrics.publish({ name: METRIC_NAMES.holdsKept, dimensions: {}, value: kept.length });
  return { wallets, expired, kept, failures };
}
