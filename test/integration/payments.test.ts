import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand, UpdateCommand } from '../../core/aws/dynamodb';
import { paymentKey } from '../../core/payments/keys';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import {
  ArchiveRecordExistsError,
  PaymentRecordRefusedError,
  PaymentsRepository,
} from '../../core/payments/repository';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

let dynamo: LocalDynamo;
let clock = new Date('2026-11-22T10:00:00.000Z');
let log: DynamoPaymentLog;
let repo: PaymentsRepository;

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'payments' });
  log = new DynamoPaymentLog(dynamo.doc, dynamo.tables.payments, () => clock);
  repo = new PaymentsRepository(dynamo.doc, dynamo.tables.payments, () => clock);
});

afterAll(async () => {
  await dynamo.stop();
});

const uid = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const arnOf = (paymentId: string) =>
  `arn:aws:states:us-east-1:000000000000:execution:paysaga-local-payment-saga:${paymentId}`;

function request(overrides: Partial<PaymentRequested> = {}): PaymentRequested {
  return {
    schemaVersion: '1',
    paymentId: uid('pay'),
    walletId: uid('w'),
    merchantId: uid('m'),
    amount: { value: 1_250, currency: 'EUR', exponent: 2 },
    paymentMethod: 'pm_card_visa',
    description: 'order 42',
    requestedAt: '2026-11-22T09:59:00.000Z',
    ...overrides,
  };
}

