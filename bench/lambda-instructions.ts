import { spawnSync } from 'node:child_process';

/**
 * `npm run bench:lambda -- --instructions`: how many instructions a fresh Node
 * process executes to import a bundle, counted by valgrind (callgrind) with V8
 * on one thread. Unlike wall time, the count does not move with the machine's
 * load, so it compares functions and commits measured at different times; it
 * is not a duration (it omits I/O and, by design, the helper threads).
 */

export const valgrindAvailable = (): boolean =>
  spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).status === 0;

/** Millions of instructions executed by `node --single-threaded <args>`, or an error saying why not. */
export function countInstructions(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const result = spawnSync(
    'valgrind',
    ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', ...args],
    { env, encoding: 'utf8' },
  );
  const refs = /I\s+refs:\s+([\d,]+)/.exec(result.stderr);
  if (result.status !== 0 || !refs?.[1])
    throw new Error(`valgrind could not count node ${args.join(' ')}: ${result.stderr.slice(-400)}`);
  return Number(refs[1].replaceAll(',', '')) / 1e6;
}
