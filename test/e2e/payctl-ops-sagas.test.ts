import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/errors';
import { checkLedgerInvariants, Ledger, LedgerReader } from '../../core/ledger';
import { runPayctl } from '../helpers/payctl';
import { paymentRequest, putPaymentRequested } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;
let ledger: Ledger;

beforeAll(async () => {
  runtime = await startTestRuntime({});
  clients = sdkClients(runtime);
  ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
});
afterAll(async () => {
  runtime?.sandbox?.setDown(false);
  await runtime?.dispose();
});

function payctl(...argv: string[]) {
  return runPayctl(runtime, ...argv);
}

const AMOUNT = 1250;
/**
 * Wallet first: a wallet with money would pay these payments itself and the gateway (down, declining) would
 * never be asked. An empty wallet sends each payment whole to the gateway: the card is the only source.
 */
async function fundedWallet(): Promise<string> {
  const walletId = `wal_${randomUUID().slice(0, 12)}`;
  await ledger.openWallet(walletId, 'EUR');
  return walletId;
}

async function requestPayment(walletId: string, paymentMethod = 'pm_card_visa'): Promise<string> {
  const detail = paymentRequest(walletId, {
    paymentMethod,
    amount: { value: AMOUNT, currency: 'EUR', exponent: 2 },
  });
  await putPaymentRequested(clients.events, runtime.names.eventBus, detail);
  return detail.paymentId;
}

const executionArnOf = (paymentId: string) =>
  `${runtime.env.STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${paymentId}`;

async function ended(paymentId: string) {
  return waitFor(`the saga of ${paymentId} to end`, async () => {
    const execution = await clients.sfn
      .send(new DescribeExecutionCommand({ executionArn: executionArnOf(paymentId) }))
      .catch(() => undefined);
    return execution && execution.status !== 'RUNNING' ? execution : undefined;
  });
}

interface Saga {
  paymentId: string;
  status: string;
  failedState?: string;
  error?: string;
  redrivable: boolean;
  verdict: string;
  redriveCount: number;
}

