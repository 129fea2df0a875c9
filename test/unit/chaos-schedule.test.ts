import { describe, expect, it } from 'vitest';
import { killDue, killPlan } from '../../local/chaos/kills';
import { planChaos } from '../../local/chaos/plan';
import {
  chaosDraw,
  DEFAULT_RATES,
  invocationDecision,
  PAYMENT_KIND_NAMES,
  paymentKindOf,
  redeliveryDecision,
} from '../../local/chaos/schedule';
import { behaviourOf } from '../../local/sandbox-gateway/test-methods';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-p${i}`);

describe('chaos schedule', () => {
  it('gives the same decisions for the same seed and ids', () => {
    // Prepare
    const paymentIds = ids('sched-same', 300);
    const decide = (seed: number) =>
      paymentIds.map((id) => [
        paymentKindOf(seed, id),
        invocationDecision(seed, DEFAULT_RATES, id, 'charge', 1)?.fault ?? '-',
        redeliveryDecision(seed, DEFAULT_RATES, id, 1),
      ]);

    // Act
    const first = decide(11);
    const again = decide(11);

    // Assess
    expect(again).toEqual(first);
  });

  it('breaks a step between its side effect and its Powertools record only where the step keeps one', () => {
    // Prepare: the draws that fall in the crashBeforeRecord band, for steps with and without a record
    const paymentIds = ids('sched-record', 3000);
    const faults = (key: 'reserve' | 'settle' | 'notify' | 'charge') =>
      new Set(paymentIds.map((id) => invocationDecision(5, DEFAULT_RATES, id, key, 1)?.fault ?? '-'));

    // Act
    const withoutRecord = [faults('reserve'), faults('settle'), faults('notify')];
    const charge = faults('charge');

    // Assess: Reserve, Settle and Notify keep no record (core/saga/steps-records.ts): such a draw is a crash after
    // the side effect; Charge (with a card part) keeps its record and still meets crashBeforeRecord
    for (const seen of withoutRecord) {
      expect(seen.has('crashBeforeRecord')).toBe(false);
      expect(seen.has('crashAfterSideEffect')).toBe(true);
    }
    expect(charge.has('crashBeforeRecord')).toBe(true);
  });

  it('gives a different plan for another seed', () => {
    // Prepare
    const paymentIds = ids('sched-other', 300);

    // Act
    const kinds = (seed: number) => paymentIds.map((id) => paymentKindOf(seed, id)).join(',');

    // Assess
    expect(kinds(1)).not.toEqual(kinds(2));
    expect(killPlan(1, 3)).not.toEqual(killPlan(2, 3));
  });

  it('draws uniformly enough that every kind appears at about its rate', () => {
    // Prepare
    const paymentIds = ids('sched-rate', 20_000);

    // Act
    const draws = paymentIds.map((id) => chaosDraw(5, id));
    const kinds = new Set(paymentIds.map((id) => paymentKindOf(5, id)));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;

    // Assess
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect([...kinds].sort()).toEqual([...PAYMENT_KIND_NAMES].sort());
  });

  it('crashes only first attempts, so the saga retries get through, but refuses a refused settle every time', () => {
    // Prepare
    const paymentIds = ids('sched-attempts', 2_000);
    const refused = paymentIds.find((id) => paymentKindOf(3, id) === 'settleRefused') as string;

    // Act
    const secondAttemptFaults = paymentIds.filter((id) =>
      invocationDecision(3, DEFAULT_RATES, id, 'reserve', 2),
    );
    const firstAttemptFaults = paymentIds.filter((id) =>
      invocationDecision(3, DEFAULT_RATES, id, 'reserve', 1),
    );

    // Assess
    expect(secondAttemptFaults).toEqual([]);
    expect(firstAttemptFaults.length).toBeGreaterThan(50);
    expect(invocationDecision(3, DEFAULT_RATES, refused, 'settle', 7)).toEqual({ fault: 'settleRefused' });
    expect(invocationDecision(3, DEFAULT_RATES, refused, 'intake', 1)).toBeUndefined();
  });

  it('plans the same stream for the same seed, with sandbox methods the sandbox knows', () => {
    // Prepare
    const options = { payments: 400, seed: 21, runId: 'sched-plan', rates: DEFAULT_RATES };

    // Act
    const plan = planChaos(options);
    const again = planChaos(options);

    // Assess
    const strip = (p: typeof plan) => JSON.stringify(p).replace(/"requestedAt":"[^"]+"/g, '');
    expect(strip(again)).toEqual(strip(plan));
    expect(plan.payments).toHaveLength(400);
    expect(plan.sendOrder.length).toBe(400 + plan.malformed.length + plan.duplicates);
    const unknown = plan.payments.filter((p) => behaviourOf(String(p.detail.paymentMethod)) === undefined);
    expect(unknown).toEqual([]);
  });

  it('kills first while sending when there are two kills or more, then while sagas run, the same for a seed', () => {
    // Prepare
    const seed = 77;

    // Act
    const plan = killPlan(seed, 3);
    const one = killPlan(seed, 1);

    // Assess
    expect(killPlan(seed, 3)).toEqual(plan);
    expect(plan.map((p) => p.phase)).toEqual(['sending', 'processing', 'processing']);
    expect(one.map((p) => p.phase)).toEqual(['processing']);
    const first = plan[0];
    expect(killDue(first, { sent: 0, events: 100, ended: 0, payments: 90 })).toBe(false);
    expect(killDue(first, { sent: 100, events: 100, ended: 0, payments: 90 })).toBe(true);
    expect(killDue(plan[1], { sent: 100, events: 100, ended: 0, payments: 90 })).toBe(false);
    expect(killDue(plan[1], { sent: 100, events: 100, ended: 90, payments: 90 })).toBe(true);
  });
});
