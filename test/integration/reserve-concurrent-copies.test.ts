import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, LedgerReader } from '../../core/ledger';
import { money } from '../../core/money';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import type { PaymentLog } from '../../core/saga/ports';
import { ReserveOutput } from '../../core/saga/state';
import { reserveFunds, type StepDeps } from '../../core/saga/steps';
import { type SagaHarness, startSagaHarness } from '../helpers/saga-harness';

/**
 * Reserve keeps no idempotency record (0977999), and Step Functions may run two copies of it at once.
 * Wallet first, on a wallet with nothing available: one copy finds nothing to hold (the ledger answers NONE
 * and writes nothing), a top-up lands, the other copy holds it. Whichever records RESERVED first decides;
 * the other's RESERVED move is refused as a replay and must answer the recorded split (holding what it
 * names, releasing what it does not), or the card is charged the whole amount while a hold stays PENDING.
 */
let h: SagaHarness;
const now = new Date('2026-12-05T10:00:00.000Z');
const EXECUTION_ARN = 'arn:aws:states:us-east-1:000000000000:execution:paysaga-test-payments:reserve-copies';

beforeAll(async () => {
  h = await startSagaHarness();
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const depsWith = (payments: PaymentLog): StepDeps => ({
  ledger: new Ledger({ doc: h.dynamo.doc, tableName: h.dynamo.tables.ledger, now: () => now }),
  ledgerReader: new LedgerReader(h.dynamo.doc, h.dynamo.tables.ledger),
  payments,
  now: () => now,
  holdTtlSeconds: 3600,
});

/** A payment log whose `method` waits, once it ran, until `open` is called: a copy paused at that call. */
function gated(log: PaymentLog, method: 'advance' | 'get') {
  let reached: () => void = () => {};
  const atGate = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const run = log[method].bind(log) as (...args: unknown[]) => Promise<unknown>;
  const payments: PaymentLog = Object.assign(Object.create(log) as PaymentLog, {
    [method]: async (...args: unknown[]) => {
      const answer = method === 'get' ? await run(...args) : undefined;
      reached();
      await opened;
      return method === 'get' ? answer : run(...args);
    },
  });
  return { payments, atGate, open };
}

async function recordAndHeld(paymentId: string, walletId: string) {
  const record = await h.payments.get(paymentId);
  const held = (await h.ledgerReader.getWallet(walletId))?.held;
  return { record: record?.walletAmount, held };
}

describe('Reserve: two copies at once answer the one recorded split', () => {
  it('the copy that held nothing answers the other copy recorded hold (top-up between them)', async () => {
    // Prepare: an empty wallet; copy A's RESERVED move waits until copy B has finished
    const walletId = await h.openWallet('EUR', 0);
    const payment = h.payment({ walletId });
    const input = { payment, executionArn: EXECUTION_ARN };
    const log = new DynamoPaymentLog(h.dynamo.doc, h.dynamo.tables.payments, () => now);
    const gate = gated(log, 'advance');
    // Act: A decides "nothing to hold"; a top-up lands; B holds it and records it; then A records
    const a = reserveFunds(depsWith(gate.payments), input);
    await gate.atGate;
    await h.ledger.deposit(walletId, money(500, 'EUR'), `dep_topup_${payment.paymentId}`);
    const b = ReserveOutput.parse(await reserveFunds(depsWith(log), input));
    gate.open();
    const first = ReserveOutput.parse(await a);
    // Assess: every copy answers what the record says, and the wallet holds what that answer names
    const { record, held } = await recordAndHeld(payment.paymentId, walletId);
    expect({ a: first.amount, b: b.amount, record, held }).toEqual({
      a: 500,
      b: 500,
      record: 500,
      held: 500,
    });
    expect(first).toEqual(b);
  }, 60_000);

  it('the copy that held a top-up releases it when the other copy recorded nothing held', async () => {
    // Prepare: an empty wallet; copy A has read no recorded split and waits there until copy B has finished
    const walletId = await h.openWallet('EUR', 0);
    const payment = h.payment({ walletId });
    const input = { payment, executionArn: EXECUTION_ARN };
    const log = new DynamoPaymentLog(h.dynamo.doc, h.dynamo.tables.payments, () => now);
    const gate = gated(log, 'get');
    // Act: A reads no split; B holds nothing and records wallet 0; a top-up lands; A holds it, then records
    const a = reserveFunds(depsWith(gate.payments), input);
    await gate.atGate;
    const b = ReserveOutput.parse(await reserveFunds(depsWith(log), input));
    await h.ledger.deposit(walletId, money(500, 'EUR'), `dep_topup_${payment.paymentId}`);
    gate.open();
    const first = ReserveOutput.parse(await a);
    // Assess: both answer the recorded split (wallet 0), and no hold is left that it does not name
    const { record, held } = await recordAndHeld(payment.paymentId, walletId);
    expect({ a: first.amount, b: b.amount, record, held }).toEqual({ a: 0, b: 0, record: 0, held: 0 });
    expect(first.gatewayAmount).toBe(payment.amount.value);
  }, 60_000);

  it('an unexpected error at the RESERVED move keeps a hold that another copy recorded', async () => {
    // Prepare: a funded wallet; copy B reserved and recorded; copy A's RESERVED move fails unexpectedly
    const walletId = await h.openWallet('EUR', 5000);
    const payment = h.payment({ walletId });
    const input = { payment, executionArn: EXECUTION_ARN };
    const log = new DynamoPaymentLog(h.dynamo.doc, h.dynamo.tables.payments, () => now);
    const gate = gated(log, 'advance');
    const a = reserveFunds(
      depsWith(
        Object.assign(Object.create(gate.payments) as PaymentLog, {
          advance: async (...args: Parameters<PaymentLog['advance']>) => {
            await gate.payments.advance(...args).catch(() => undefined);
            throw new TypeError('unexpected (injected)');
          },
        }),
      ),
      input,
    );
    await gate.atGate;
    // Act: B records RESERVED with the hold both copies share; then A's advance fails
    const b = ReserveOutput.parse(await reserveFunds(depsWith(log), input));
    gate.open();
    const failure = await a.then(
      () => undefined,
      (error: unknown) => error,
    );
    // Assess: A failed, and the hold B's recorded answer names is still held
    const { record, held } = await recordAndHeld(payment.paymentId, walletId);
    expect({ failed: failure instanceof TypeError, b: b.amount, record, held }).toEqual({
      failed: true,
      b: payment.amount.value,
      record: payment.amount.value,
      held: payment.amount.value,
    });
  }, 60_000);
});
