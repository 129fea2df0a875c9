import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { HistoryEvent } from './history-event';
import type { ExecutionRecord } from './types';

/**
 * Where executions and their histories live. With a directory, each execution
 * is one append-only JSON-lines file (`<dir>/executions/<hash>.jsonl`): a
 * `record` line per status change and an `event` line per history event.
 * A record line is written synchronously (with the events before it) before
 * the caller goes on; event lines are gathered and written together (one write
 * instead of one per event, issue 18 goal 3) before the execution's next task
 * runs, before anything shows them (a record, a history read, a release), and
 * at the end of each turn of the event loop. So when a crash (kill -9) comes,
 * every event before a task's side effects, and every one acknowledged or
 * shown, is on disk, as when each line was written at once; at most the events
 * since the last task began can be lost (its outcome among them: it re-runs,
 * as after a crash a moment earlier; every step is idempotent). A torn last
 * line is cut off on load.
 * Without a directory (`--memory`) everything stays in memory.
 *
 * Histories of closed executions are not kept in memory when on disk: they are
 * read back from their file when asked for.
 */

type Line =
  | { readonly t: 'record'; readonly record: ExecutionRecord }
  | { readonly t: 'event'; readonly event: HistoryEvent };

interface Entry {
  record: ExecutionRecord;
  /** In memory while open (or always, without a directory). */
  events: HistoryEvent[] | undefined;
  lastEventId: number;
}

export interface LoadReport {
  readonly executions: number;
  readonly running: number;
  /** Files whose last line was torn by a crash and cut off. */
  readonly repairedFiles: number;
}

/** Open append handles kept at once (most recently used); more open executions reopen their file. */
const MAX_OPEN_FILES = 256;