describe('Class: DynamoPaymentLog', () => {
  it('opens a payment once as REQUESTED with its day index keys and request hash, refusing another payload', async () => {
    // Prepare
    const payment = request();
    // Act
    await log.open(payment, arnOf(payment.paymentId));
    await log.open(payment, arnOf(payment.paymentId));
    await expect(log.open({ ...payment, description: 'changed' }, arnOf(payment.paymentId))).rejects.toThrow(
      /already recorded with a different payload/,
    );
    // Assess
    const record = await repo.get(payment.paymentId);
    expect(record).toMatchObject({
      status: 'REQUESTED',
      amount: 1_250,
      currency: 'EUR',
      description: 'order 42',
    });
    expect(record?.requestHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('moves a payment forward through its lifecycle and records facts and the terminal time', async () => {
    // Prepare
    const payment = request();
    await log.open(payment, arnOf(payment.paymentId));
    // Act
    await log.advance(payment.paymentId, 'RESERVED', { holdId: 'hold-1' });
    await log.advance(payment.paymentId, 'CHARGED', { chargeId: 'ch_1' });
    clock = new Date(clock.getTime() + 1_000);
    await log.advance(payment.paymentId, 'SUCCEEDED');
    // Assess
    expect(await repo.get(payment.paymentId)).toMatchObject({
      status: 'SUCCEEDED',
      holdId: 'hold-1',
      chargeId: 'ch_1',
      terminalAt: clock.toISOString(),
    });
  });

  it('never moves a payment backwards: a stale retry is a no-op', async () => {
    // Prepare
    const payment = request();
    await log.open(payment, arnOf(payment.paymentId));
    await log.advance(payment.paymentId, 'RESERVED', { holdId: 'hold-1' });
    await log.advance(payment.paymentId, 'CHARGED', { chargeId: 'ch_1' });
    await log.advance(payment.paymentId, 'FAILED', {
      reasonCode: 'settlement_failed',
      failedState: 'Settle',
    });
    // Act
    await log.advance(payment.paymentId, 'RESERVED', { holdId: 'stale' });
    await log.advance(payment.paymentId, 'SUCCEEDED');
    // Assess
    expect(await repo.get(payment.paymentId)).toMatchObject({
      status: 'FAILED',
      holdId: 'hold-1',
      reasonCode: 'settlement_failed',
      failedState: 'Settle',
    });
  });

  it('refuses to advance a payment that was never opened', async () => {
    // Act + Assess
    await expect(log.advance(uid('ghost'), 'RESERVED')).rejects.toThrow(/never opened/);
  });

  it('appends timeline steps that read back in time order', async () => {
    // Prepare
    const payment = request();
    await log.open(payment, arnOf(payment.paymentId));
    // Act
    await log.appendStep(payment.paymentId, {
      step: 'Reserve',
      outcome: 'succeeded',
      at: '2026-11-22T10:00:01.000Z',
    });
    await log.appendStep(payment.paymentId, {
      step: 'Charge',
      outcome: 'failed',
      at: '2026-11-22T10:00:02.000Z',
      detail: { error: 'CardDeclinedError' },
    });
    // Assess
    const steps = await repo.listSteps(payment.paymentId);
    expect(steps.map((s) => `${s.step}:${s.outcome}`)).toEqual(['Reserve:succeeded', 'Charge:failed']);
    expect(steps[1]?.detail).toEqual({ error: 'CardDeclinedError' });
  });
});

describe('Class: PaymentsRepository', () => {
  describe('Method: recordRequest', () => {
    it('tells a first request from a duplicate and from a conflicting reuse of the paymentId', async () => {
      // Prepare
      const payment = request();
      const arn = arnOf(payment.paymentId);
      // Act
      const first = await repo.recordRequest(payment, arn);
      const duplicate = await repo.recordRequest({ ...payment }, arn);
      const conflict = await repo.recordRequest(
        { ...payment, amount: { ...payment.amount, value: 9_999 } },
        arn,
      );
      // Assess
      expect(first.outcome).toBe('created');
      expect(duplicate.outcome).toBe('duplicate');
      expect(conflict.outcome).toBe('conflict');
      expect(conflict.record.amount).toBe(1_250);
    });

    it('refuses a request carrying card data before anything is written', async () => {
      // Prepare
      const payment = request({ description: 'card 4242 4242 4242 4242' });
      // Act + Assess
      await expect(repo.recordRequest(payment, arnOf(payment.paymentId))).rejects.toThrow(
        PaymentRecordRefusedError,
      );
      expect(await repo.get(payment.paymentId)).toBeUndefined();
    });
  });

  describe('Method: paymentsRequestedBetween', () => {
    it('pages the payments requested in a period through gsi1', async () => {
      // Prepare: a day no other test uses.
      const merchantId = uid('m');
      const payments = [1, 2, 3].map((i) =>
        request({ merchantId, requestedAt: `2026-03-0${i}T12:00:00.000Z` }),
      );
      for (const payment of payments) await log.open(payment, arnOf(payment.paymentId));
      // Act
      const seen: string[] = [];
      for await (const record of repo.paymentsRequestedBetween('2026-03-01', '2026-03-02', 1)) {
        if (record.merchantId === merchantId) seen.push(record.paymentId);
      }
      // Assess
      expect(seen).toEqual([payments[0]?.paymentId, payments[1]?.paymentId]);
    });

    it("spreads one day's payments over several index keys and still reads them back in request order", async () => {
      // Prepare: 40 payments on a day no other test uses, plus one written before sharding (DAY#<day>)
      const merchantId = uid('m');
      const payments = Array.from({ length: 40 }, (_, i) =>
        request({ merchantId, requestedAt: `2026-04-07T10:${String(i).padStart(2, '0')}:00.000Z` }),
      );
      for (const payment of [...payments].reverse()) await log.open(payment, arnOf(payment.paymentId));
      const legacy = request({ merchantId, requestedAt: '2026-04-07T09:00:00.000Z' });
      await log.open(legacy, arnOf(legacy.paymentId));
      await dynamo.doc.send(
        new UpdateCommand({
          TableName: dynamo.tables.payments,
          Key: paymentKey(legacy.paymentId),
          UpdateExpression: 'SET gsi1pk = :day',
          ExpressionAttributeValues: { ':day': 'DAY#2026-04-07' },
        }),
      );
      // Act
      const seen: string[] = [];
      for await (const record of repo.paymentsRequestedBetween('2026-04-07', '2026-04-07', 7)) {
        if (record.merchantId === merchantId) seen.push(record.paymentId);
      }
      const { Items } = await dynamo.doc.send(
        new ScanCommand({
          TableName: dynamo.tables.payments,
          FilterExpression: 'merchantId = :m',
          ExpressionAttributeValues: { ':m': merchantId },
        }),
      );
      // Assess: no single key takes a whole day's writes
      const keys = new Set((Items ?? []).map((item) => item.gsi1pk));
      expect(keys.size).toBeGreaterThan(4);
      expect(seen).toEqual([legacy.paymentId, ...payments.map((p) => p.paymentId)]);
    });
  });

  describe('Method: putArchiveRecord', () => {
    it('writes an archive once, accepts the identical rewrite and refuses any other', async () => {
      // Prepare
      const paymentId = uid('pay');
      const body = { events: [{ type: 'ExecutionStarted', id: 1 }], status: 'SUCCEEDED' };
      // Act
      const first = await repo.putArchiveRecord(paymentId, 'exec-1', body);
      const same = await repo.putArchiveRecord(paymentId, 'exec-1', {
        status: 'SUCCEEDED',
        events: body.events,
      });
      const other = repo.putArchiveRecord(paymentId, 'exec-1', { ...body, status: 'FAILED' });
      // Assess
      expect(first).toBe(true);
      expect(same).toBe(false);
      await expect(other).rejects.toThrow(ArchiveRecordExistsError);
      expect((await repo.getArchiveRecord(paymentId, 'exec-1'))?.body).toEqual(body);
    });
  });

  describe('Method: putAuditRecord / listAuditRecords', () => {
    it('lists audit records since a time, across days, oldest first', async () => {
      // Prepare
      const target = uid('dlq');
      clock = new Date('2026-12-01T23:59:00.000Z');
      await repo.putAuditRecord({ actor: 'ops@example', action: 'dlq.redrive', target });
      clock = new Date('2026-12-02T00:01:00.000Z');
      await repo.putAuditRecord({
        actor: 'ops@example',
        action: 'saga.redrive',
        target,
        detail: { count: 2 },
      });
      // Act
      const all: string[] = [];
      for await (const record of repo.listAuditRecords(new Date('2026-12-01T00:00:00.000Z'), 1)) {
        if (record.target === target) all.push(record.action);
      }
      const recent: string[] = [];
      for await (const record of repo.listAuditRecords(new Date('2026-12-02T00:00:00.000Z'))) {
        if (record.target === target) recent.push(record.action);
      }
      // Assess
      expect(all).toEqual(['dlq.redrive', 'saga.redrive']);
      expect(recent).toEqual(['saga.redrive']);
    });
  });
});
