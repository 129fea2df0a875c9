import { describe, expect, it } from 'vitest';
import { chargeOf, planResolution, type ResolveFacts, reserveOfRecord } from '../../cli/ops/resolve-plan';
import { LedgerInvariantError } from '../../core/errors';
import { withResolution } from '../../core/finance/reconcile-rules';
import type { RefundRecord } from '../../core/gateway/port';
import type { Hold } from '../../core/ledger/model';
import { money } from '../../core/money';
import type { PaymentRecord } from '../../core/payments/records';
import {
  MerchantNotification,
  notificationId,
  resolvedPaymentNotification,
} from '../../core/saga/notification';
import type { SagaState } from '../../core/saga/state';

/** planResolution is pure: what `payctl payments resolve` says it will do, or why it refuses. */

const ACTOR = 'local:ops';

function facts(id: string, overrides: Partial<ResolveFacts> = {}): ResolveFacts {
  const payment: PaymentRecord = {
    paymentId: id,
    status: 'NEEDS_ATTENTION',
    walletId: `wal_${id}`,
    merchantId: 'mer_b',
    amount: 1250,
    currency: 'EUR',
    exponent: 2,
    requestedAt: '2026-11-01T10:00:00.000Z',
    requestHash: 'h',
    executionArn: `arn:aws:states:us-east-1:1:execution:saga:${id}`,
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-01T10:00:01.000Z',
    failedState: 'RefundCharge',
  };
  const saga = {
    payment: {
      schemaVersion: '1',
      paymentId: id,
      walletId: payment.walletId,
      merchantId: 'mer_b',
      amount: { value: 1250, currency: 'EUR', exponent: 2 },
      paymentMethod: 'pm_card_visa',
      requestedAt: payment.requestedAt,
    },
    reserve: {
      holdId: `hold:${id}`,
      walletId: payment.walletId,
      amount: 1250,
      currency: 'EUR',
      expiresAt: 'x',
    },
  } as SagaState;
  const hold: Hold = {
    state: 'PENDING',
    amount: 1250,
    expiresAt: '2026-11-20T00:00:00.000Z',
    reservedAt: 'x',
  };
  return {
    payment,
    parked: [
      {
        messageId: `m-${id}`,
        sentAt: undefined,
        body: { paymentId: id, saga, error: 'GatewayUnavailableError' },
      },
    ],
    saga,
    sagaSource: 'compensation DLQ message',
    charge: { kind: 'one', chargeId: `pi_${id}`, amount: 1250, currency: 'EUR' },
    refunds: [],
    hold,
    ...overrides,
  };
}

const refund = (id: string): RefundRecord => ({
  refundId: `re_${id}`,
  chargeId: `pi_${id}`,
  amount: money(1250, 'EUR'),
  currency: 'EUR',
  status: 'succeeded',
  created: 'x',
  paymentId: id,
});