export class ExecutionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly executionsDir: string | undefined;
  /** Append-mode descriptors of recently written files: one open/close per event costs most of a write. */
  private readonly openFiles = new Map<string, number>();
  private readonly paths = new Map<string, string>();
  /** Event lines not written yet, per execution, in order. */
  private readonly unwritten = new Map<string, string[]>();
  private flushScheduled = false;

  constructor(dir: string | undefined) {
    this.executionsDir = dir === undefined ? undefined : join(dir, 'executions');
    if (this.executionsDir) mkdirSync(this.executionsDir, { recursive: true });
  }

  get persistent(): boolean {
    return this.executionsDir !== undefined;
  }

  /** Reads every execution file. Call once, before anything else. */
  load(): LoadReport {
    if (!this.executionsDir) return { executions: 0, running: 0, repairedFiles: 0 };
    let running = 0;
    let repairedFiles = 0;
    for (const file of readdirSync(this.executionsDir)) {
      if (!file.endsWith('.jsonl')) continue;
      const path = join(this.executionsDir, file);
      const { lines, repaired } = readLines(path);
      if (repaired) repairedFiles += 1;
      let record: ExecutionRecord | undefined;
      const events: HistoryEvent[] = [];
      for (const line of lines) {
        if (line.t === 'record') record = line.record;
        else events.push(line.event);
      }
      if (!record) continue;
      const open = record.status === 'RUNNING' || record.status === 'PENDING_REDRIVE';
      if (open) running += 1;
      this.entries.set(record.executionArn, {
        record,
        events: open ? events : undefined,
        lastEventId: events.at(-1)?.id ?? 0,
      });
    }
    return { executions: this.entries.size, running, repairedFiles };
  }

  get(executionArn: string): ExecutionRecord | undefined {
    return this.entries.get(executionArn)?.record;
  }

  all(): IterableIterator<ExecutionRecord> {
    return Array.from(this.entries.values(), (entry) => entry.record)[Symbol.iterator]();
  }

  /** Saves a new or changed record (a new line; the last one wins on load), on disk when it returns. */
  saveRecord(record: ExecutionRecord): void {
    const entry = this.entries.get(record.executionArn);
    if (entry) entry.record = record;
    else this.entries.set(record.executionArn, { record, events: [], lastEventId: 0 });
    this.gather(record.executionArn, { t: 'record', record });
    this.writeGathered(record.executionArn);
  }

  /** Appends one event; the caller numbers it from `lastEventId`. Written within this turn of the loop. */
  appendEvent(executionArn: string, event: HistoryEvent): void {
    const entry = this.requireEntry(executionArn);
    entry.lastEventId = event.id;
    entry.events?.push(event);
    this.gather(executionArn, { t: 'event', event });
    if (!this.flushScheduled && this.executionsDir) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Writes the gathered lines of one execution (before its next task runs) or of all (before a history
   * is shown; at the end of each turn of the loop).
   */
  flush(executionArn?: string): void {
    if (executionArn !== undefined) {
      this.writeGathered(executionArn);
      return;
    }
    this.flushScheduled = false;
    for (const arn of [...this.unwritten.keys()]) this.writeGathered(arn);
  }

  lastEventId(executionArn: string): number {
    return this.requireEntry(executionArn).lastEventId;
  }

  /** The full history, oldest first. */
  history(executionArn: string): HistoryEvent[] {
    const entry = this.requireEntry(executionArn);
    if (entry.events) return entry.events;
    const events: HistoryEvent[] = [];
    for (const line of readLines(this.fileOf(executionArn)).lines)
      if (line.t === 'event') events.push(line.event);
    return events;
  }

  /** Keeps the history in memory again (an execution being redriven or resumed). */
  retain(executionArn: string): void {
    const entry = this.requireEntry(executionArn);
    if (!entry.events) entry.events = this.history(executionArn);
  }

  /** Drops the in-memory history of a closed execution that is safe on disk, and closes its file. */
  release(executionArn: string): void {
    this.writeGathered(executionArn);
    const entry = this.entries.get(executionArn);
    if (entry && this.executionsDir) entry.events = undefined;
    this.closeFile(executionArn);
  }

  /** Deletes an execution and its history (Step Functions' 90-day retention, simulated). */
  forget(executionArn: string): boolean {
    const existed = this.entries.delete(executionArn);
    this.unwritten.delete(executionArn);
    this.closeFile(executionArn);
    if (this.executionsDir) rmSync(this.fileOf(executionArn), { force: true });
    this.paths.delete(executionArn);
    return existed;
  }

  /** Writes what is gathered and closes every open file (service stop). */
  close(): void {
    this.flush();
    for (const executionArn of [...this.openFiles.keys()]) this.closeFile(executionArn);
  }

  private requireEntry(executionArn: string): Entry {
    const entry = this.entries.get(executionArn);
    if (!entry) throw new Error(`no stored execution ${executionArn}`);
    return entry;
  }

  private gather(executionArn: string, line: Line): void {
    if (!this.executionsDir) return;
    const text = `${JSON.stringify(line)}\n`;
    const lines = this.unwritten.get(executionArn);
    if (lines) lines.push(text);
    else this.unwritten.set(executionArn, [text]);
  }

  /**
   * The execution's gathered lines in one synchronous write: once it returns they are in the OS and
   * survive the process being killed (not a power cut: no fsync).
   */
  private writeGathered(executionArn: string): void {
    const lines = this.unwritten.get(executionArn);
    if (!lines) return;
    this.unwritten.delete(executionArn);
    writeSync(this.fileHandle(executionArn), lines.length === 1 ? (lines[0] ?? '') : lines.join(''));
  }

  private fileHandle(executionArn: string): number {
    const open = this.openFiles.get(executionArn);
    if (open !== undefined) {
      // Most recently used last, so the oldest is evicted first.
      this.openFiles.delete(executionArn);
      this.openFiles.set(executionArn, open);
      return open;
    }
    const fd = openSync(this.fileOf(executionArn), 'a');
    this.openFiles.set(executionArn, fd);
    if (this.openFiles.size > MAX_OPEN_FILES) {
      const oldest = this.openFiles.keys().next().value;
      if (oldest !== undefined) this.closeFile(oldest);
    }
    return fd;
  }

  private closeFile(executionArn: string): void {
    this.writeGathered(executionArn);
    const fd = this.openFiles.get(executionArn);
    if (fd === undefined) return;
    this.openFiles.delete(executionArn);
    closeSync(fd);
  }

  /** File names are a hash of the ARN: execution names may legally be "..", so never a path. */
  private fileOf(executionArn: string): string {
    const known = this.paths.get(executionArn);
    if (known) return known;
    const hash = createHash('sha256').update(executionArn).digest('hex').slice(0, 40);
    const path = join(this.executionsDir ?? '', `${hash}.jsonl`);
    this.paths.set(executionArn, path);
    return path;
  }
}

/** Parses a JSON-lines file; a torn last line (no newline, or not JSON) is cut off the file. */
function readLines(path: string): { lines: Line[]; repaired: boolean } {
  if (!existsSync(path)) return { lines: [], repaired: false };
  const text = readFileSync(path, 'utf8');
  const lines: Line[] = [];
  let offset = 0;
  let goodBytes = 0;
  while (offset < text.length) {
    const end = text.indexOf('\n', offset);
    if (end < 0) break;
    const raw = text.slice(offset, end);
    offset = end + 1;
    try {
      lines.push(JSON.parse(raw) as Line);
      goodBytes += Buffer.byteLength(raw, 'utf8') + 1;
    } catch {
      break;
    }
  }
  const size = statSync(path).size;
  const repaired = goodBytes < size;
  // Cut the torn tail so the next append starts on a clean line.
  if (repaired) truncateSync(path, goodBytes);
  return { lines, repaired };
}
