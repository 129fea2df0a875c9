import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsPan, findPanPaths, redactPans } from '../../core/pan';

describe('Module: pan', () => {
  it.each([
    '4242424242424242',
    '4242 4242 4242 4242',
    '4242-4242-4242-4242',
    'card 5555555555554444 exp 12/30',
    '378282246310005',
  ])('detects a Luhn-valid card number in %s', (text) => {
    expect(containsPan(text)).toBe(true);
  });

  it.each(['4242424242424241', 'order 1234567890123', 'pm_card_visa', '2026-11-22T10:15:00Z', '12345'])(
    'does not flag %s',
    (text) => {
      expect(containsPan(text)).toBe(false);
    },
  );

  it('never reads a UUID (EventBridge event id, SQS message id) as a card number', () => {
    // Prepare: UUIDs whose digit runs are long and Luhn-valid are the dangerous ones
    const crafted = ['41111111-1111-4111-8111-111111111111', 'ab411111-1111-1111-1111-111111111111'];
    // Act & Assess
    for (const id of crafted) expect(containsPan(id), id).toBe(false);
    fc.assert(
      fc.property(fc.uuid(), (id) => !containsPan(id)),
      { numRuns: 20_000 },
    );
    for (let i = 0; i < 20_000; i++) {
      const id = randomUUID();
      expect(containsPan(id), id).toBe(false);
    }
  });

  it('still finds a card number written with separators in free text', () => {
    expect(containsPan('card: 4111-1111-1111-1111.')).toBe(true);
    expect(containsPan('pan=4111111111111111&cvc=123')).toBe(true);
    expect(containsPan('4111 1111 1111 1111')).toBe(true);
  });

  it('finds a grouped card number that follows other digits of the text, and masks it', () => {
    // Act
    const found = ['qty 2 4242 4242 4242 4242', 'rooms 12 4000-0566-5566-5556 booked'].map(containsPan);
    const masked = redactPans('qty 2 4242 4242 4242 4242');
    // Assess
    expect(found).toEqual([true, true]);
    expect(masked).not.toContain('4242 4242');
  });

  it('reports the paths of PAN-bearing fields, never the value', () => {
    // Prepare
    const payload = { detail: { description: 'pay with 4111 1111 1111 1111', metadata: { ok: 'fine' } } };
    // Act
    const paths = findPanPaths(payload);
    // Assess
    expect(paths).toEqual(['detail.description']);
    expect(paths.join()).not.toContain('4111');
  });

  it('masks card numbers in text that must be stored', () => {
    expect(redactPans('{"d":"4111111111111111"}')).toBe('{"d":"[REDACTED PAN]"}');
  });
});