describe('Function: planResolution', () => {
  it('--refund: refunds the charge with the saga key, releases the hold, then deletes the DLQ message and records', () => {
    // Act
    const plan = planResolution(facts('p1'), 'refund', ACTOR);
    // Assess
    expect(plan.refusal).toBeUndefined();
    expect(plan.steps).toEqual([
      'refund pi_p1 EUR 12.50 at the gateway (RefundCharge, as the saga: key refund:p1, so it refunds once)',
      'release the hold of EUR 12.50 on wal_p1 (ReleaseFunds)',
      'record the resolution (refund, outcome failed) by local:ops on the payment',
      "queue payment.failed for the merchant's webhooks (--refund gives the customer's money back)",
      'delete its 1 compensation DLQ message(s), only after the steps above succeeded',
      'write the audit record (payments.resolve, OpsActionPerformed) naming the outcome',
    ]);
    expect(plan.gateway.charge).toBe('pi_p1 EUR 12.50');
    expect(plan.ledger.hold).toBe('PENDING EUR 12.50');
  });

  it('--refund of a charge refunded already says the refund is replayed, not made again', () => {
    // Act
    const plan = planResolution(facts('p2', { refunds: [refund('p2')] }), 'refund', ACTOR);
    // Assess
    expect(plan.steps[0]).toBe('no new refund: re_p2 already refunds pi_p2 (RefundCharge replays it)');
  });

  it('a wallet-only payment (Charge not_needed): no refund, the hold released', () => {
    // Prepare
    const base = facts('p9');
    const saga = {
      ...base.saga,
      reserve: { ...base.saga?.reserve, gatewayAmount: 0 },
      charge: { chargeId: '', status: 'not_needed', created: 'x', amount: 0 },
    } as SagaState;
    // Act
    const plan = planResolution({ ...base, saga, charge: { kind: 'none' } }, 'refund', ACTOR);
    // Assess
    expect(plan.steps.slice(0, 2)).toEqual([
      'no refund: the gateway has no charge for p9',
      'release the hold of EUR 12.50 on wal_p9 (ReleaseFunds)',
    ]);
  });

  it('--release is refused while a charge stands unrefunded, and for a posted hold', () => {
    // Act
    const charged = planResolution(facts('p3'), 'release', ACTOR);
    const posted = planResolution(
      facts('p4', {
        charge: { kind: 'none' },
        hold: { state: 'POSTED', amount: 1250, expiresAt: 'x', reservedAt: 'x' },
      }),
      'release',
      ACTOR,
    );
    // Assess
    expect(charged.refusal).toMatch(
      /charge pi_p3 \(EUR 12.50\) stands unrefunded at the gateway.*use --refund/,
    );
    expect(charged.steps).toEqual([]);
    expect(posted.refusal).toMatch(/posted to mer_b.*use --refund/);
  });

  it('refuses several charges (refund the extras at the gateway, then --mark-resolved), and any payment not NEEDS_ATTENTION', () => {
    // Prepare
    const several = facts('p5', { charge: { kind: 'several', message: 'find charge of p5: 2 charges' } });
    const failed = facts('p6');
    // Act
    const refund = planResolution(several, 'refund', ACTOR);
    const marked = planResolution(several, 'mark_resolved', ACTOR, 'failed');
    const notParked = planResolution(
      { ...failed, payment: { ...failed.payment, status: 'FAILED' } },
      'refund',
      ACTOR,
    );
    // Assess
    expect(refund.refusal).toMatch(
      /2 charges; refund the extra charges at the gateway, then --mark-resolved/,
    );
    expect(marked.refusal).toBeUndefined();
    expect(notParked.refusal).toMatch(/is FAILED, not NEEDS_ATTENTION/);
  });

  it('the refusals that send the operator to --mark-resolved name the --outcome it then asks for, so following them is not refused again', () => {
    // Prepare: several charges (money stands taken whatever was refunded by hand), and no saga state to undo from.
    const several = facts('p5b', { charge: { kind: 'several', message: 'find charge of p5b: 2 charges' } });
    const unknown = facts('p5c', { saga: undefined });
    // Act
    const refund = planResolution(several, 'refund', ACTOR);
    const release = planResolution(unknown, 'release', ACTOR);
    const markedWithoutOutcome = planResolution(several, 'mark_resolved', ACTOR);
    const markedAsHinted = planResolution(several, 'mark_resolved', ACTOR, 'failed');
    // Assess
    expect(refund.refusal).toMatch(/then --mark-resolved --outcome succeeded\|failed --reason "\.\.\."/);
    expect(release.refusal).toMatch(
      /then --mark-resolved --reason "\.\.\." \(with --outcome succeeded\|failed while money stands taken\)/,
    );
    expect(markedWithoutOutcome.refusal).toMatch(/say what the merchant is told: --outcome succeeded/);
    expect(markedAsHinted.refusal).toBeUndefined();
  });

  it('a payment resolved before: nothing to do, whoever asks and however', () => {
    // Prepare
    const before = facts('p7', { parked: [] });
    const resolution = { action: 'refund' as const, by: 'local:alice', at: '2026-11-02T00:00:00.000Z' };
    // Act
    const plan = planResolution({ ...before, payment: { ...before.payment, resolution } }, 'release', ACTOR);
    // Assess
    expect(plan.alreadyResolved).toEqual(resolution);
    expect(plan.steps).toEqual([]);
    expect(plan.refusal).toBeUndefined();
  });
});

