import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/errors';
import type { AdjustOutcome, WalletDetail } from '../../cli/wallets/wallets';
import { ADJUSTMENTS_ACCOUNT, Ledger, LedgerReader } from '../../core/ledger';
import type { StatementLine } from '../../core/wallets/contract';
import { DETAIL_TYPES, PAYSAGA_OPS_SOURCE } from '../../events/envelope';
import type { BusEvent } from '../../local/events/eventbridge-service';
import { runPayctl } from '../helpers/payctl';
import { fundedWallet } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime } from '../helpers/runtime';

let runtime: TestRuntime;
let ledger: Ledger;
let reader: LedgerReader;
const opsEvents: BusEvent[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime({ frontDoor: false });
  const { documents } = sdkClients(runtime);
  ledger = new Ledger({ doc: documents, tableName: runtime.names.tables.ledger });
  reader = new LedgerReader(documents, runtime.names.tables.ledger);
  runtime.internals.events.putRule({
    name: 'capture-ops',
    eventBusName: runtime.names.eventBus,
    pattern: { source: [PAYSAGA_OPS_SOURCE] },
    targets: [
      {
        id: 'capture',
        arn: 'local:capture',
        synchronous: true,
        deliver: async (e) => void opsEvents.push(e),
      },
    ],
  });
});
afterAll(async () => {
  await runtime?.dispose();
});

const payctl = (...argv: string[]) => runPayctl(runtime, ...argv);

describe('payctl wallets show', () => {
  it('prints available, held and the open holds with their paymentIds', async () => {
    // Prepare
    const walletId = await fundedWallet(ledger, 10_000);
    const paymentId = `pay_${walletId}`;
    await ledger.reserve({ paymentId, walletId, amount: 1_250, expiresAt: new Date(Date.now() + 3_600_000) });

    // Act
    const json = await payctl('--json', 'wallets', 'show', walletId);
    const human = await payctl('wallets', 'show', walletId);
    const unknown = await payctl('wallets', 'show', 'wal_nobody_here');

    // Assess
    expect(json.code).toBe(EXIT.ok);
    expect(json.json<WalletDetail>()).toMatchObject({
      walletId,
      currency: 'EUR',
      exponent: 2,
      available: 8_750,
      held: 1_250,
      holds: [expect.objectContaining({ paymentId, amount: 1_250 })],
    });
    expect(human.stdout).toContain('Available EUR 87.50');
    expect(human.stdout).toContain(paymentId);
    expect(unknown.code).toBe(EXIT.usage);
  });
});

