import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IMPORT_HEADER } from '../../core/imports/columns';
import {
  IMPORT_PUBLISH_BATCH,
  type ImportPorts,
  importCsv,
  RESULT_HEADER,
} from '../../core/imports/importer';
import type { PaymentRequested } from '../../events/payment-requested.v1';

const PAN = '4242424242424242';

function rowOf(paymentId: string, overrides: { amount?: string; description?: string } = {}): string {
  return `${paymentId},wal_1,mer_1,${overrides.amount ?? '1250'},EUR,pm_card_visa,,${overrides.description ?? 'import'},2026-12-01T00:00:00Z`;
}

async function* chunks(text: string, size = 97): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** An in-memory bus, checkpoint and result file; `failOnBatch` makes that PutEvents call throw (a crash). */
function fakes(
  text: string,
  options: { requested?: Set<string>; failOnBatch?: number; checkpoint?: number[] } = {},
) {
  const batches: PaymentRequested[][] = [];
  const lines: string[] = [];
  const checkpoint = options.checkpoint ?? [0];
  let calls = 0;
  const ports: ImportPorts = {
    open: () => chunks(text),
    publish: async (payments) => {
      calls += 1;
      if (calls === options.failOnBatch) throw new Error('PutEvents: connection reset');
      batches.push([...payments]);
    },
    alreadyRequested: async (paymentId) => options.requested?.has(paymentId) ?? false,
    checkpoint: {
      read: async () => checkpoint[0] ?? 0,
      write: async (row) => {
        checkpoint[0] = row;
      },
    },
    result: async (line) => {
      lines.push(line);
    },
  };
  return { ports, batches, lines, checkpoint };
}

describe('importCsv', () => {
  it('publishes valid rows in batches of 10 and names each bad row with its reason', async () => {
    // Prepare: 25 valid rows, a card number, a bad amount, a paymentId repeated in the file
    const run = randomUUID().slice(0, 8);
    const ids = Array.from({ length: 25 }, (_, i) => `pay_${run}_${i}`);
    const text = [
      IMPORT_HEADER,
      ...ids.slice(0, 12).map((id) => rowOf(id)),
      rowOf(`pay_${run}_pan`, { description: `card ${PAN}` }),
      rowOf(`pay_${run}_amt`, { amount: '12.50' }),
      rowOf(ids[0] ?? ''),
      ...ids.slice(12).map((id) => rowOf(id)),
    ].join('\n');
    const { ports, batches, lines } = fakes(text);
    // Act
    const summary = await importCsv(ports);
    // Assess
    expect(summary).toEqual({ status: 'imported', rows: 28, accepted: 25, rejected: 2, duplicate: 1 });
    expect(batches.map((b) => b.length)).toEqual([IMPORT_PUBLISH_BATCH, IMPORT_PUBLISH_BATCH, 5]);
    expect(batches.flat().map((p) => p.paymentId)).toEqual(ids);
    expect(lines[0]).toBe(RESULT_HEADER);
    expect(lines).toHaveLength(1 + 28);
    expect(lines[13]).toMatch(new RegExp(`^13,pay_${run}_pan,rejected,.*card_data_refused`));
    expect(lines[14]).toMatch(new RegExp(`^14,pay_${run}_amt,rejected,.*amount_minor`));
    expect(lines[15]).toBe(`15,${ids[0]},duplicate,paymentId repeats row 1 of this file`);
    expect(lines.join('\n')).not.toContain(PAN);
  });

  it('starts nothing on a re-upload: every row already requested is a duplicate', async () => {
    // Prepare
    const run = randomUUID().slice(0, 8);
    const ids = Array.from({ length: 12 }, (_, i) => `pay_${run}_${i}`);
    const text = [IMPORT_HEADER, ...ids.map((id) => rowOf(id))].join('\n');
    const { ports, batches, lines } = fakes(text, { requested: new Set(ids) });
    // Act
    const summary = await importCsv(ports);
    // Assess
    expect(summary).toMatchObject({ accepted: 0, duplicate: 12 });
    expect(batches).toEqual([]);
    expect(lines.slice(1).every((line) => line.includes(',duplicate,'))).toBe(true);
  });

  it('resumes after a crash mid-file from its checkpoint, publishing each row once', async () => {
    // Prepare: the third PutEvents call fails (the Lambda dies); S3 retries the same event
    const run = randomUUID().slice(0, 8);
    const ids = Array.from({ length: 35 }, (_, i) => `pay_${run}_${i}`);
    const text = [IMPORT_HEADER, ...ids.map((id) => rowOf(id))].join('\n');
    const first = fakes(text, { failOnBatch: 3 });
    await expect(importCsv(first.ports)).rejects.toThrow('connection reset');
    // Act: the retry, with the checkpoint the first run left and intake having seen what it published
    const second = fakes(text, {
      checkpoint: first.checkpoint,
      requested: new Set(first.batches.flat().map((p) => p.paymentId)),
    });
    const summary = await importCsv(second.ports);
    // Assess
    expect(first.checkpoint[0]).toBe(35);
    expect([...first.batches, ...second.batches].flat().map((p) => p.paymentId)).toEqual(ids);
    expect(summary).toMatchObject({ accepted: 35, duplicate: 0 });
  });

  it('publishes nothing from a malformed file and says why in the result', async () => {
    // Prepare: valid rows, then a row with too few fields
    const run = randomUUID().slice(0, 8);
    const text = [
      IMPORT_HEADER,
      ...Array.from({ length: 15 }, (_, i) => rowOf(`pay_${run}_${i}`)),
      'x,y',
    ].join('\n');
    const { ports, batches, lines } = fakes(text);
    // Act
    const summary = await importCsv(ports);
    // Assess
    expect(summary).toMatchObject({ status: 'malformed', kind: 'not_csv' });
    expect(batches).toEqual([]);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^0,,malformed,"?not_csv: /);
  });
});
