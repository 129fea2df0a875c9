import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, csvRecord } from '../../core/finance/csv';
import { InvalidPeriodError, parsePeriod } from '../../core/finance/period';
import {
  LedgerSettlementTotals,
  REPORT_CSV_COLUMNS,
  ReportTotals,
  reportRow,
} from '../../core/finance/report';
import type { PaymentRecord } from '../../core/payments/records';

function payment(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    paymentId: 'pay_c1',
    status: 'FAILED',
    walletId: 'wal_a',
    merchantId: 'mer_b',
    amount: 1250,
    currency: 'EUR',
    exponent: 2,
    requestedAt: '2026-11-01T10:00:00.000Z',
    requestHash: 'h',
    executionArn: 'arn:aws:states:us-east-1:1:execution:saga:pay_c1',
    createdAt: '2026-11-01T10:00:00.200Z',
    updatedAt: '2026-11-01T10:00:02.000Z',
    terminalAt: '2026-11-01T10:00:01.450Z',
    reasonCode: 'card_declined',
    reason: 'Charge failed (card_declined): "declined", try another card,\r\nor call the bank',
    compensations: ['ReleaseFunds'],
    ...overrides,
  };
}

describe('csvField', () => {
  it('quotes commas, quotes, line breaks and edge spaces as RFC 4180 says, and leaves plain text alone', () => {
    // Act / Assess
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(-5)).toBe('-5');
    expect(csvRecord(['a', 1, undefined])).toBe('a,1,\r\n');
  });

  it('defuses text a spreadsheet would run as a formula, but not negative amounts', () => {
    // Act / Assess
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-0.05')).toBe('-0.05');
  });
});

describe('report rows as CSV', () => {
  it('round-trips through a CSV parser: ISO dates, major units with the right decimals, minor units', () => {
    // Prepare
    const rows = [
      reportRow(payment()),
      reportRow(
        payment({
          paymentId: 'pay_c2',
          status: 'SUCCEEDED',
          currency: 'JPY',
          amount: 1250,
          exponent: 0,
          reason: undefined,
          reasonCode: undefined,
          compensations: [],
          chargeId: 'pi_9',
        }),
      ),
      reportRow(
        payment({
          paymentId: 'pay_c3',
          status: 'SUCCEEDED',
          currency: 'BHD',
          amount: 5,
          exponent: 3,
          chargeId: 'pi_8',
          reason: undefined,
        }),
      ),
    ];
    const text =
      csvRecord(REPORT_CSV_COLUMNS.map((c) => c.header)) +
      rows.map((row) => csvRecord(REPORT_CSV_COLUMNS.map((c) => c.value(row)))).join('');
    // Act
    const parsed = parse(text, { columns: true, record_delimiter: '\r\n' }) as Record<string, string>[];
    // Assess
    expect(parsed).toHaveLength(3);
    expect(parsed[0]).toMatchObject({
      payment_id: 'pay_c1',
      requested_at: '2026-11-01T10:00:00.000Z',
      amount: '12.50',
      amount_minor: '1250',
      status: 'FAILED',
      failure_reason: 'Charge failed (card_declined): "declined", try another card,\r\nor call the bank',
      compensations: 'ReleaseFunds',
      execution_name: 'pay_c1',
      duration_ms: '1250',
    });
    expect(parsed[1]).toMatchObject({
      amount: '1250',
      currency: 'JPY',
      failure_reason: '',
      gateway_charge_id: 'pi_9',
    });
    expect(parsed[2]).toMatchObject({ amount: '0.005', amount_minor: '5', currency: 'BHD' });
  });
});

