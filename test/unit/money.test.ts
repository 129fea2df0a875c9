import { describe, expect, it } from 'vitest';
import {
  add,
  CURRENCY_EXPONENTS,
  formatMoney,
  fromMajorUnits,
  InvalidMoneyError,
  money,
  subtract,
  toMajorUnits,
} from '../../core/money';

describe('Module: money', () => {
  describe('Function: toMajorUnits', () => {
    it.each([
      [1250, 'EUR', '12.50'],
      [5, 'USD', '0.05'],
      [-5, 'USD', '-0.05'],
      [0, 'EUR', '0.00'],
      [1250, 'JPY', '1250'],
      [1, 'KWD', '0.001'],
      [99_999_999, 'BHD', '99999.999'],
    ] as const)('formats %i %s as %s without floats', (value, currency, expected) => {
      // Act
      const text = toMajorUnits(value, currency);
      // Assess
      expect(text).toBe(expected);
    });

    it('refuses a fractional amount', () => {
      expect(() => toMajorUnits(12.5, 'EUR')).toThrow(InvalidMoneyError);
    });
  });

  describe('Function: fromMajorUnits', () => {
    it('round-trips with toMajorUnits for every currency', () => {
      for (const currency of Object.keys(CURRENCY_EXPONENTS) as (keyof typeof CURRENCY_EXPONENTS)[]) {
        // Prepare
        const value = 123_456_789;
        // Act
        const back = fromMajorUnits(toMajorUnits(value, currency), currency);
        // Assess
        expect(back).toBe(value);
      }
    });

    it('refuses more decimals than the currency has', () => {
      expect(() => fromMajorUnits('1.5', 'JPY')).toThrow(/0 decimal places/);
      expect(() => fromMajorUnits('1.505', 'EUR')).toThrow(/2 decimal places/);
    });

    it('refuses text that is not an amount', () => {
      expect(() => fromMajorUnits('12,50', 'EUR')).toThrow(InvalidMoneyError);
      expect(() => fromMajorUnits('1e3', 'EUR')).toThrow(InvalidMoneyError);
    });
  });

  describe('Function: money / add / subtract', () => {
    it('refuses an unknown currency and a non-integer value', () => {
      expect(() => money(100, 'XXX')).toThrow(/unknown currency/);
      expect(() => money(0.1, 'EUR')).toThrow(/integer/);
      expect(() => money(Number.MAX_SAFE_INTEGER + 1, 'EUR')).toThrow(/integer/);
    });

    it('adds and subtracts in one currency only', () => {
      // Prepare
      const a = money(1000, 'EUR');
      const b = money(250, 'EUR');
      // Act & Assess
      expect(add(a, b).value).toBe(1250);
      expect(subtract(a, b).value).toBe(750);
      expect(() => add(a, money(1, 'USD'))).toThrow(/currency mismatch/);
    });

    it('formats for people with the currency code', () => {
      expect(formatMoney(123456, 'EUR')).toBe('EUR 1234.56');
    });
  });
});
