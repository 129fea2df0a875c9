import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../events/envelope';
import { TopUpRequestedV1 } from '../../events/top-ups.v1';
import { planChaos } from '../../local/chaos/plan';
import { DEFAULT_RATES } from '../../local/chaos/schedule';
import { behaviourOf } from '../../local/sandbox-gateway/test-methods';

describe('chaos plan: top-ups in the stream', () => {
  it('mixes valid TopUpRequested events for wallets that also pay into the stream, some meeting gateway faults', () => {
    // Prepare
    const options = { payments: 300, seed: 7, runId: 'plan-topups', rates: DEFAULT_RATES };

    // Act
    const plan = planChaos(options);

    // Assess
    expect(plan.topUps).toHaveLength(30);
    const paying = new Set(plan.payments.map((p) => p.walletId));
    expect(plan.topUps.filter((t) => !paying.has(t.walletId))).toEqual([]);
    const currencyOf = new Map(plan.wallets.map((w) => [w.walletId, w.currency]));
    for (const topUp of plan.topUps) {
      const detail = TopUpRequestedV1.parse(topUp.detail);
      expect(detail.amount.currency).toBe(currencyOf.get(topUp.walletId));
      expect(behaviourOf(detail.paymentMethod)).toBeDefined();
    }
    expect(plan.topUps.filter((t) => t.kind !== 'approve' && t.kind !== 'declined').length).toBeGreaterThan(
      0,
    );
    expect(plan.topUps.filter((t) => t.kind === 'declined').length).toBeGreaterThan(0);
    const types = plan.stream.map((event) => event.detailType);
    expect(plan.stream).toHaveLength(plan.sendOrder.length + plan.topUps.length);
    expect(types.filter((t) => t === DETAIL_TYPES.topUpRequested)).toHaveLength(30);
    const firstTopUp = types.indexOf(DETAIL_TYPES.topUpRequested);
    const lastTopUp = types.lastIndexOf(DETAIL_TYPES.topUpRequested);
    expect(
      types.slice(firstTopUp, lastTopUp).filter((t) => t === DETAIL_TYPES.paymentRequested).length,
    ).toBeGreaterThan(100);
  });
});