describe('Function: reserveOfRecord (the saga state once the DLQ message is gone)', () => {
  it('a card-only payment (no hold in the ledger) gets a reservation of 0 and its card part: --refund refunds it', () => {
    // Prepare
    const base = facts('p10');
    const payment = { ...base.payment, walletAmount: 0, gatewayAmount: 1250 };
    // Act
    const reserve = reserveOfRecord(payment, undefined);
    const plan = planResolution(
      { ...base, payment, parked: [], saga: { ...(base.saga as SagaState), reserve }, hold: undefined },
      'refund',
      ACTOR,
    );
    // Assess
    expect(reserve).toEqual({
      holdId: '',
      walletId: 'wal_p10',
      amount: 0,
      gatewayAmount: 1250,
      currency: 'EUR',
      expiresAt: '',
    });
    expect(plan.refusal).toBeUndefined();
    expect(plan.steps.slice(0, 2)).toEqual([
      'refund pi_p10 EUR 12.50 at the gateway (RefundCharge, as the saga: key refund:p10, so it refunds once)',
      'no release: the ledger holds nothing for it',
    ]);
  });

  it('a split payment takes its wallet part from the record and the hold from the ledger', () => {
    // Prepare
    const base = facts('p11');
    const payment = { ...base.payment, walletAmount: 1000, gatewayAmount: 250, holdId: 'hold:wal_p11:p11' };
    const hold: Hold = {
      state: 'PENDING',
      amount: 1000,
      expiresAt: '2026-11-20T00:00:00.000Z',
      reservedAt: 'x',
    };
    // Act
    const reserve = reserveOfRecord(payment, hold);
    // Assess
    expect(reserve).toEqual({
      holdId: 'hold:wal_p11:p11',
      walletId: 'wal_p11',
      amount: 1000,
      gatewayAmount: 250,
      currency: 'EUR',
      expiresAt: '2026-11-20T00:00:00.000Z',
    });
  });

  it('says nothing sure without the hold of a wallet part, or of a record from before the split', () => {
    // Prepare
    const base = facts('p12');
    const split = { ...base.payment, walletAmount: 1000, gatewayAmount: 250 };
    // Act
    const missingHold = reserveOfRecord(split, undefined);
    const preSplit = reserveOfRecord(base.payment, undefined);
    // Assess
    expect([missingHold, preSplit]).toEqual([undefined, undefined]);
  });
});

describe('Function: withResolution', () => {
  it('names the resolution (outcome, who, when, why) on findings of a resolved payment, still counted; leaves others alone', () => {
    // Prepare
    const { payment } = facts('p8');
    const found = { kind: 'charged_not_refunded' as const, message: 'm', action: 'a', paymentId: 'p8' };
    const resolution = { action: 'mark_resolved' as const, by: 'local:bob', at: 't', reason: 'cheque' };
    // Act
    const marked = withResolution({ ...payment, resolution }, found);
    const refunded = withResolution({ ...payment, resolution: { ...resolution, action: 'refund' } }, found);
    const open = withResolution(payment, found);
    // Assess: an older resolution without an outcome is `failed`, as the status API reads it.
    expect(marked.resolution).toEqual({
      action: 'mark_resolved',
      outcome: 'failed',
      by: 'local:bob',
      resolvedAt: 't',
      reason: 'cheque',
    });
    expect(marked.resolved).toBeUndefined();
    expect(refunded.resolution).toMatchObject({ action: 'refund', outcome: 'failed' });
    expect(open).toBe(found);
  });
});