describe('payctl sagas against the local runtime', () => {
  it('gateway down -> sagas fail at Charge -> listed -> gateway back -> redrive --all-failed -> all succeed, charged once, ledger conserved', async () => {
    // Prepare: a declined payment (a business failure, compensated), then the gateway goes down.
    const walletId = await fundedWallet();
    const declined = await requestPayment(walletId, 'pm_card_chargeDeclined');
    // A business failure ends in Failed, a Succeed-type state: the execution succeeds.
    expect((await ended(declined)).status).toBe('SUCCEEDED');
    runtime.sandbox?.setDown(true);
    const stuck = [
      await requestPayment(walletId),
      await requestPayment(walletId),
      await requestPayment(walletId),
    ];
    for (const paymentId of stuck) expect((await ended(paymentId)).status).toBe('FAILED');

    // Act: inspect while the gateway is down.
    const failed = await payctl('--json', 'sagas', 'failed', '--since', '1h');
    const byError = await payctl(
      '--json',
      'sagas',
      'failed',
      '--since',
      '1h',
      '--error',
      'gatewayunavailableerror',
    );
    const shown = await payctl('--json', 'sagas', 'show', stuck[0] ?? '');
    const refusedOne = await payctl('--yes', 'sagas', 'redrive', declined);
    const dryRun = await payctl('--json', 'sagas', 'redrive', '--all-failed', '--since', '1h', '--dry-run');
    const afterDryRun = await Promise.all(stuck.map(ended));

    // Assess
    expect(failed.code).toBe(EXIT.ok);
    const listed = failed.json<Saga[]>();
    for (const paymentId of stuck) {
      expect(listed.find((s) => s.paymentId === paymentId)).toMatchObject({
        status: 'FAILED',
        failedState: 'Charge',
        error: 'GatewayUnavailableError',
        redrivable: true,
      });
    }
    // Only stopped sagas are listed: a declined payment ended, it did not stop.
    expect(listed.find((s) => s.paymentId === declined)).toBeUndefined();
    expect(
      byError
        .json<Saga[]>()
        .map((s) => s.paymentId)
        .sort(),
    ).toEqual([...stuck].sort());
    expect(shown.code).toBe(EXIT.ok);
    expect(shown.json()).toMatchObject({
      paymentId: stuck[0],
      status: 'FAILED',
      failedState: 'Charge',
      redrivable: true,
      payment: { status: 'RESERVED' },
      links: { history: expect.stringContaining(executionArnOf(stuck[0] ?? '')) },
    });
    expect(refusedOne.code).toBe(EXIT.failure);
    expect(refusedOne.stderr).toMatch(/not redriving .*business failure/);
    expect(dryRun.code).toBe(EXIT.ok);
    expect(dryRun.json<{ wouldRedrive: Saga[] }>().wouldRedrive).toHaveLength(3);
    expect(afterDryRun.map((e) => [e.status, e.redriveCount])).toEqual(stuck.map(() => ['FAILED', 0]));

    // Act: the gateway is back; redrive everything redrivable.
    runtime.sandbox?.setDown(false);
    const redrive = await payctl(
      '--json',
      '--yes',
      'sagas',
      'redrive',
      '--all-failed',
      '--since',
      '1h',
      '--poll-ms',
      '50',
    );
    const audit = await payctl('--json', 'audit', '--since', '1h');

    // Assess: all succeeded, each charged once, the declined one untouched, the ledger conserved.
    expect(redrive.code).toBe(EXIT.ok);
    expect(redrive.json()).toMatchObject({ redriven: 3, succeeded: 3, failedAgain: 0 });
    for (const paymentId of stuck) {
      expect((await ended(paymentId)).status).toBe('SUCCEEDED');
      expect(runtime.sandbox?.chargesFor(paymentId)).toHaveLength(1);
    }
    expect((await ended(declined)).redriveCount).toBe(0);
    expect(runtime.sandbox?.chargesFor(declined)).toHaveLength(0);
    const reader = new LedgerReader(clients.documents, runtime.names.tables.ledger);
    const report = checkLedgerInvariants(
      await reader.snapshotOf([walletId], [...stuck, declined], [`dep-${walletId}`]),
    );
    expect(report.violations).toEqual([]);
    expect(await reader.getWallet(walletId)).toMatchObject({ available: 0, held: 0 });
    for (const paymentId of stuck)
      expect(runtime.sandbox?.chargesFor(paymentId).map((c) => c.amount)).toEqual([AMOUNT]);
    const records = audit.json<Array<{ action: string; count: number; outcome: string; message?: string }>>();
    expect(records.filter((r) => r.action === 'sagas.redrive')).toEqual([
      expect.objectContaining({
        count: 3,
        outcome: 'succeeded',
        message: expect.stringContaining(stuck[0] ?? ''),
      }),
    ]);
  });

  it('refuses a saga redriven as often as the policy allows, and audits the redrive that failed again', async () => {
    // Prepare: a saga failed at Charge, redriven once while the gateway is still down.
    const walletId = await fundedWallet();
    runtime.sandbox?.setDown(true);
    const paymentId = await requestPayment(walletId);
    await ended(paymentId);
    const first = await payctl('--yes', 'sagas', 'redrive', paymentId, '--poll-ms', '50');
    // Act
    const second = await payctl(
      '--yes',
      'sagas',
      'redrive',
      executionArnOf(paymentId),
      '--max-redrives',
      '1',
    );
    const audit = await payctl('--json', 'audit', '--since', '1h');
    runtime.sandbox?.setDown(false);
    // Assess
    expect(first.code).toBe(EXIT.failure);
    expect(first.stdout).toMatch(/failed_again/);
    expect(second.code).toBe(EXIT.failure);
    expect(second.stderr).toMatch(/already redriven 1 times \(policy: at most 1\)/);
    expect((await ended(paymentId)).redriveCount).toBe(1);
    expect(runtime.sandbox?.chargesFor(paymentId)).toHaveLength(0);
    const records = audit.json<Array<{ action: string; target: string; count: number; outcome: string }>>();
    expect(records.filter((r) => r.target === executionArnOf(paymentId))).toEqual([
      expect.objectContaining({ action: 'sagas.redrive', count: 1, outcome: 'failed' }),
    ]);
  });

  it('says what is wrong and exits non-zero on bad arguments', async () => {
    // Act
    const malformedId = await payctl('sagas', 'show', 'not a payment id!');
    const unknownId = await payctl('sagas', 'show', `pay_${randomUUID().slice(0, 12)}`);
    const malformedArn = await payctl('sagas', 'redrive', 'arn:aws:states:eu-west-1:123:execution');
    const otherMachine = await payctl(
      'sagas',
      'redrive',
      'arn:aws:states:us-east-1:000000000000:execution:someone-else:pay_1',
    );
    const neither = await payctl('sagas', 'redrive');
    const badSince = await payctl('sagas', 'failed', '--since', 'yesterday');
    // Assess
    expect(malformedId.code).toBe(EXIT.usage);
    expect(malformedId.stderr).toMatch(/malformed paymentId/);
    expect(unknownId.code).toBe(EXIT.usage);
    expect(unknownId.stderr).toMatch(/no saga for payment pay_[\w-]+ on stage local/);
    expect(malformedArn.code).toBe(EXIT.usage);
    expect(malformedArn.stderr).toMatch(/malformed execution ARN/);
    expect(otherMachine.code).toBe(EXIT.usage);
    expect(otherMachine.stderr).toMatch(/not of paysaga-local-payment-saga/);
    expect(neither.code).toBe(EXIT.usage);
    expect(badSince.code).toBe(EXIT.usage);
    expect(badSince.stderr).toMatch(/--since "yesterday" is neither a duration/);
  });

  it('runs as `npx payctl` in its own process, configured by the AWS_* environment alone', async () => {
    // Prepare
    const walletId = await fundedWallet();
    const paymentId = await requestPayment(walletId);
    await ended(paymentId);
    const run = (...args: string[]) =>
      promisify(execFile)('npx', ['payctl', ...args], {
        env: { ...process.env, ...runtime.env },
        timeout: 30_000,
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code ?? -1,
          stdout: error.stdout ?? '',
          stderr: error.stderr ?? '',
        }),
      );
    // Act
    const shown = await run('sagas', 'show', paymentId);
    // Assess
    expect(shown.code).toBe(EXIT.ok);
    expect(shown.stdout).toMatch(new RegExp(`payment:\\s+${paymentId}`));
    expect(shown.stdout).toMatch(/status:\s+SUCCEEDED/);
    expect(shown.stdout).toMatch(
      /history:\s+aws stepfunctions get-execution-history --execution-arn \S+ --region us-east-1 --endpoint-url http:\/\/127\.0\.0\.1:\d+/,
    );
  });
});
