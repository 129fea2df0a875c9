import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OUTBOX } from '../../core/config/outbox';
import { API_REQUEST_SK, type ApiRequestRecord } from '../../core/frontdoor/api-request-store';
import { type OutboxDeps, outboxChangesOf, publishOutbox } from '../../core/frontdoor/outbox';
import { PublishFailedError } from '../../core/frontdoor/outbox-publish';
import { LocalTableStream } from '../../local/dynamodb/table-stream';
import { eventMatches } from '../../local/events/pattern-match';

const now = new Date('2026-11-22T10:00:00.000Z');

function recordOf(paymentId: string, published = false): ApiRequestRecord {
  return {
    paymentId,
    clientId: 'acme',
    source: 'partner.acme',
    clientHash: 'hash',
    detail: JSON.stringify({ paymentId }),
    acceptedAt: now.toISOString(),
    ...(published && { publishedAt: now.toISOString(), eventId: 'evt-fast-path' }),
  };
}

/** A request store and bus in memory; `failFor` makes the publish of those payments fail. */
function fakes(records: ApiRequestRecord[], failFor: string[] = []) {
  const store = new Map(records.map((record) => [record.paymentId, record]));
  const published: string[] = [];
  const deps: OutboxDeps = {
    requests: {
      get: async (id) => store.get(id),
      markPublished: async (id, eventId, at) => {
        const record = store.get(id);
        if (record) store.set(id, { ...record, eventId, publishedAt: at.toISOString() });
      },
    },
    publish: async (_source, detail) => {
      const { paymentId } = JSON.parse(detail) as { paymentId: string };
      if (failFor.includes(paymentId)) throw new PublishFailedError('bus busy');
      published.push(paymentId);
      return `evt-${published.length}`;
    },
    now: () => now,
  };
  return { deps, store, published };
}

const change = (paymentId: string, seq: number) => ({ sequenceNumber: String(seq), paymentId });

describe('publishOutbox', () => {
  it('publishes the unpublished, marks them, and skips what the fast path already published (the image was stale)', async () => {
    // Prepare
    const { deps, store, published } = fakes([recordOf('pay_a'), recordOf('pay_b', true)]);

    // Act
    const result = await publishOutbox(deps, [change('pay_a', 1), change('pay_b', 2), change('pay_gone', 3)]);

    // Assess
    expect(published).toEqual(['pay_a']);
    expect(result).toEqual({ published: ['pay_a'], skipped: ['pay_b', 'pay_gone'] });
    expect(store.get('pay_a')?.publishedAt).toBe(now.toISOString());
    expect(store.get('pay_b')?.eventId).toBe('evt-fast-path');
  });

  it('stops at the first failure and names it, so the stream retries from there', async () => {
    // Prepare
    const { deps, published } = fakes([recordOf('pay_a'), recordOf('pay_b'), recordOf('pay_c')], ['pay_b']);

    // Act
    const result = await publishOutbox(deps, [change('pay_a', 1), change('pay_b', 2), change('pay_c', 3)]);

    // Assess
    expect(published).toEqual(['pay_a']);
    expect(result.failed?.change).toEqual(change('pay_b', 2));
    expect(result.failed?.error).toBeInstanceOf(PublishFailedError);
  });
});

describe('outboxChangesOf and the filter', () => {
  const streamRecord = (sk: string, image: Record<string, { S: string }>) => ({
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: '7',
      Keys: { pk: { S: 'PAYMENT#pay_1' }, sk: { S: sk } },
      NewImage: { pk: { S: 'PAYMENT#pay_1' }, sk: { S: sk }, ...image },
    },
  });

  it('keeps only request records; the filter passes unpublished request records only', () => {
    // Prepare
    const unpublished = streamRecord(API_REQUEST_SK, { paymentId: { S: 'pay_1' } });
    const published = streamRecord(API_REQUEST_SK, { paymentId: { S: 'pay_1' }, publishedAt: { S: 'x' } });
    const payment = streamRecord('PAYMENT', { paymentId: { S: 'pay_1' } });

    // Act
    const changes = outboxChangesOf([unpublished, payment]);
    const matched = [unpublished, published, payment].map((r) => eventMatches(OUTBOX.filterPattern, r));

    // Assess
    expect(changes).toEqual([{ sequenceNumber: '7', paymentId: 'pay_1' }]);
    expect(matched).toEqual([true, false, false]);
  });
});

describe('LocalTableStream', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'paysaga-stream-'));
    dirs.push(dir);
    return dir;
  };
  const put = (table: string, pk: string) =>
    Buffer.from(JSON.stringify({ TableName: table, Item: { pk: { S: pk }, sk: { S: API_REQUEST_SK } } }));

  it('logs a write before it is applied, delivers it once answered, drops a failed one, and survives a restart', async () => {
    // Prepare
    const dir = dataDir();
    const table = `payments-${randomUUID().slice(0, 8)}`;
    const stream = new LocalTableStream(table, ['pk', 'sk'], dir);

    // Act
    const first = stream.capture('DynamoDB_20120810.PutItem', put(table, 'PAYMENT#a'));
    const refused = stream.capture('DynamoDB_20120810.PutItem', put(table, 'PAYMENT#b'));
    const other = stream.capture('DynamoDB_20120810.PutItem', put('another-table', 'PAYMENT#c'));
    const whileInFlight = stream.read(10);
    stream.settle(first, true);
    stream.settle(refused, false);
    const answered = stream.read(10);
    const third = stream.capture(
      'DynamoDB_20120810.UpdateItem',
      Buffer.from(
        JSON.stringify({ TableName: table, Key: { pk: { S: 'PAYMENT#d' }, sk: { S: API_REQUEST_SK } } }),
      ),
    );
    // The runtime dies here: the third write's answer was never seen. A new runtime reads the data dir.
    const restarted = new LocalTableStream(table, ['pk', 'sk'], dir);
    const afterRestart = restarted.read(10);
    await restarted.advance(afterRestart.through);
    const drained = new LocalTableStream(table, ['pk', 'sk'], dir).read(10);

    // Assess
    expect(other).toEqual([]);
    expect(whileInFlight.changes).toEqual([]);
    expect(answered.changes.map((c) => c.keys.pk)).toEqual([{ S: 'PAYMENT#a' }]);
    expect(third).toHaveLength(1);
    expect(afterRestart.changes.map((c) => c.keys.pk)).toEqual([
      { S: 'PAYMENT#a' },
      { S: 'PAYMENT#b' },
      { S: 'PAYMENT#d' },
    ]);
    expect(drained.scanned).toBe(0);
  });
});
