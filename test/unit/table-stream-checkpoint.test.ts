/**
 * The local table stream's checkpoint (the outbox consumer's position) is made durable off the event
 * loop (issue 18 goal 3): written with an fsync on every poll that read something, five times a second,
 * it held the runtime's one thread ~15 ms each time on this machine's disk (~7 % of its time, and up to
 * 15 ms on whatever saga step was waiting). A disk made slow here shows whether the thread waits for it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { API_REQUEST_SK } from '../../core/frontdoor/api-request-store';
import { LocalTableStream } from '../../local/dynamodb/table-stream';

const SLOW_FSYNC_MS = 150;

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const fsyncSync: typeof fs.fsyncSync = (fd) => {
    const until = Date.now() + SLOW_FSYNC_MS;
    while (Date.now() < until) {
      // a disk that takes this long to sync, holding the calling thread
    }
    fs.fsyncSync(fd);
  };
  return { ...fs, default: { ...fs, fsyncSync }, fsyncSync };
});

describe('LocalTableStream checkpoint', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('is made durable without holding the event loop for the disk, and survives a restart once done', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'paysaga-checkpoint-'));
    dirs.push(dir);
    const table = `payments-${randomUUID().slice(0, 8)}`;
    const stream = new LocalTableStream(table, ['pk', 'sk'], dir);
    const put = (pk: string) =>
      Buffer.from(JSON.stringify({ TableName: table, Item: { pk: { S: pk }, sk: { S: API_REQUEST_SK } } }));
    const seqs = ['PAYMENT#a', 'PAYMENT#b'].flatMap((pk) =>
      stream.capture('DynamoDB_20120810.PutItem', put(pk)),
    );
    stream.settle(seqs, true);
    const { through } = stream.read(10);

    // Act
    const started = performance.now();
    const persisted = stream.advance(through);
    const heldMs = performance.now() - started;
    await persisted;
    const restarted = new LocalTableStream(table, ['pk', 'sk'], dir);

    // Assess
    expect(heldMs).toBeLessThan(SLOW_FSYNC_MS / 3);
    expect(restarted.read(10).scanned).toBe(0);
    expect(restarted.backlog).toBe(0);
  });
});
