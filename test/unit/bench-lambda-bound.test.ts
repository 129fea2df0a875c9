import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLowerBounds, LOWER_BOUNDS, type LowerBound } from '../../bench/lambda-bound';
import { removeDir, tempDir } from '../helpers/temp-dirs';

// `npm run bench:lambda -- --lower-bound` times two bundles per function that bound what leaner libraries
// could reach (issue 18 goal 1): they must import (their top level runs, as a function's init does) and
// must hold none of what they claim to leave out, or the bound would be no bound.

const FUNCTION = 'publishOutbox';
/** Strings only the left-out code holds: Powertools Logger's log-level variable, middy's request, zod's core classes. */
const POWERTOOLS = 'POWERTOOLS_LOG_LEVEL';
const MIDDY = 'middyRequest';
const ZOD = '$ZodType';

describe('bench:lambda --lower-bound bundles', () => {
  let dir: string;
  let files: ReadonlyMap<LowerBound, ReadonlyMap<string, string>>;

  beforeAll(async () => {
    dir = tempDir('paysaga-lower-bound');
    files = await buildLowerBounds([FUNCTION, 'consoleApi-act'], dir);
  }, 60_000);
  afterAll(() => removeDir(dir));

  const fileOf = (bound: LowerBound, key = FUNCTION): string => {
    const file = files.get(bound)?.get(key);
    if (!file) throw new Error(`no ${bound} bundle for ${key}`);
    return file;
  };

  it('leaves out Powertools and middy, and zod only from our code alone', () => {
    // Act
    const libraries = readFileSync(fileOf('libraries'), 'utf8');
    const ownCode = readFileSync(fileOf('ownCode'), 'utf8');

    // Assess: our code is in both (the outbox's own error), the libraries in neither, zod only in the first.
    for (const text of [libraries, ownCode]) {
      expect(text).toContain('PublishRefusedError');
      expect(text).not.toContain(POWERTOOLS);
      expect(text).not.toContain(MIDDY);
    }
    expect(libraries).toContain(ZOD);
    expect(ownCode).not.toContain(ZOD);
    expect(statSync(fileOf('ownCode')).size).toBeLessThan(statSync(fileOf('libraries')).size);
  });

  it.each(LOWER_BOUNDS)('builds a %s bundle whose init runs to the end', (bound) => {
    // Prepare: what Lambda would set for the function (placeholders for its resources).
    const env = {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      PAYMENTS_TABLE: 'bench-payments',
      EVENT_BUS_NAME: 'bench-bus',
    };

    // Act
    const imported = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(fileOf(bound)).href)}); console.log(typeof m.handler)`,
      ],
      { env, encoding: 'utf8' },
    );

    // Assess
    expect(imported.stderr).toBe('');
    expect(imported.stdout.trim()).toBe('function');
  });

  it('names the console functions by their entries', () => {
    // Assess: consoleApi-<access> is built from the console's act entry (its route table is in it).
    expect(readFileSync(fileOf('ownCode', 'consoleApi-act'), 'utf8')).toContain('/resolve-refund');
  });
});
