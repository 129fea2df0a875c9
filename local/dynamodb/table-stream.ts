import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { readJsonFile, writeJsonDurablyAsync } from '../edge/durable-file';

/**
 * DynamoDB Streams for one table, as far as the local runtime needs them
 * (dynalite has none): every write request to the table (PutItem, UpdateItem,
 * DeleteItem, BatchWriteItem, TransactWriteItems) appends the keys it writes to
 * a change log *before* dynalite applies it, so a kill -9 cannot lose a change
 * that was written. A change becomes readable once its request has answered
 * (or at once after a restart); the consumer reads the item's image then
 * (local/dynamodb/stream-consumer.ts). With a data dir the log and the
 * consumer's checkpoint live in `<dataDir>/dynamodb-streams/`.
 *
 * Differences from AWS, none of which the outbox relies on: the image is the
 * item as it is when read, not as that write left it; writes that failed
 * (a condition) are dropped when their answer is seen, but after a restart a
 * change whose answer was never seen is delivered with the current image.
 */
export interface StreamChange {
  readonly seq: number;
  /** When the write was logged (ms since the epoch). */
  readonly at: number;
  readonly operation: string;
  readonly keys: Readonly<Record<string, AttributeValue>>;
}

interface StreamState {
  /** The last sequence number the consumer finished with. */
  readonly checkpoint: number;
}

const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

type Item = Record<string, AttributeValue>;
interface WriteRequest {
  readonly TableName?: string;
  readonly Item?: Item;
  readonly Key?: Item;
  readonly RequestItems?: Record<string, { PutRequest?: { Item?: Item }; DeleteRequest?: { Key?: Item } }[]>;
  readonly TransactItems?: {
    Put?: { TableName?: string; Item?: Item };
    Update?: { TableName?: string; Key?: Item };
    Delete?: { TableName?: string; Key?: Item };
    ConditionCheck?: unknown;
  }[];
}

export class LocalTableStream {
  private readonly logFile: string | undefined;
  private readonly stateFile: string | undefined;
  private readonly changes: StreamChange[] = [];
  /** Sequence numbers whose write has not answered yet: nothing at or after the first is readable. */
  private readonly pending = new Set<number>();
  /** Writes that answered with an error: never delivered. */
  private readonly failed = new Set<number>();
  private nextSeq: number;
  private checkpoint: number;
  /** The log, open for appending while the stream is (an open and a close per write cost 3x the write). */
  private logFd: number | undefined;
  /** The checkpoint writes, one after the other (they share a temp file). */
  private persisting: Promise<void> = Promise.resolve();

  constructor(
    readonly tableName: string,
    private readonly keyAttributes: readonly string[],
    dataDir?: string,
  ) {
    this.checkpoint = 0;
    if (dataDir) {
      const dir = join(dataDir, 'dynamodb-streams');
      mkdirSync(dir, { recursive: true });
      this.logFile = join(dir, `${tableName}.jsonl`);
      this.stateFile = join(dir, `${tableName}.checkpoint.json`);
      this.checkpoint = readJsonFile<StreamState>(this.stateFile, { checkpoint: 0 }).checkpoint;
      for (const change of readLog(this.logFile)) {
        if (change.seq > this.checkpoint) this.changes.push(change);
      }
    }
    this.nextSeq = Math.max(this.checkpoint, ...this.changes.map((change) => change.seq)) + 1;
  }

  /**
   * Called with each request's target and body before dynalite applies it; returns the sequence
   * numbers it logged (to settle when the request answers), empty when it writes nothing here.
   */
  capture(target: string, body: Buffer): number[] {
    const operation = target.slice(target.lastIndexOf('.') + 1);
    if (!WRITE_OPERATIONS.has(operation)) return [];
    let request: WriteRequest;
    try {
      request = JSON.parse(body.toString('utf8')) as WriteRequest;
    } catch {
      return [];
    }
    // All or nothing: the changes are kept only once their log line is written. A failed log write
    // (ENOSPC, EIO) throws with nothing pending, so the request is refused, not applied, and the
    // stream goes on with the next write (a change left pending would hold back all later ones).
    const at = Date.now();
    const changes = [...this.keysWritten(operation, request)].map(
      (keys, i): StreamChange => ({ seq: this.nextSeq + i, at, operation, keys }),
    );
    if (this.logFile && changes.length > 0) {
      try {
        // O_APPEND: after the log is emptied (ftruncate on another descriptor) lines go at its new end.
        this.logFd ??= openSync(this.logFile, 'a');
        writeSync(this.logFd, `${changes.map((change) => JSON.stringify(change)).join('\n')}\n`);
      } catch (error) {
        // Opened again by the next write (a descriptor that failed may stay failed).
        if (this.logFd !== undefined) closeQuietly(this.logFd);
        this.logFd = undefined;
        throw error;
      }
    }
    this.nextSeq += changes.length;
    for (const change of changes) {
      this.changes.push(change);
      this.pending.add(change.seq);
    }
    return changes.map((change) => change.seq);
  }