describe('payctl wallets adjust', () => {
  it('credits and debits against the adjustments account, audited, and the statement shows both', async () => {
    // Prepare
    const walletId = await fundedWallet(ledger, 1_000);
    const since = new Date().toISOString();

    // Act
    const credit = await payctl(
      '--json',
      '--yes',
      'wallets',
      'adjust',
      walletId,
      '--amount',
      '5.00',
      '--reason',
      'goodwill',
    );
    const debit = await payctl(
      '--json',
      '--yes',
      'wallets',
      'adjust',
      walletId,
      '--amount=-2.50',
      '--reason',
      'fee',
    );
    const statement = await payctl('wallets', 'statement', walletId, '--format', 'json', '--from', since);
    const csv = await payctl('wallets', 'statement', walletId, '--format', 'csv');
    const audit = await payctl('--json', 'audit', '--since', '1h');

    // Assess
    expect(credit.code).toBe(EXIT.ok);
    expect(debit.code).toBe(EXIT.ok);
    const made = [credit.json<AdjustOutcome>(), debit.json<AdjustOutcome>()];
    expect(made.map((m) => [m.amount, m.balanceAfter])).toEqual([
      [500, 1_500],
      [-250, 1_250],
    ]);
    const lines = statement.json<(StatementLine & { currency: string })[]>();
    expect(lines.map((l) => [l.type, l.amount, l.balanceAfter, l.adjustmentId])).toEqual([
      ['adjustment', -250, 1_250, made[1]?.adjustmentId],
      ['adjustment', 500, 1_500, made[0]?.adjustmentId],
    ]);
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'at,type,amount,currency,balance_after,payment_id,top_up_id,adjustment_id,entry_id',
    );
    expect(csv.stdout).toContain(',adjustment,-2.50,EUR,12.50,,,');
    expect(csv.stdout).toContain(',top_up,10.00,EUR,10.00,,');
    const wallet = await reader.getWallet(walletId);
    expect(wallet?.available).toBe(1_250);
    const records = audit.json<{ action: string; target: string; outcome: string; auditId: string }[]>();
    const ours = records.filter((r) => r.action === 'wallets.adjust' && r.target.includes(walletId));
    expect(ours.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded']);
    const published = opsEvents.filter((e) =>
      ours.some((r) => r.auditId === (e.detail as { auditId?: string }).auditId),
    );
    expect(published.map((e) => e['detail-type'])).toEqual([
      DETAIL_TYPES.opsActionPerformed,
      DETAIL_TYPES.opsActionPerformed,
    ]);
    const snapshot = await reader.snapshot();
    const adjustmentEntries = snapshot.entries.filter(
      (e) => e.walletId === walletId && e.operation === 'adjust',
    );
    for (const entry of adjustmentEntries) {
      expect(entry.lines.reduce((sum, line) => sum + line.amount, 0)).toBe(0);
      expect(entry.lines.map((l) => l.account)).toContain(ADJUSTMENTS_ACCOUNT);
    }
    expect(adjustmentEntries).toHaveLength(2);
  });

  it('refuses a debit below zero (audited as failed) and does nothing unconfirmed', async () => {
    // Prepare
    const walletId = await fundedWallet(ledger, 100);

    // Act
    const tooMuch = await payctl('--yes', 'wallets', 'adjust', walletId, '--amount=-5.00', '--reason', 'fee');
    const unconfirmed = await payctl('wallets', 'adjust', walletId, '--amount', '1.00', '--reason', 'gift');
    const badAmount = await payctl(
      '--yes',
      'wallets',
      'adjust',
      walletId,
      '--amount',
      '1.001',
      '--reason',
      'x',
    );
    const audit = await payctl('--json', 'audit', '--since', '1h');

    // Assess
    expect(tooMuch.code).toBe(EXIT.failure);
    expect(tooMuch.stderr).toMatch(/below 0/);
    expect(unconfirmed.code).toBe(EXIT.usage);
    expect(unconfirmed.stderr).toContain('refusing without --yes');
    expect(badAmount.code).toBe(EXIT.usage);
    expect((await reader.getWallet(walletId))?.available).toBe(100);
    const ours = audit
      .json<{ action: string; target: string; outcome: string }[]>()
      .filter((r) => r.action === 'wallets.adjust' && r.target.includes(walletId));
    expect(ours.map((r) => r.outcome)).toEqual(['failed']);
  });
});

describe('payctl wallets statement', () => {
  it('prints a from/to window as a table, newest first', async () => {
    // Prepare
    const walletId = await fundedWallet(ledger, 1_000);
    const times = ['2026-03-01T10:00:00.000Z', '2026-03-02T10:00:00.000Z', '2026-03-03T10:00:00.000Z'];
    for (const [i, at] of times.entries()) {
      await new Ledger({
        doc: sdkClients(runtime).documents,
        tableName: runtime.names.tables.ledger,
        now: () => new Date(at),
      }).adjust(walletId, 100 * (i + 1), `adj-${walletId}-${i}`, 'test');
    }

    // Act
    const table = await payctl(
      'wallets',
      'statement',
      walletId,
      '--from',
      '2026-03-02',
      '--to',
      '2026-03-03',
    );
    const bad = await payctl('wallets', 'statement', walletId, '--from', 'last week');

    // Assess
    expect(table.code).toBe(EXIT.ok);
    const rows = table.stdout.trim().split('\n').slice(1);
    expect(rows.map((r) => r.split(/\s+/).slice(0, 4))).toEqual([
      ['2026-03-03T10:00:00.000Z', 'adjustment', '3.00', '16.00'],
      ['2026-03-02T10:00:00.000Z', 'adjustment', '2.00', '13.00'],
    ]);
    expect(bad.code).toBe(EXIT.usage);
  });
});
