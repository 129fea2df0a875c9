import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/errors';
import type { ImportReport } from '../../cli/imports/import-file';
import { IMPORT_HEADER } from '../../core/imports/columns';
import { importRow, shortSagaOverrides } from '../helpers/imports';
import { runPayctl } from '../helpers/payctl';
import { startTestRuntime, type TestRuntime, tempDataDir } from '../helpers/runtime';

/**
 * payctl import against the local runtime: uploads under incoming/<source>/, waits for the
 * result file and prints the counts; errors say what to do.
 */
let runtime: TestRuntime;
let dir: string;

beforeAll(async () => {
  runtime = await startTestRuntime({
    sweeper: false,
    webhooks: false,
    functionOverrides: shortSagaOverrides(),
  });
  dir = tempDataDir('paysaga-import-payctl');
});
afterAll(async () => {
  await runtime?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A CSV file in the test's temp dir. */
function csvFile(rows: readonly string[]): string {
  const file = join(dir, `batch-${randomUUID().slice(0, 8)}.csv`);
  writeFileSync(file, `${[IMPORT_HEADER, ...rows].join('\n')}\n`);
  return file;
}

describe('payctl import', () => {
  it('uploads a file, waits for its result and counts accepted, rejected and duplicate rows', async () => {
    // Prepare: 3 good rows, a bad amount, a repeat
    const run = randomUUID().slice(0, 8);
    const file = csvFile([
      importRow(`pay_${run}_1`, 'wal_payctl', '1250'),
      importRow(`pay_${run}_2`, 'wal_payctl', '1300'),
      importRow(`pay_${run}_bad`, 'wal_payctl', '12.5'),
      importRow(`pay_${run}_1`, 'wal_payctl', '1250'),
      importRow(`pay_${run}_3`, 'wal_payctl', '1400'),
    ]);
    // Act
    const json = await runPayctl(runtime, '--json', 'import', file, '--source', 'partner.local');
    const human = await runPayctl(runtime, 'import', file, '--source', 'partner.local');
    // Assess: the first import takes 3, the second finds them all requested before
    expect(json.code, json.stderr).toBe(EXIT.partial);
    const report = json.json<ImportReport>();
    expect(report).toMatchObject({ rows: 5, accepted: 3, rejected: 1, duplicate: 1 });
    expect(report.objectKey).toMatch(/^incoming\/partner\.local\/batch-.*\.csv$/);
    expect(report.resultKey).toBe(report.objectKey.replace(/^incoming\//, 'results/'));
    expect(report.problems).toEqual([
      expect.objectContaining({
        row: 3,
        paymentId: `pay_${run}_bad`,
        reason: expect.stringMatching(/amount_minor/),
      }),
    ]);
    expect(json.stderr).toMatch(/1 row\(s\) rejected/);
    expect(human.code).toBe(EXIT.partial);
    expect(human.stdout).toMatch(/duplicate\s+4\s/);
    expect(human.stdout).toMatch(/accepted\s+0\s/);
    expect(human.stdout).toContain(`pay_${run}_bad`);
  }, 120_000);

  it('says what to do when the source has no producer, the file is missing or malformed', async () => {
    // Prepare
    const file = csvFile([importRow(`pay_${randomUUID().slice(0, 8)}`, 'wal_payctl', '1250')]);
    const broken = join(dir, `broken-${randomUUID().slice(0, 8)}.csv`);
    writeFileSync(broken, 'payment_id,amount\npay_1,100\n');
    // Act
    const unknown = await runPayctl(runtime, 'import', file, '--source', 'partner.nobody');
    const missing = await runPayctl(
      runtime,
      'import',
      join(dir, 'nothing-here.csv'),
      '--source',
      'partner.local',
    );
    const malformed = await runPayctl(runtime, '--json', 'import', broken, '--source', 'partner.local');
    const badSource = await runPayctl(runtime, 'import', file, '--source', 'Not A Source');
    // Assess
    expect(unknown.code).toBe(EXIT.failure);
    expect(unknown.stdout).toMatch(
      /Refused: unknown_source: no producer uploads under incoming\/partner\.nobody\//,
    );
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toMatch(/is not a readable file/);
    expect(malformed.code).toBe(EXIT.failure);
    expect(malformed.json<ImportReport>().malformed).toMatch(/^wrong_header: /);
    expect(malformed.stderr).toMatch(/nothing was imported: fix the file \(wrong_header\)/);
    expect(badSource.code).toBe(EXIT.usage);
    expect(badSource.stderr).toMatch(/--source Not A Source: source is a lower-case reverse-DNS name/);
  }, 120_000);
});