  /** The request of these changes answered; a failed write is never delivered. */
  settle(seqs: readonly number[], succeeded: boolean): void {
    for (const seq of seqs) {
      this.pending.delete(seq);
      if (!succeeded) this.failed.add(seq);
    }
  }

  /** Up to `limit` readable changes after the checkpoint, in order (failed writes left out). */
  read(limit: number): {
    readonly changes: StreamChange[];
    readonly through: number;
    readonly scanned: number;
  } {
    const firstPending = Math.min(...this.pending);
    const changes: StreamChange[] = [];
    let through = this.checkpoint;
    let scanned = 0;
    for (const change of this.changes) {
      if (change.seq >= firstPending || scanned >= limit) break;
      scanned++;
      through = change.seq;
      if (!this.failed.has(change.seq)) changes.push(change);
    }
    return { changes, through, scanned };
  }

  /**
   * The consumer is done with everything up to `seq`. Resolves once that checkpoint is durable; its
   * fsync runs off the event loop (on the disk of a busy machine it took ~15 ms, five times a second,
   * and held every saga step in flight meanwhile). The log is emptied once all of it is done.
   */
  advance(seq: number): Promise<void> {
    if (seq <= this.checkpoint) return this.persisting;
    this.checkpoint = seq;
    while (this.changes[0] && this.changes[0].seq <= seq) {
      const done = this.changes.shift();
      if (done) this.failed.delete(done.seq);
    }
    const { stateFile, logFile } = this;
    if (!stateFile || !logFile) return Promise.resolve();
    // After a failed write the next one still runs (and the failure reached its own caller).
    this.persisting = this.persisting
      .catch(() => undefined)
      .then(() => this.persist(stateFile, logFile, seq));
    return this.persisting;
  }

  private async persist(stateFile: string, logFile: string, seq: number): Promise<void> {
    await writeJsonDurablyAsync(stateFile, { checkpoint: seq } satisfies StreamState);
    // Nothing left to deliver and no later checkpoint still to write: start the log afresh (sequence
    // numbers go on from the checkpoint). Checked now, in one synchronous step with the truncation: a
    // write captured while the checkpoint was being written is in the log and in `changes`, and stays.
    if (this.changes.length === 0 && this.checkpoint === seq) {
      const fd = openSync(logFile, 'a');
      try {
        ftruncateSync(fd, 0);
      } finally {
        closeSync(fd);
      }
    }
  }

  /** Closes the log (the DynamoDB service stopping): everything captured is already in the OS. */
  close(): void {
    if (this.logFd === undefined) return;
    closeSync(this.logFd);
    this.logFd = undefined;
  }

  /** Changes logged and not yet consumed (tests, the runtime's log). */
  get backlog(): number {
    return this.changes.length;
  }

  private keyOf(item: Item | undefined): Item | undefined {
    if (!item) return undefined;
    const keys: Item = {};
    for (const name of this.keyAttributes) {
      const value = item[name];
      if (value === undefined) return undefined;
      keys[name] = value;
    }
    return keys;
  }

  private keysWritten(operation: string, request: WriteRequest): Item[] {
    const mine = (table: string | undefined) => table === this.tableName;
    const keys: (Item | undefined)[] = [];
    if (operation === 'PutItem' && mine(request.TableName)) keys.push(this.keyOf(request.Item));
    if ((operation === 'UpdateItem' || operation === 'DeleteItem') && mine(request.TableName))
      keys.push(this.keyOf(request.Key));
    if (operation === 'BatchWriteItem') {
      for (const entry of request.RequestItems?.[this.tableName] ?? [])
        keys.push(this.keyOf(entry.PutRequest?.Item ?? entry.DeleteRequest?.Key));
    }
    if (operation === 'TransactWriteItems') {
      for (const entry of request.TransactItems ?? []) {
        if (mine(entry.Put?.TableName)) keys.push(this.keyOf(entry.Put?.Item));
        if (mine(entry.Update?.TableName)) keys.push(this.keyOf(entry.Update?.Key));
        if (mine(entry.Delete?.TableName)) keys.push(this.keyOf(entry.Delete?.Key));
      }
    }
    return keys.filter((key): key is Item => key !== undefined);
  }
}

/** The log's changes; a line torn by a kill -9 mid-append (the last one) is skipped. */
function readLog(path: string): StreamChange[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const changes: StreamChange[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      changes.push(JSON.parse(line) as StreamChange);
    } catch {
      // torn tail
    }
  }
  return changes;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already unusable: the write that failed said why
  }
}
