import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/runtime';
import { entriesOf, removeDir, tempDir } from '../helpers/temp-dirs';

/**
 * `npm run chaos` makes its data dir under TMPDIR (gigabytes for a big run). A run stopped by Ctrl-C or
 * SIGTERM (a CI job's timeout) died on the spot: the dir stayed, unnamed, and the runtime child ran on.
 * Here TMPDIR is a private dir, so what the run leaves there is seen, and nothing others write counts.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const privateTmp = tempDir('paysaga-chaos-cleanup');

/** Processes whose command line names the private TMPDIR: the chaos run's runtime child. */
function processesUnder(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir) ? [Number(pid)] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

afterAll(() => {
  // The old behaviour left the runtime child running on the data dir: stop it, by its own id.
  for (const pid of processesUnder(privateTmp)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  removeDir(privateTmp);
});

describe('npm run chaos, interrupted', () => {
  it('stops its runtime and removes its temp data dir on SIGTERM, saying so', async () => {
    // Prepare: a small run, up to sending its payments (the runtime is up and writing its data dir).
    const run = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/chaos/main.ts', '--payments', '10', '--kills', '0', '--retry-scale', '0.1'],
      { cwd: REPO, env: { ...process.env, TMPDIR: privateTmp }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    run.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    run.stdout.resume();
    const exited = new Promise<number | null>((resolve) => run.once('exit', (code) => resolve(code)));
    await waitFor(
      'the chaos run to send its events',
      () => (/sending \d+ events/.test(stderr) ? true : undefined),
      90_000,
    );
    const dataDir = entriesOf(privateTmp).find((entry) => entry.startsWith('paysaga-chaos-'));

    // Act
    run.kill('SIGTERM');
    const code = await exited;

    // Assess
    expect(dataDir).toBeDefined();
    expect(code).toBe(143);
    expect(stderr).toContain(`data dir removed: ${privateTmp}/${dataDir}`);
    expect(entriesOf(privateTmp).filter((entry) => entry.startsWith('paysaga-'))).toEqual([]);
    expect(processesUnder(privateTmp)).toEqual([]);
  }, 150_000);
});
