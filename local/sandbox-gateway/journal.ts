import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Append-only JSON lines: every change is written (synchronously) before the sandbox answers, so
 * a charge the client saw is never lost by a restart. A torn last line (crash mid-write) is cut off
 * on load, so later appends start on a clean line.
 */
export class Journal<Entry> {
  constructor(private readonly path: string | undefined) {
    if (path) mkdirSync(dirname(path), { recursive: true });
  }

  /** Entries written by earlier runs, oldest first. */
  load(): Entry[] {
    if (!this.path || !existsSync(this.path)) return [];
    const content = readFileSync(this.path, 'utf8');
    const complete = content.slice(0, content.lastIndexOf('\n') + 1);
    const tail = content.slice(complete.length);
    const entries: Entry[] = [];
    for (const [index, line] of complete.split('\n').entries()) {
      if (!line.trim()) continue;
      try {
        entries.push(JSON.parse(line) as Entry);
      } catch (error) {
        throw new Error(`sandbox journal ${this.path} is corrupt at line ${index + 1}: ${error}`);
      }
    }
    if (tail.trim()) {
      try {
        entries.push(JSON.parse(tail) as Entry);
        appendFileSync(this.path, '\n');
      } catch {
        truncateSync(this.path, Buffer.byteLength(complete));
      }
    }
    return entries;
  }

  append(entry: Entry): void {
    if (this.path) appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
  }
}
