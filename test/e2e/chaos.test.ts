import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ChaosRatesSchema } from '../../local/chaos/rates';
import { runChaos } from '../../local/chaos/run';
import { tempDataDir } from '../helpers/runtime';

const dataDir = tempDataDir('paysaga-chaos-e2e');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the chaos run, small', () => {
  it('loses nothing (payments, top-ups and refunds), charges and refunds nothing twice and leaves no hold open through faults and a kill -9', async () => {
    // Prepare
    const seed = 60_601;

    // Act
    const summary = await runChaos({
      payments: 60,
      seed,
      kills: 1,
      dataDir,
      rates: ChaosRatesSchema.parse({}),
      retryScale: 0.1,
      timeoutMs: 150_000,
      reproduce: `npm run chaos -- --payments 60 --seed ${seed} --kills 1 --retry-scale 0.1`,
    });

    // Assess
    const failing = summary.checks.filter((check) => !check.ok);
    expect(failing).toEqual([]);
    expect(summary).toMatchObject({ ok: true, lost: 0, doubleCharges: 0, unreleasedHolds: 0, kills: 1 });
    expect(summary).toMatchObject({ topUpsLost: 0, topUpDoubleCharges: 0, topUps: { sent: 6 } });
    // Refunds after success: full, partial, two concurrent for one payment, one sent twice (seed 60601).
    expect(summary).toMatchObject({ refundsLost: 0, refundDoublePosts: 0 });
    expect(summary.refunds.sent).toBeGreaterThanOrEqual(6);
    expect(Object.keys(summary.refunds.shapes)).toEqual(
      expect.arrayContaining(['full', 'partial', 'concurrent', 'duplicate']),
    );
    expect(summary.refunds.outcomes.SUCCEEDED).toBeGreaterThan(0);
    expect(summary.restarts).toBe(1);
    const injected = Object.values(summary.injected).reduce((a, b) => a + (b ?? 0), 0);
    expect(injected).toBeGreaterThan(10);
  }, 180_000);
});