describe('Function: chargeOf', () => {
  const NOW = new Date('2026-11-02T00:00:00.000Z');
  const lookups: string[] = [];
  const gateway = {
    findChargeByPaymentId: async (paymentId: string) => {
      lookups.push(paymentId);
      if (paymentId === 'p12') throw new LedgerInvariantError('find charge of p12: 2 charges');
      return {
        chargeId: `pi_found_${paymentId}`,
        amount: money(1250, 'EUR'),
        currency: 'EUR' as const,
        status: 'succeeded' as const,
        created: 'x',
      };
    },
  };

  it("takes the saga's charge and its card part; asks the gateway only when the saga holds none", async () => {
    // Prepare
    lookups.length = 0;
    const known = facts('p10');
    const split = {
      ...known.saga,
      charge: { chargeId: 'pi_p10', status: 'succeeded', created: 'x', amount: 750 },
    };
    const old = facts('p11');
    // Act
    const fromSaga = await chargeOf(gateway, known.payment, split as SagaState, NOW);
    const looked = await chargeOf(gateway, old.payment, old.saga, NOW);
    // Assess
    expect(fromSaga).toEqual({ kind: 'one', chargeId: 'pi_p10', amount: 750, currency: 'EUR' });
    expect(looked).toEqual({ kind: 'one', chargeId: 'pi_found_p11', amount: 1250, currency: 'EUR' });
    expect(lookups).toEqual(['p11']);
  });

  it('nothing charged when the wallet covered it all (not_needed, or a gateway part of 0); several charges reported', async () => {
    // Prepare
    lookups.length = 0;
    const base = facts('p12');
    const walletOnly = { ...base.saga, reserve: { ...base.saga?.reserve, gatewayAmount: 0 } } as SagaState;
    const notNeeded = {
      ...base.saga,
      charge: { chargeId: '', status: 'not_needed', created: 'x' },
    } as SagaState;
    // Act
    const covered = await chargeOf(gateway, base.payment, walletOnly, NOW);
    const skipped = await chargeOf(gateway, base.payment, notNeeded, NOW);
    const several = await chargeOf(gateway, base.payment, base.saga, NOW);
    // Assess
    expect([covered, skipped]).toEqual([{ kind: 'none' }, { kind: 'none' }]);
    expect(several).toEqual({ kind: 'several', message: 'find charge of p12: 2 charges' });
    expect(lookups).toEqual(['p12']);
  });
});

