import { describe, expect, it } from 'vitest';
import { compareDecimals } from '../../../cli/console/data/payments';
import { daysOf, volumeSeries } from '../../../console/src/charts/volume-data';
import { formatDuration, formatMinor } from '../../../console/src/format';

describe('formatMinor', () => {
  it('moves the decimal point in text, groups thousands, and keeps exponent 0 and 3 currencies exact', () => {
    // Prepare
    const cases: Array<[number | string | bigint, number, string]> = [
      [123456, 2, '1,234.56'],
      [5, 2, '0.05'],
      ['-5', 2, '-0.05'],
      [0, 2, '0.00'],
      [1250, 0, '1,250'],
      [1001, 3, '1.001'],
      ['900719925474099312', 2, '9,007,199,254,740,993.12'],
      [10n ** 20n, 2, '1,000,000,000,000,000,000.00'],
    ];
    // Act
    const rendered = cases.map(([minor, exponent]) => formatMinor(minor, exponent));
    // Assess
    expect(rendered).toEqual(cases.map(([, , text]) => text));
  });

  it('renders durations in ms below a second and seconds above', () => {
    // Prepare, Act, Assess
    expect([formatDuration(850), formatDuration(2345), formatDuration(12_345)]).toEqual([
      '850 ms',
      '2.35 s',
      '12.3 s',
    ]);
  });
});

describe('compareDecimals', () => {
  it('compares amounts with different decimals exactly, without floats', () => {
    // Prepare
    const cases: Array<[string, string, number]> = [
      ['12.50', '12.5', 0],
      ['12.50', '12.51', -1],
      ['100', '99.999', 1],
      ['0.1', '0.10', 0],
      // 0.1 + 0.2 style traps: beyond float precision
      ['9007199254740993.01', '9007199254740993.00', 1],
    ];
    // Act
    const results = cases.map(([a, b]) => compareDecimals(a, b));
    // Assess
    expect(results).toEqual(cases.map(([, , r]) => r));
  });

  it('refuses text that is not a decimal number with a message that says what to type', () => {
    // Prepare, Act, Assess
    expect(() => compareDecimals('12,50', '1')).toThrow('12,50 is not a decimal number like 12.50');
  });
});

describe('volumeSeries', () => {
  it('gives every day of the period a value per status for one currency, empty days as zero', () => {
    // Prepare
    const days = daysOf('2026-11-20', '2026-11-22');
    const rows = [
      {
        day: '2026-11-20',
        currency: 'EUR',
        status: 'SUCCEEDED',
        count: 2,
        amountMinor: 3000,
        amount: '30.00',
      },
      { day: '2026-11-22', currency: 'EUR', status: 'FAILED', count: 1, amountMinor: 500, amount: '5.00' },
      { day: '2026-11-22', currency: 'USD', status: 'SUCCEEDED', count: 1, amountMinor: 999, amount: '9.99' },
    ];
    // Act
    const series = volumeSeries(rows, 'EUR', days);
    // Assess
    expect(days).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
    expect(series.exponent).toBe(2);
    expect(series.series).toEqual([
      { status: 'FAILED', amounts: [0, 0, 500], counts: [0, 0, 1] },
      { status: 'SUCCEEDED', amounts: [3000, 0, 0], counts: [2, 0, 0] },
    ]);
  });
});
