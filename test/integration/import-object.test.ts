import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PutEventsCommand, PutEventsResultEntry } from '../../core/aws/eventbridge';
import { GetObjectCommand, PutObjectCommand } from '../../core/aws/s3';
import { incomingPrefix, resultKeyOf } from '../../core/config/imports';
import { ImportCheckpointStore } from '../../core/imports/checkpoint-store';
import { IMPORT_HEADER } from '../../core/imports/columns';
import { ImportRequestMarks } from '../../core/imports/request-marks';
import { type ImportDeps, importObject } from '../../core/imports/run-import';
import { type EventBridgePort, ImportSupersededError } from '../../core/imports/s3-ports';
import { PaymentRunLookup } from '../../core/payments/archive';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';
import { importRow } from '../helpers/imports';
import { type LocalS3, startLocalS3 } from '../helpers/s3';

let dynamo: LocalDynamo;
let s3: LocalS3;

beforeAll(async () => {
  [dynamo, s3] = await Promise.all([
    startDynalite({ prefix: 'import-object' }),
    startLocalS3({ prefix: 'imports' }),
  ]);
});
afterAll(async () => {
  await Promise.all([dynamo?.stop(), s3?.stop()]);
});

const SOURCE = 'partner.import';
let sequence = 0;

/** A bus that records what it took; `refuse(call, index)` answers that entry of that call with ThrottlingException. */
function fakeBus(refuse: (call: number, index: number) => boolean = () => false) {
  const taken: { source: string; detailType: string; detail: Record<string, unknown> }[] = [];
  let calls = 0;
  const events: EventBridgePort = {
    send: (async (command: PutEventsCommand) => {
      calls += 1;
      const entries = command.input.Entries ?? [];
      const answers: PutEventsResultEntry[] = entries.map((entry, index) => {
        if (refuse(calls, index)) return { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' };
        taken.push({
          source: entry.Source ?? '',
          detailType: entry.DetailType ?? '',
          detail: JSON.parse(entry.Detail ?? '{}') as Record<string, unknown>,
        });
        return { EventId: randomUUID() };
      });
      return { FailedEntryCount: answers.filter((a) => a.ErrorCode).length, Entries: answers };
    }) as EventBridgePort['send'],
  };
  return { events, taken, calls: () => calls };
}

function depsOf(events: EventBridgePort): ImportDeps {
  return {
    s3: s3.client,
    events,
    runs: new PaymentRunLookup(dynamo.doc, dynamo.tables.payments),
    checkpoints: new ImportCheckpointStore(dynamo.doc, dynamo.tables.payments),
    marks: new ImportRequestMarks(dynamo.doc, dynamo.tables.payments),
    eventBusName: 'paysaga-test-bus',
    sources: new Set([SOURCE]),
    publishBackoffMs: 0,
  };
}

/** Uploads `rows` under incoming/<source>/ and returns the S3 event record for it. */
async function upload(rows: readonly string[], source = SOURCE, key?: string) {
  const objectKey = key ?? `${incomingPrefix(source)}batch-${randomUUID().slice(0, 8)}.csv`;
  const put = await s3.client.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: objectKey,
      Body: `${[IMPORT_HEADER, ...rows].join('\n')}\n`,
    }),
  );
  sequence += 1;
  return {
    bucket: s3.bucket,
    key: objectKey,
    eTag: put.ETag ?? '',
    sequencer: String(sequence).padStart(8, '0'),
  };
}

async function resultOf(objectKey: string): Promise<string[]> {
  const object = await s3.client.send(
    new GetObjectCommand({ Bucket: s3.bucket, Key: resultKeyOf(objectKey) }),
  );
  return ((await object.Body?.transformToString('utf8')) ?? '').trimEnd().split('\n');
}

const rowsOf = (count: number) => {
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: count }, (_, i) =>
    importRow(`pay_${run}_${i}`, 'wal_import', String(1000 + i)),
  );
};