describe('Function: planResolution, what the merchant is told', () => {
  const POSTED: Hold = { state: 'POSTED', amount: 1250, expiresAt: 'x', reservedAt: 'x' };
  const VOIDED: Hold = { state: 'VOIDED', amount: 1250, expiresAt: 'x', reservedAt: 'x' };
  /** A card-only payment (wallet part 0, no hold) whose charge stands. */
  const cardOnly = (id: string): ResolveFacts => {
    const base = facts(id, { hold: undefined });
    return { ...base, payment: { ...base.payment, walletAmount: 0, gatewayAmount: 1250 } };
  };

  it('--refund and --release tell payment.failed; --outcome succeeded with them is refused', () => {
    // Act
    const refund = planResolution(facts('o1'), 'refund', ACTOR);
    const contradicted = planResolution(facts('o2'), 'refund', ACTOR, 'succeeded');
    // Assess
    expect(refund.merchant.outcome).toBe('failed');
    expect(contradicted.refusal).toBe('--outcome succeeded contradicts --refund: the payment fails');
    expect(contradicted.steps).toEqual([]);
  });

  it('--mark-resolved while the charge stands: refused without --outcome, which it names', () => {
    // Act
    const plan = planResolution(cardOnly('o3'), 'mark_resolved', ACTOR);
    // Assess
    expect(plan.merchant.outcome).toBeUndefined();
    expect(plan.refusal).toMatch(
      /o3: money stands taken \(gateway: pi_o3, EUR 12.50 not refunded; ledger: hold none\); say what the merchant is told: --outcome succeeded .* or --outcome failed/,
    );
    expect(plan.steps).toEqual([]);
  });

  it('--mark-resolved --outcome succeeded while the charge stands queues payment.succeeded', () => {
    // Act
    const plan = planResolution(cardOnly('o4'), 'mark_resolved', ACTOR, 'succeeded');
    // Assess
    expect(plan.refusal).toBeUndefined();
    expect(plan.merchant).toMatchObject({ outcome: 'succeeded', chargeId: 'pi_o4' });
    expect(plan.steps).toContain(
      'record the resolution (mark_resolved, outcome succeeded) by local:ops on the payment',
    );
    expect(plan.steps.some((s) => s.startsWith("queue payment.succeeded for the merchant's webhooks"))).toBe(
      true,
    );
  });

  it('--outcome failed is taken while money stands (given back by hand: a cheque)', () => {
    // Act
    const plan = planResolution(facts('o5'), 'mark_resolved', ACTOR, 'failed');
    // Assess
    expect(plan.refusal).toBeUndefined();
    expect(plan.merchant.outcome).toBe('failed');
  });

  it('--outcome succeeded is refused when the books contradict it: a wallet part only held, a refund, no charge, a voided hold', () => {
    // Prepare
    const held = facts('o6');
    const split = { ...held.payment, walletAmount: 500, gatewayAmount: 750 };
    // Act
    const pending = planResolution(
      { ...held, payment: split, hold: { ...POSTED, state: 'PENDING', amount: 500 } },
      'mark_resolved',
      ACTOR,
      'succeeded',
    );
    const refunded = planResolution(
      facts('o7', { hold: POSTED, refunds: [{ ...refund('o7'), amount: money(250, 'EUR') }] }),
      'mark_resolved',
      ACTOR,
      'succeeded',
    );
    const uncharged = planResolution(
      facts('o8', { charge: { kind: 'none' }, hold: POSTED }),
      'mark_resolved',
      ACTOR,
      'succeeded',
    );
    const voided = planResolution(
      { ...held, payment: split, hold: VOIDED },
      'mark_resolved',
      ACTOR,
      'succeeded',
    );
    // Assess
    expect(pending.refusal).toMatch(
      /the wallet part \(EUR 5.00\) is only held \(PENDING\), not settled to mer_b/,
    );
    expect(refunded.refusal).toMatch(/charge pi_o7 was refunded \(re_o7\)/);
    expect(uncharged.refusal).toMatch(/the gateway has no charge for the card part \(EUR 12.50\)/);
    expect(voided.refusal).toMatch(/the wallet part \(EUR 5.00\) is VOIDED: given back to the payer/);
  });

  it('a pre-split payment whose hold was posted and whose charge stands may be told succeeded', () => {
    // Act
    const plan = planResolution(facts('o9', { hold: POSTED }), 'mark_resolved', ACTOR, 'succeeded');
    // Assess
    expect(plan.refusal).toBeUndefined();
    expect(plan.merchant.outcome).toBe('succeeded');
  });

  it('nothing of the money stands taken: payment.failed without asking; succeeded refused', () => {
    // Prepare
    const given = facts('o10', { charge: { kind: 'none' }, hold: VOIDED });
    // Act
    const plan = planResolution(given, 'mark_resolved', ACTOR);
    const contradicted = planResolution(given, 'mark_resolved', ACTOR, 'succeeded');
    // Assess
    expect(plan.merchant.outcome).toBe('failed');
    expect(plan.refusal).toBeUndefined();
    expect(contradicted.refusal).toMatch(
      /--outcome succeeded contradicts the books: nothing of the customer's money/,
    );
  });

  it('resolved before with an outcome: a leftover DLQ message queues the same event again', () => {
    // Prepare
    const before = facts('o11');
    const resolution = {
      action: 'mark_resolved' as const,
      by: 'local:alice',
      at: '2026-11-02T00:00:00.000Z',
      outcome: 'succeeded' as const,
    };
    // Act
    const plan = planResolution(
      { ...before, payment: { ...before.payment, resolution } },
      'mark_resolved',
      ACTOR,
    );
    // Assess
    expect(plan.merchant.outcome).toBe('succeeded');
    expect(plan.steps[0]).toBe(
      "queue payment.succeeded for the merchant's webhooks again (the same event id: deduplicated)",
    );
  });
});

describe('Function: resolvedPaymentNotification', () => {
  it('payment.succeeded names the standing charge and validates as a merchant notification; failed by default', () => {
    // Prepare
    const { payment } = facts('o12');
    const at = '2026-11-02T00:00:00.000Z';
    // Act
    const succeeded = resolvedPaymentNotification(payment, at, { kind: 'succeeded', chargeId: 'pi_o12' });
    const failed = resolvedPaymentNotification(payment, at);
    // Assess
    expect(MerchantNotification.parse(succeeded)).toMatchObject({
      kind: 'payment.succeeded',
      notificationId: notificationId('payment.succeeded', 'o12'),
      chargeId: 'pi_o12',
      settledAt: at,
      amount: { value: 1250, currency: 'EUR', exponent: 2 },
    });
    expect(MerchantNotification.parse(failed)).toMatchObject({
      kind: 'payment.failed',
      notificationId: notificationId('payment.failed', 'o12'),
    });
  });
});
