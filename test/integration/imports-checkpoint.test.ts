import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportCheckpointStore } from '../../core/imports/checkpoint-store';
import { IMPORT_HEADER } from '../../core/imports/columns';
import { importCsv } from '../../core/imports/importer';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';

let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startDynalite({ prefix: 'imports-checkpoint' });
});

afterAll(async () => {
  await dynamo?.stop();
});

const rowOf = (paymentId: string) =>
  `${paymentId},wal_1,mer_1,1250,EUR,pm_card_visa,,import,2026-12-01T00:00:00Z`;

describe('Class: ImportCheckpointStore', () => {
  it('starts at 0, only moves forward', async () => {
    // Prepare
    const store = new ImportCheckpointStore(dynamo.doc, dynamo.tables.payments);
    const importId = `incoming/payroll/${randomUUID()}.csv#0001`;
    // Act
    const before = await store.read(importId);
    await store.advance(importId, 20);
    await store.advance(importId, 10);
    // Assess
    expect(before).toBe(0);
    expect(await store.read(importId)).toBe(20);
  });

  it('lets importCsv resume after a crash without publishing a row twice', async () => {
    // Prepare: 25 rows; the third PutEvents fails the first run
    const store = new ImportCheckpointStore(dynamo.doc, dynamo.tables.payments);
    const importId = `incoming/payroll/${randomUUID()}.csv#0001`;
    const ids = Array.from({ length: 25 }, (_, i) => `pay_${importId.slice(17, 25)}_${i}`);
    const text = [IMPORT_HEADER, ...ids.map(rowOf)].join('\n');
    const published: PaymentRequested[] = [];
    const run = (failOnCall?: number) => {
      let calls = 0;
      return importCsv({
        open: async function* () {
          yield text;
        },
        publish: async (payments) => {
          calls += 1;
          if (calls === failOnCall) throw new Error('PutEvents: connection reset');
          published.push(...payments);
        },
        alreadyRequested: async (paymentId) => published.some((p) => p.paymentId === paymentId),
        checkpoint: store.forImport(importId),
        result: async () => {},
      });
    };
    await expect(run(3)).rejects.toThrow('connection reset');
    // Act
    const summary = await run();
    // Assess
    expect(published.map((p) => p.paymentId)).toEqual(ids);
    expect(summary).toMatchObject({ accepted: 25, duplicate: 0 });
    expect(await store.read(importId)).toBe(25);
  });
});