describe('importObject (local S3, dynalite, a recording bus)', () => {
  it("publishes each row under the producer's source, writes the result, then BatchImported", async () => {
    // Prepare
    const bus = fakeBus();
    const object = await upload(rowsOf(12));
    // Act
    const outcome = await importObject(depsOf(bus.events), object);
    // Assess
    expect(outcome).toMatchObject({ status: 'imported', rows: 12, accepted: 12, source: SOURCE });
    const requested = bus.taken.filter((e) => e.detailType === 'PaymentRequested');
    expect(requested).toHaveLength(12);
    expect(new Set(requested.map((e) => e.source))).toEqual(new Set([SOURCE]));
    expect(bus.taken.at(-1)).toMatchObject({
      source: 'paysaga.saga',
      detailType: 'BatchImported',
      detail: {
        status: 'imported',
        rows: 12,
        accepted: 12,
        objectKey: object.key,
        resultKey: resultKeyOf(object.key),
      },
    });
    expect(await resultOf(object.key)).toHaveLength(13);
  });

  it('puts again only the entries PutEvents refused, never the whole batch', async () => {
    // Prepare: the first call refuses entries 3 and 7
    const bus = fakeBus((call, index) => call === 1 && (index === 3 || index === 7));
    const object = await upload(rowsOf(10));
    // Act
    await importObject(depsOf(bus.events), object);
    // Assess: 10 distinct requests, each once; the retry carried 2 entries
    const ids = bus.taken.filter((e) => e.detailType === 'PaymentRequested').map((e) => e.detail.paymentId);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
    expect(bus.calls()).toBe(3);
  });

  it('resumes a retried event from its checkpoint, and a re-upload finds every row requested before', async () => {
    // Prepare: the third PutEvents of the first run fails for good
    const rows = rowsOf(25);
    const failing = fakeBus((call) => call >= 3);
    const object = await upload(rows);
    await expect(importObject(depsOf(failing.events), object)).rejects.toThrow(/PutEvents refused/);
    const bus = fakeBus();
    // Act: the same event again, then the same file uploaded again
    const retried = await importObject(depsOf(bus.events), object);
    const again = await upload(rows, SOURCE, object.key);
    const reuploaded = await importObject(depsOf(bus.events), again);
    // Assess: rows 1-20 went out in the first run, 21-25 in the retry; nothing in the re-upload
    const first = failing.taken.map((e) => e.detail.paymentId);
    const second = bus.taken
      .filter((e) => e.detailType === 'PaymentRequested')
      .map((e) => e.detail.paymentId);
    expect(first).toHaveLength(20);
    expect(second).toHaveLength(5);
    expect(new Set([...first, ...second]).size).toBe(25);
    expect(retried).toMatchObject({ status: 'imported', accepted: 25, duplicate: 0 });
    expect(reuploaded).toMatchObject({ status: 'imported', accepted: 0, duplicate: 25 });
    expect((await resultOf(object.key)).slice(1).every((line) => line.includes(',duplicate,'))).toBe(true);
  });

  it('refuses an upload under a source no producer has: its result says why, nothing is published', async () => {
    // Prepare
    const bus = fakeBus();
    const object = await upload(rowsOf(3), 'partner.stranger');
    // Act
    const outcome = await importObject(depsOf(bus.events), object);
    // Assess
    expect(outcome).toMatchObject({ status: 'refused' });
    expect(bus.taken).toEqual([]);
    expect(await resultOf(object.key)).toEqual([
      'row,payment_id,outcome,reason',
      `0,,malformed,unknown_source: no producer uploads under incoming/partner.stranger/ (known: ${SOURCE})`,
    ]);
  });

  it('stops when the object was overwritten after its event: the newer upload has its own', async () => {
    // Prepare
    const bus = fakeBus();
    const object = await upload(rowsOf(3));
    await upload(rowsOf(4), SOURCE, object.key);
    // Act
    const run = importObject(depsOf(bus.events), object);
    // Assess
    await expect(run).rejects.toThrow(ImportSupersededError);
    expect(bus.taken).toEqual([]);
  });
});
