import { describe, expect, it } from 'vitest';
import { RefundRequestedV1 } from '../../events/refunds.v1';
import { chaosFaults } from '../../local/chaos/hooks';
import { planChaos } from '../../local/chaos/plan';
import { REFUND_AFTER_SUCCESS, REFUND_SHAPES } from '../../local/chaos/refund-plan';
import { DEFAULT_RATES, invocationDecision, paymentKindOf, SETTLE_REFUSED } from '../../local/chaos/schedule';
import { behaviourOf } from '../../local/sandbox-gateway/test-methods';

describe('chaos plan: refunds after success', () => {
  it('refunds payments the gateway approves in every shape, and every refund-after-success payment, with valid RefundRequested', () => {
    // Prepare
    const options = { payments: 500, seed: 11, runId: 'plan-refunds', rates: DEFAULT_RATES };

    // Act
    const plan = planChaos(options);

    // Assess
    const byId = new Map(plan.payments.map((p) => [p.paymentId, p]));
    expect(plan.refunds.length).toBeGreaterThan(30);
    expect(new Set(plan.refunds.map((r) => r.shape))).toEqual(new Set(REFUND_SHAPES));
    expect(new Set(plan.refunds.map((r) => r.refundId)).size).toBe(plan.refunds.length);
    for (const refund of plan.refunds) {
      const detail = RefundRequestedV1.parse(refund.detail);
      const payment = byId.get(refund.paymentId);
      expect(payment).toBeDefined();
      expect(detail.amount?.currency ?? payment?.currency).toBe(payment?.currency);
      expect(['declined', 'walletShort', ...SETTLE_REFUSED]).not.toContain(payment?.kind);
    }
    const afterSuccess = plan.payments.filter((p) => REFUND_AFTER_SUCCESS.has(p.kind));
    expect(afterSuccess.length).toBeGreaterThan(0);
    for (const payment of afterSuccess) {
      expect(plan.refunds.filter((r) => r.paymentId === payment.paymentId)).toHaveLength(1);
      expect(behaviourOf(String(payment.detail.paymentMethod))?.kind).toMatch(/^refund(drop|fail)$/);
    }
    const concurrent = plan.refunds.filter((r) => r.shape === 'concurrent');
    for (const refund of concurrent) {
      const pair = concurrent.filter((r) => r.paymentId === refund.paymentId);
      expect(pair).toHaveLength(2);
      expect((pair[0]?.amount ?? 0) + (pair[1]?.amount ?? 0)).toBeGreaterThan(
        byId.get(refund.paymentId)?.amount ?? 0,
      );
    }
    expect(plan.refunds.filter((r) => r.shape === 'duplicate').every((r) => r.copies === 2)).toBe(true);
    // Not in the stream: sent once their payment succeeded.
    expect(plan.stream.filter((e) => e.detailType === 'RefundRequested')).toEqual([]);
  });

  it('keeps the kinds the payments drew before refunds came: only approve gave up a share', () => {
    // Prepare
    const ids = Array.from({ length: 2_000 }, (_, i) => `kinds-p${i}`);

    // Act
    const kinds = ids.map((id) => paymentKindOf(5, id));

    // Assess
    const shares = (kind: string) => kinds.filter((k) => k === kind).length / ids.length;
    expect(shares('refundAfterSuccessLost')).toBeGreaterThan(0.005);
    expect(shares('gateway5xx')).toBeGreaterThan(0.04);
    expect(shares('gateway5xx')).toBeLessThan(0.08);
  });
});

describe('chaos faults: refund saga steps', () => {
  it('crash the refund saga steps too, decided per refund (never a crashBeforeRecord: no refund step keeps a record)', () => {
    // Prepare
    const rates = { ...DEFAULT_RATES, crashBefore: 0.2, crashAfter: 0.2, crashBeforeRecord: 0.2 };
    const ids = Array.from({ length: 200 }, (_, i) => `faults-p${i}.faults-r${i}`);
    const keys = [
      'refundReserve',
      'refundAtGateway',
      'refundPostReversal',
      'refundRelease',
      'refundRecordOutcome',
    ] as const;
    const reported: string[] = [];
    const hooks = chaosFaults(3, rates, (line) =>
      reported.push(`${line.paymentId} ${line.key} ${line.kind}`),
    );

    // Act
    const decisions = keys.flatMap((key) => ids.map((id) => invocationDecision(3, rates, id, key, 1)?.fault));
    const [paymentId, refundId] = (
      ids.find((id) => invocationDecision(3, rates, id, 'refundAtGateway', 1)) ?? ''
    ).split('.');
    const fault = hooks.invocation?.('refundAtGateway', {
      refund: { paymentId, refundId },
      executionArn: 'arn',
    });
    const outcome = hooks.invocation?.('refundRecordOutcome', {
      outcome: 'succeeded',
      saga: { refund: { paymentId, refundId } },
    });

    // Assess
    expect(decisions).toContain('crashBeforeSideEffect');
    expect(decisions).toContain('crashAfterSideEffect');
    expect(decisions).not.toContain('crashBeforeRecord');
    expect(decisions).not.toContain('crashNotRetried');
    expect(fault?.error.name).toBe('Lambda.ServiceException');
    expect(reported[0]).toMatch(new RegExp(`^${paymentId}\\.${refundId} refundAtGateway crash`));
    expect(outcome === undefined || outcome.error.name === 'Lambda.ServiceException').toBe(true);
  });
});
