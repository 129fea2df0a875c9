import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../core/config/observability';
import { SWEEPER } from '../../core/config/sweeper';
import type { MetricPoint } from '../../core/observability/metrics';
import { type ExecutionFacts, keepReason } from '../../core/sweeper/skip-rule';
import { sweepExpiredHolds } from '../../core/sweeper/sweep';

const NOW = new Date('2026-12-04T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const DAY = 86_400_000;

describe('Function: keepReason (the sweeper skip rule)', () => {
  it.each([
    [{ status: 'RUNNING' }, 'saga_running'],
    [{ status: 'PENDING_REDRIVE' }, 'saga_running'],
    [{ status: 'FAILED', stopDate: ago(DAY), redriveStatus: 'REDRIVABLE' }, 'saga_redrivable'],
    [{ status: 'TIMED_OUT', stopDate: ago(13 * DAY), redriveStatus: 'REDRIVABLE' }, 'saga_redrivable'],
    [{ status: 'FAILED', stopDate: ago(SWEEPER.redriveWindowMs) }, 'saga_redrivable'],
  ] as [ExecutionFacts, string][])(
    'keeps the hold of a saga that may still use it: %o',
    (execution, reason) => {
      // Act + Assess
      expect(keepReason(execution, NOW)).toBe(reason);
    },
  );

  it.each([
    [{ status: 'SUCCEEDED', stopDate: ago(DAY) }],
    [{ status: 'FAILED', stopDate: ago(SWEEPER.redriveWindowMs + 1), redriveStatus: 'REDRIVABLE' }],
    [{ status: 'FAILED', stopDate: ago(DAY), redriveStatus: 'NOT_REDRIVABLE' }],
    [undefined],
  ] as [ExecutionFacts | undefined][])(
    'leaves the hold to the sweeper when the saga is done: %o',
    (execution) => {
      // Act + Assess
      expect(keepReason(execution, NOW)).toBeUndefined();
    },
  );
});

describe('Function: sweepExpiredHolds', () => {
  /** A ledger double that asks `skip` for each expired hold as Ledger.expireHolds does, and voids the rest. */
  function ledgerWith(holds: Record<string, string[]>) {
    const voided: string[] = [];
    return {
      voided,
      ledger: {
        async expireHolds(walletId: string, options: { skip?: (paymentId: string) => Promise<boolean> }) {
          const expired = [];
          for (const paymentId of holds[walletId] ?? []) {
            if (walletId === 'w-broken') throw new Error('dynamo is down');
            if (await options.skip?.(paymentId)) continue;
            voided.push(paymentId);
            expired.push({ walletId, paymentId, amount: 100 });
          }
          return { expired };
        },
      },
      reader: {
        async *walletsWithHoldsExpiringBefore(instant: Date) {
          expect(instant).toEqual(NOW);
          yield* Object.keys(holds);
        },
      },
    };
  }

  it('voids the holds of finished sagas, keeps running and redrivable ones, and keeps them when unsure', async () => {
    // Prepare
    const executions: Record<string, ExecutionFacts | Error | undefined> = {
      'pay-done': { status: 'SUCCEEDED', stopDate: ago(DAY) },
      'pay-running': { status: 'RUNNING' },
      'pay-stopped': { status: 'FAILED', stopDate: ago(DAY), redriveStatus: 'REDRIVABLE' },
      'pay-old': { status: 'FAILED', stopDate: ago(20 * DAY), redriveStatus: 'NOT_REDRIVABLE' },
      'pay-unknown': new Error('Rate exceeded'),
    };
    const { ledger, reader, voided } = ledgerWith({
      'w-1': ['pay-done', 'pay-running', 'pay-never-started'],
      'w-2': ['pay-stopped', 'pay-old', 'pay-unknown'],
    });
    const points: MetricPoint[] = [];
    // Act
    const report = await sweepExpiredHolds({
      ledger,
      reader,
      now: () => NOW,
      metrics: { publish: (point) => points.push(point) },
      executions: {
        describe: async (paymentId) => {
          const found = executions[paymentId];
          if (found instanceof Error) throw found;
          return found;
        },
      },
    });
    // Assess
    expect(voided.sort()).toEqual(['pay-done', 'pay-never-started', 'pay-old']);
    expect(report.kept.map((k) => [k.paymentId, k.reason])).toEqual([
      ['pay-running', 'saga_running'],
      ['pay-stopped', 'saga_redrivable'],
      ['pay-unknown', 'saga_unknown'],
    ]);
    expect(report).toMatchObject({ wallets: 2, failures: [] });
    expect(points).toEqual([
      { name: METRIC_NAMES.holdsExpired, dimensions: {}, value: 3 },
      { name: METRIC_NAMES.holdsKept, dimensions: {}, value: 3 },
    ]);
  });

  it('goes on past a wallet it cannot sweep and reports it', async () => {
    // Prepare
    const { ledger, reader, voided } = ledgerWith({ 'w-broken': ['pay-a'], 'w-ok': ['pay-b'] });
    // Act
    const report = await sweepExpiredHolds({
      ledger,
      reader,
      now: () => NOW,
      executions: { describe: async () => ({ status: 'SUCCEEDED' }) },
    });
    // Assess
    expect(voided).toEqual(['pay-b']);
    expect(report.failures).toEqual([{ walletId: 'w-broken', error: 'Error: dynamo is down' }]);
  });
});
