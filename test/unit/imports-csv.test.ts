import { describe, expect, it } from 'vitest';
import { IMPORT_HEADER } from '../../core/imports/columns';
import { csvRows, MalformedImportError } from '../../core/imports/csv-stream';
import { validateRow } from '../../core/imports/rows';

const ROW = 'pay_csv_1,wal_1,mer_1,1250,EUR,pm_card_visa,,"Payroll, December",2026-12-01T00:00:00Z';

async function* chunks(text: string | Buffer, size = 7): AsyncGenerator<Buffer> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function rowsOf(text: string | Buffer) {
  const rows = [];
  for await (const row of csvRows(chunks(text))) rows.push(row);
  return rows;
}

describe('csvRows', () => {
  it('streams RFC 4180 rows (quoted commas, quotes, line breaks, a BOM, CRLF) split across chunks', async () => {
    // Prepare
    const text = `\uFEFF${IMPORT_HEADER}\r\n${ROW}\r\npay_csv_2,wal_1,mer_1,5,EUR,pm_card_visa,wallet_only,"say ""hi""\nthere",2026-12-01T00:00:00Z\r\n`;
    // Act
    const rows = await rowsOf(text);
    // Assess
    expect(rows.map((r) => r.row)).toEqual([1, 2]);
    expect(rows[0]?.cells).toMatchObject({
      payment_id: 'pay_csv_1',
      description: 'Payroll, December',
      funding: '',
    });
    expect(rows[1]?.cells.description).toBe('say "hi"\nthere');
  });

  it.each([
    ['wrong_header', `payment_id,amount\n${ROW}\n`],
    ['not_csv', `${IMPORT_HEADER}\n${ROW}\npay_csv_2,"unclosed\n`],
    ['not_csv', `${IMPORT_HEADER}\n${ROW}\npay_csv_2,wal_1\n`],
    ['empty', ''],
  ])('refuses a malformed file (%s)', async (kind, text) => {
    // Act
    const reading = rowsOf(text);
    // Assess
    await expect(reading).rejects.toThrow(MalformedImportError);
    await expect(reading).rejects.toMatchObject({ kind });
  });

  it('refuses a file that is not UTF-8', async () => {
    // Prepare
    const latin1 = Buffer.concat([
      Buffer.from(`${IMPORT_HEADER}\n`),
      Buffer.from('pay_1,wal_1,mer_1,1,EUR,pm_x,,caf\xe9,2026-12-01T00:00:00Z\n', 'latin1'),
    ]);
    // Act
    const reading = rowsOf(latin1);
    // Assess
    await expect(reading).rejects.toMatchObject({ name: 'MalformedImportError', kind: 'not_utf8' });
  });
});

describe('validateRow', () => {
  const cells = (overrides: Record<string, string> = {}) => ({
    payment_id: 'pay_row_1',
    wallet_id: 'wal_1',
    merchant_id: 'mer_1',
    amount_minor: '1250',
    currency: 'EUR',
    payment_method: 'pm_card_visa',
    funding: '',
    description: '',
    requested_at: '2026-12-01T00:00:00Z',
    ...overrides,
  });

  it('accepts a row as a PaymentRequested v1, exponent from the currency', () => {
    // Act
    const verdict = validateRow(cells({ funding: 'wallet_only' }));
    // Assess
    expect(verdict).toEqual({
      outcome: 'accepted',
      payment: {
        schemaVersion: '1',
        paymentId: 'pay_row_1',
        walletId: 'wal_1',
        merchantId: 'mer_1',
        amount: { value: 1250, currency: 'EUR', exponent: 2 },
        paymentMethod: 'pm_card_visa',
        funding: 'wallet_only',
        requestedAt: '2026-12-01T00:00:00Z',
      },
    });
  });

  it.each([
    [{ payment_method: '4242424242424242' }, /^card_data_refused: card number \(PAN\) in payment_method/],
    [{ description: 'card 4000 0566 5566 5556' }, /^card_data_refused: .* description/],
    [{ amount_minor: '12.50' }, /^invalid_row: amount_minor "12.50" is not an integer/],
    [{ currency: 'XXX' }, /^invalid_row: currency "XXX" is unknown/],
    [{ funding: 'card_first' }, /^invalid_row: .*funding/],
    [{ requested_at: 'yesterday' }, /^invalid_row: .*requestedAt/],
    [{ payment_id: '' }, /^invalid_row: .*paymentId/],
  ])('rejects %o with its reason', (overrides, reason) => {
    // Act
    const verdict = validateRow(cells(overrides));
    // Assess
    expect(verdict.outcome).toBe('rejected');
    expect(verdict.outcome === 'rejected' && verdict.reason).toMatch(reason);
    expect(JSON.stringify(verdict)).not.toMatch(/4242424242424242|4000 0566 5566 5556/);
  });
});
