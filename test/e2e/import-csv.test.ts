import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketNames } from '../../core/config/history';
import { incomingPrefix, resultKeyOf } from '../../core/config/imports';
import { IMPORT_HEADER } from '../../core/imports/columns';
import { RESULT_HEADER } from '../../core/imports/importer';
import { Ledger } from '../../core/ledger';
import { importRow, shortSagaOverrides } from '../helpers/imports';
import { fundedWallet } from '../helpers/payments';
import { clientConfig, sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

/**
 * The CSV batch import through the local S3, as a producer uses it: a file uploaded under
 * incoming/<source>/ is imported by the same function S3 invokes on AWS; each good row starts
 * its saga (through the bus and intake, as any PaymentRequested), the result file names each bad
 * row's reason, and a re-upload starts nothing new.
 *
 * The sagas' own steps are cut short (Reserve refuses at once, RecordOutcome and the archiver do
 * nothing): 970 full sagas take minutes on the shared 2-core machine, and they are tested elsewhere
 * (test/e2e/saga.test.ts, chaos). What is asserted here is that each good row started one.
 */
let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let s3: S3Client;

beforeAll(async () => {
  runtime = await startTestRuntime({
    sweeper: false,
    webhooks: false,
    functionOverrides: shortSagaOverrides(),
  });
  clients = sdkClients(runtime);
  s3 = new S3Client({ ...clientConfig(runtime), forcePathStyle: true });
});
afterAll(async () => {
  s3?.destroy();
  await runtime?.dispose();
});

const PAN = '4111111111111111';

const SOURCE = 'partner.local';

interface ImportFile {
  readonly text: string;
  /** The paymentIds of the 970 good rows. */
  readonly good: readonly string[];
  /** Row number (1 = first after the header) -> the reason its line must give. */
  readonly bad: ReadonlyMap<number, RegExp>;
}

/** 1,000 rows over 20 funded wallets: 970 good, 10 bad amounts, 10 card numbers, 10 repeats of earlier rows. */
function importFile(wallets: readonly string[]): ImportFile {
  const run = randomUUID().slice(0, 8);
  const requestedAt = new Date().toISOString();
  const line = (paymentId: string, walletId: string, amount: string, method?: string, note?: string) =>
    importRow(paymentId, walletId, amount, {
      requestedAt,
      ...(method && { method }),
      ...(note && { description: note }),
    });
  const rows: string[] = [];
  const good: string[] = [];
  const goodAt = new Map<number, string>();
  const bad = new Map<number, RegExp>();
  const badAmounts = ['12.50', '-100', 'abc', '', '1e3', '0x10', ' 100', '100 ', '١٠٠', '99999999999999999'];
  for (let i = 0; rows.length < 1_000; i += 1) {
    const walletId = wallets[i % wallets.length] ?? '';
    const slot = rows.length + 1;
    if (slot % 100 === 7) {
      const amount = badAmounts[bad.size % badAmounts.length] ?? '';
      rows.push(line(`pay_${run}_amt_${slot}`, walletId, amount));
      bad.set(slot, /,rejected,.*invalid_row: amount/);
    } else if (slot % 100 === 37) {
      const inMethod = bad.size % 2 === 0;
      rows.push(
        line(
          `pay_${run}_pan_${slot}`,
          walletId,
          '1250',
          inMethod ? PAN : 'pm_card_visa',
          inMethod ? 'x' : `card ${PAN}`,
        ),
      );
      bad.set(slot, /,rejected,card_data_refused: card number \(PAN\) in /);
    } else if (slot % 100 === 67) {
      rows.push(line(goodAt.get(slot - 50) ?? '', walletId, '1250'));
      bad.set(slot, new RegExp(`,duplicate,paymentId repeats row ${slot - 50} of this file$`));
    } else {
      const paymentId = `pay_${run}_${slot}`;
      good.push(paymentId);
      goodAt.set(slot, paymentId);
      rows.push(line(paymentId, walletId, String(1_000 + (slot % 7) * 5)));
    }
  }
  return { text: `${[IMPORT_HEADER, ...rows].join('\r\n')}\r\n`, good, bad };
}

async function upload(key: string, text: string): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucketNames(runtime.names.stage).imports,
      Key: key,
      Body: text,
      ContentType: 'text/csv',
    }),
  );
}

/** The result file once it has one line per row (a re-upload overwrites the first run's). */
async function resultLines(key: string, expectedRows: number, notBefore: string[] = []): Promise<string[]> {
  return waitFor(
    `the result of ${key}`,
    async () => {
      try {
        const object = await s3.send(
          new GetObjectCommand({ Bucket: bucketNames(runtime.names.stage).imports, Key: resultKeyOf(key) }),
        );
        const lines = ((await object.Body?.transformToString('utf8')) ?? '').trimEnd().split('\n');
        const fresh = lines.join('\n') !== notBefore.join('\n');
        return lines.length === expectedRows + 1 && fresh ? lines : undefined;
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    150_000,
  );
}

/** Executions of the payment saga named after these paymentIds. */
async function sagasStarted(paymentIds: ReadonlySet<string>): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await clients.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: runtime.env.STATE_MACHINE_ARN,
        maxResults: 1000,
        ...(nextToken && { nextToken }),
      }),
    );
    count += (page.executions ?? []).filter((execution) => paymentIds.has(execution.name ?? '')).length;
    nextToken = page.nextToken;
  } while (nextToken);
  return count;
}

describe('CSV batch import through the local S3', () => {
  it('starts 970 sagas of 1,000 rows, names each bad row, and a re-upload starts nothing new', async () => {
    // Prepare: 20 funded wallets the rows pay from (real wallets, though the short sagas stop before Reserve's hold)
    const ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
    const wallets = await Promise.all(Array.from({ length: 20 }, () => fundedWallet(ledger, 100_000)));
    const file = importFile(wallets);
    const key = `${incomingPrefix(SOURCE)}payroll-${randomUUID().slice(0, 8)}.csv`;
    const good = new Set(file.good);

    // Act: upload
    await upload(key, file.text);
    const lines = await resultLines(key, 1_000);

    // Assess: one line per row; the bad ones name their reason and never the card number
    expect(lines[0]).toBe(RESULT_HEADER);
    expect(good.size).toBe(970);
    for (const [row, reason] of file.bad) {
      expect(lines[row], `row ${row}`).toMatch(new RegExp(`^${row},`));
      expect(lines[row], `row ${row}`).toMatch(reason);
    }
    expect(lines.filter((l) => l.includes(',accepted,')).length).toBe(970);
    expect(lines.join('\n')).not.toContain(PAN);
    await waitFor(
      '970 sagas started',
      async () => ((await sagasStarted(good)) === 970 ? true : undefined),
      150_000,
    );

    // Act: the same file again
    await upload(key, file.text);
    const again = await resultLines(key, 1_000, lines);

    // Assess: nothing new started, every good row a duplicate
    expect(again.filter((l) => l.includes(',duplicate,paymentId was requested before')).length).toBe(970);
    expect(again.some((l) => l.includes(',accepted,'))).toBe(false);
    expect(await sagasStarted(good)).toBe(970);
  }, 400_000);
});