describe('ReportTotals', () => {
  it('sums integers per currency and status, with a total per currency', () => {
    // Prepare
    const totals = new ReportTotals();
    // Act
    totals.add({ currency: 'EUR', status: 'SUCCEEDED', amountMinor: 1250 });
    totals.add({ currency: 'EUR', status: 'SUCCEEDED', amountMinor: 1 });
    totals.add({ currency: 'EUR', status: 'FAILED', amountMinor: 99 });
    totals.add({ currency: 'JPY', status: 'SUCCEEDED', amountMinor: 500 });
    // Assess: nothing refunded, so the net is the SUCCEEDED amount
    const none = { refundedMinor: 0, refundedWalletMinor: 0, refundedGatewayMinor: 0 };
    expect(totals.rows()).toEqual([
      {
        currency: 'EUR',
        status: 'FAILED',
        count: 1,
        amountMinor: 99,
        amount: '0.99',
        ...none,
        refunded: '0.00',
        netMinor: 0,
        net: '0.00',
      },
      {
        currency: 'EUR',
        status: 'SUCCEEDED',
        count: 2,
        amountMinor: 1251,
        amount: '12.51',
        ...none,
        refunded: '0.00',
        netMinor: 1251,
        net: '12.51',
      },
      {
        currency: 'EUR',
        status: 'ALL',
        count: 3,
        amountMinor: 1350,
        amount: '13.50',
        ...none,
        refunded: '0.00',
        netMinor: 1251,
        net: '12.51',
      },
      {
        currency: 'JPY',
        status: 'SUCCEEDED',
        count: 1,
        amountMinor: 500,
        amount: '500',
        ...none,
        refunded: '0',
        netMinor: 500,
        net: '500',
      },
      {
        currency: 'JPY',
        status: 'ALL',
        count: 1,
        amountMinor: 500,
        amount: '500',
        ...none,
        refunded: '0',
        netMinor: 500,
        net: '500',
      },
    ]);
  });
});

describe('LedgerSettlementTotals', () => {
  it('nets merchant captures against refunds and ignores holds and releases', () => {
    // Prepare
    const totals = new LedgerSettlementTotals();
    const base = {
      ref: 'p',
      walletId: 'w',
      currency: 'EUR' as const,
      effectiveAt: '2026-11-01T00:00:00.000Z',
    };
    // Act
    totals.add({
      ...base,
      entryId: 'p#reserve',
      operation: 'reserve',
      lines: [
        { account: 'wallet:w', amount: -900 },
        { account: 'holds:w', amount: 900 },
      ],
    });
    totals.add({
      ...base,
      entryId: 'p#settle',
      operation: 'settle',
      lines: [
        { account: 'holds:w', amount: -900 },
        { account: 'merchant:m', amount: 900 },
      ],
    });
    totals.add({
      ...base,
      entryId: 'p#refund',
      operation: 'refund',
      lines: [
        { account: 'merchant:m', amount: -300 },
        { account: 'wallet:w', amount: 300 },
      ],
    });
    // Assess
    expect(totals.rows()).toEqual([
      { currency: 'EUR', capturedMinor: 900, refundedMinor: 300, netMinor: 600, net: '6.00' },
    ]);
  });
});

describe('parsePeriod', () => {
  it('takes inclusive UTC days and gives the half-open instant range', () => {
    // Act
    const period = parsePeriod('2026-10-30', '2026-11-01');
    // Assess
    expect(period.days).toEqual(['2026-10-30', '2026-10-31', '2026-11-01']);
    expect(period.start.toISOString()).toBe('2026-10-30T00:00:00.000Z');
    expect(period.end.toISOString()).toBe('2026-11-02T00:00:00.000Z');
  });

  it('refuses impossible dates, reversed ranges and runaway periods, naming the option', () => {
    // Act / Assess
    expect(() => parsePeriod('2026-02-30', '2026-03-01')).toThrow(/--from must be a calendar date/);
    expect(() => parsePeriod('2026-03-02', '2026-03-01')).toThrow(/before --from/);
    expect(() => parsePeriod('2020-01-01', '2026-01-01')).toThrow(InvalidPeriodError);
  });
});
