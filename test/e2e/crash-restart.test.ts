import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLedgerInvariants, Ledger, LedgerReader } from '../../core/ledger';
import { DETAIL_TYPES } from '../../events/envelope';
import { sdkClients, tempDataDir, waitFor } from '../helpers/runtime';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = tempDataDir('paysaga-crash');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly sandbox: string;
  readonly lines: Array<Record<string, unknown>>;
}

/** Runs `npm start`'s entry point in a child process on a free port and waits for its banner. */
async function startChild(): Promise<Started> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/start.ts', '--port', '0', '--data-dir', dataDir, '--json'],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' } },
  );
  children.push(child);
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a JSON line
    }
  });
  const banner = await waitFor(
    'the runtime banner',
    () => {
      if (child.exitCode !== null) throw new Error(`runtime exited ${child.exitCode}: ${stderr}`);
      return lines.find((line) => line.event === 'started');
    },
    30_000,
  );
  return { child, endpoint: String(banner.endpoint), sandbox: String(banner.sandbox), lines };
}

const REGION = 'us-east-1';

/** What a failure message needs to tell where a request went: queue depths and the runtimes' error lines. */
async function diagnose(clients: ReturnType<typeof sdkClients>, ...runs: Started[]): Promise<string> {
  const depths: Record<string, unknown> = {};
  for (const queue of ['intake', 'intake-dlq', 'intake-rule-dlq']) {
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: `${runs[0]?.endpoint}/000000000000/paysaga-local-${queue}`,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    depths[queue] = Attributes;
  }
  const errors = runs.flatMap((run) =>
    run.lines.filter((line) => line.level !== 'INFO' || line.message !== 'saga outcome'),
  );
  return JSON.stringify({ depths, errors: errors.slice(-20) });
}

describe('a runtime killed with SIGKILL mid-stream', () => {
  it('loses no accepted request and charges no payment twice after a restart', async () => {
    // Prepare
    const first = await startChild();
    const c1 = sdkClients({ endpoint: first.endpoint, region: REGION });
    const ledger = new Ledger({ doc: c1.documents, tableName: 'paysaga-local-ledger' });
    const walletId = `wal_${randomUUID().slice(0, 12)}`;
    await ledger.openWallet(walletId, 'EUR');
    // Wallet first: an empty wallet, so every payment goes whole to the gateway (where the kill should land).
    const payments = Array.from({ length: 16 }, (_, i) => ({
      schemaVersion: '1',
      paymentId: `pay_${randomUUID().slice(0, 12)}`,
      walletId,
      merchantId: 'mer_bookshop',
      amount: { value: 100 + i, currency: 'EUR', exponent: 2 },
      // Half are slow at the gateway, so the kill lands mid-charge for some.
      paymentMethod: i % 2 === 0 ? 'pm_card_visa' : 'pm_sandbox_slow',
      requestedAt: new Date().toISOString(),
    }));
    // Act
    for (let i = 0; i < payments.length; i += 8) {
      const result = await c1.events.send(
        new PutEventsCommand({
          Entries: payments.slice(i, i + 8).map((detail) => ({
            EventBusName: 'paysaga-local-bus',
            Source: 'shop.checkout',
            DetailType: DETAIL_TYPES.paymentRequested,
            Detail: JSON.stringify(detail),
          })),
        }),
      );
      expect(result.FailedEntryCount).toBe(0);
    }
    await waitFor('a few sagas to finish', () =>
      first.lines.filter((line) => line.message === 'saga outcome').length >= 3 ? true : undefined,
    );
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const doneBeforeKill = first.lines.filter((line) => line.message === 'saga outcome').length;
    const second = await startChild();
    const c2 = sdkClients({ endpoint: second.endpoint, region: REGION });
    const arnOf = (paymentId: string) =>
      `arn:aws:states:${REGION}:000000000000:execution:paysaga-local-payment-saga:${paymentId}`;
    let last: string[] = [];
    const statuses = await waitFor(
      'every saga to succeed',
      async () => {
        const all = await Promise.all(
          payments.map(async ({ paymentId }) => {
            const execution = await c2.sfn
              .send(new DescribeExecutionCommand({ executionArn: arnOf(paymentId) }))
              .catch((error: unknown) => ({
                status: `${paymentId}:${(error as Error).name}`,
                error: '',
                cause: '',
              }));
            return `${execution?.status} ${execution?.error ?? ''} ${execution?.cause?.slice(0, 200) ?? ''}`.trim();
          }),
        );
        last = all;
        return all.every((status) => status === 'SUCCEEDED') ? all : undefined;
      },
      45_000,
    ).catch(async (error: unknown) => {
      throw new Error(
        `${String(error)}; statuses: ${last.join(' | ')}; ${await diagnose(c2, second, first)}`,
      );
    });
    // Assess
    expect(doneBeforeKill).toBeLessThan(payments.length);
    expect(statuses).toHaveLength(payments.length);
    const charges = (await (await fetch(`${second.sandbox}/_sandbox/charges`)).json()) as Array<{
      paymentId: string;
      amount: number;
    }>;
    for (const payment of payments) {
      // The whole amount: the empty wallet paid nothing of it.
      expect(
        charges.filter((charge) => charge.paymentId === payment.paymentId).map((charge) => charge.amount),
      ).toEqual([payment.amount.value]);
    }
    const reader = new LedgerReader(c2.documents, 'paysaga-local-ledger');
    const snapshot = await reader.snapshot();
    expect(checkLedgerInvariants(snapshot).violations).toEqual([]);
    const wallet = await reader.getWallet(walletId);
    expect(wallet?.available).toBe(0);
    expect(wallet?.held).toBe(0);
    console.info(`crash test: ${doneBeforeKill} of ${payments.length} sagas done before the kill`);
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }, 120_000);
});
