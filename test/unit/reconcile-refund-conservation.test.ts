import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../core/ledger';
import { checkGatewayConserved, type RunExpectations, type RunFacts } from '../../local/chaos/checks';
import { checkConservedWithTopUps } from '../../local/chaos/top-up-checks';
import type { SandboxCharge } from '../../local/sandbox-gateway/server';

/**
 * Money conserved across ledger and gateway (the chaos run's checks) counts a refund saga's refund_part:
 * its gateway part came back out of the charge, so the gateway's net of refunds equals settle_card minus it.
 */

const AT = '2026-12-05T00:00:00.000Z';

/** A payment of 10.00 on the card (`card`), settled; a refund saga refund of `refunded` of it, posted. */
function run(prefix: string, card: number, refunded: number): { expect: RunExpectations; facts: RunFacts } {
  const paymentId = `${prefix}-p0`;
  const walletId = `${prefix}-w0`;
  const entry = (ref: string, operation: JournalEntry['operation'], lines: [string, number][]) => ({
    entryId: `${ref}#${operation}`,
    ref,
    operation,
    walletId,
    currency: 'EUR' as const,
    lines: lines.map(([account, amount]) => ({ account, amount })),
    effectiveAt: AT,
  });
  const refundRef = `refund:${paymentId}:${prefix}-r0`;
  const entries: JournalEntry[] = [
    entry(paymentId, 'settle_card', [
      ['gateway', -card],
      ['merchant:mer_c', card],
    ]),
    entry(refundRef, 'refund_part', [
      ['merchant:mer_c', -refunded],
      [`wallet:${walletId}`, 0],
      ['gateway', refunded],
    ]),
  ];
  const charge: SandboxCharge = {
    id: `pi_${prefix}`,
    paymentId,
    amount: card,
    currency: 'EUR',
    status: 'succeeded',
    created: 1,
    paymentMethod: 'pm_card_visa',
    refunded,
  };
  return {
    expect: {
      payments: [{ paymentId, walletId, amount: card, currency: 'EUR' }],
      topUps: [],
      malformed: [],
      intakeDlq: 'dlq',
      crashedBeforeRecord: [],
    },
    facts: {
      executions: new Map([[paymentId, 'SUCCEEDED']]),
      outcomes: new Map([[paymentId, 'SUCCEEDED']]),
      splits: new Map([[paymentId, { walletAmount: 0, gatewayAmount: card }]]),
      stops: new Map(),
      dlq: new Map(),
      charges: [charge],
      topUpOutcomes: new Map(),
      topUpExecutions: new Map(),
      ledger: { wallets: [], entries },
      reconciliation: { discrepancies: [], payments: 1 },
    },
  };
}

describe('conservation across ledger and gateway with refund saga refunds', () => {
  it('checkGatewayConserved nets a partial refund_part against the charge the gateway partly refunded', () => {
    // Prepare
    const { expect: expected, facts } = run('cons-a', 1000, 400);
    // Act
    const checked = checkGatewayConserved(expected, facts);
    // Assess
    expect(checked).toMatchObject({ ok: true, violations: 0 });
    expect(checked.detail).toContain('EUR 600');
  });

  it('checkConservedWithTopUps counts the refund_part gateway part per currency', () => {
    // Prepare
    const { expect: expected, facts } = run('cons-b', 1000, 1000);
    // Act
    const checked = checkConservedWithTopUps(expected, facts);
    // Assess
    expect(checked).toMatchObject({ ok: true, violations: 0 });
    expect(checked.detail).toContain('EUR 0');
  });

  it('still finds a refund_part whose gateway part the gateway never refunded', () => {
    // Prepare: the ledger gave 400 back to the card, the gateway refunded nothing
    const { expect: expected, facts } = run('cons-c', 1000, 400);
    const unrefunded = { ...facts, charges: facts.charges.map((c) => ({ ...c, refunded: 0 })) };
    // Act
    const checked = checkGatewayConserved(expected, unrefunded);
    // Assess
    expect(checked).toMatchObject({ ok: false, violations: 1 });
    expect(checked.detail).toContain('cons-c-p0 (gateway kept 1000, merchant credited 600)');
  });
});
