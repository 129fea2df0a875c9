import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Temp dirs of tests: each made under the OS temp dir (TMPDIR) with a label
 * saying whose it is, and removed by whoever made it when it is done with it
 * (afterAll / finally), pass or fail. A synth's cdk.out is ~60 MB and a
 * runtime's data dir can grow to gigabytes: one left per run filled a CI disk.
 */

/** A fresh, empty dir `<TMPDIR>/<label>-XXXXXX`. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `${label}-`));
}

/** Removes a dir and everything in it; nothing to do when it is gone already (or never made). */
export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Runs `use` with a fresh temp dir, removed afterwards whether `use` succeeded or threw. */
export async function withTempDir<T>(label: string, use: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = tempDir(label);
  try {
    return await use(dir);
  } finally {
    removeDir(dir);
  }
}

/** The entries of a dir (a test's private TMPDIR, say): what a run left behind in it. */
export function entriesOf(dir: string): string[] {
  return readdirSync(dir).sort();
}
