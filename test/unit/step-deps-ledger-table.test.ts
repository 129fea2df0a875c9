import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV_KEYS } from '../../core/config/env';

// A step deployed without LEDGER_TABLE must fail when its deps are built, at its start, before it writes
// anything or calls the gateway: not at its first ledger call (RefundCharge would have refunded at the
// gateway, then failed at the hold's read; Reserve would have recorded the payment, then failed at the
// hold). The review's LOW on 41933f3 / 4c7bb9e / 524cc61, where each step's ledger binding became lazy.

describe("a saga step's deps without LEDGER_TABLE", () => {
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    saved = { ...process.env };
    vi.resetModules();
    process.env.AWS_REGION = 'eu-west-1';
    process.env[ENV_KEYS.paymentsTable] = `payments-${Date.now()}`;
    delete process.env[ENV_KEYS.ledgerTable];
  });
  afterEach(() => {
    process.env = saved;
    vi.resetModules();
  });

  it.each([['reserveStepDeps'], ['settleStepDeps'], ['compensationStepDeps']] as const)(
    '%s refuses to build, naming the variable',
    async (builder) => {
      // Prepare
      const deps = await import('../../functions/commons/deps');
      // Act / Assess
      expect(() => deps[builder]()).toThrow(`${ENV_KEYS.ledgerTable} is not set`);
    },
  );

  it('the top-up gateway steps and Credit refuse to build', async () => {
    // Prepare
    const deps = await import('../../functions/commons/topup-deps');
    // Act / Assess
    expect(() => deps.topUpGatewayStepDeps()).toThrow(`${ENV_KEYS.ledgerTable} is not set`);
    expect(() => deps.topUpStepDeps()).toThrow(`${ENV_KEYS.ledgerTable} is not set`);
  });

  it("the refund saga's PostReversal refuses to build", async () => {
    // Prepare
    const deps = await import('../../functions/commons/refund-deps');
    // Act / Assess
    expect(() => deps.refundStepDeps()).toThrow(`${ENV_KEYS.ledgerTable} is not set`);
  });
});
