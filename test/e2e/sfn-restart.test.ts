import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../core/config/env';
import { type FunctionKey, resourceNames } from '../../core/config/names';
import type { LambdaHandler } from '../../local/functions/registry';
import { sdkClients, startTestRuntime, type TestRuntime, tempDataDir, waitFor } from '../helpers/runtime';

/**
 * Step Functions through the whole local runtime (edge endpoint, real SFNClient),
 * across runtime restarts on one data dir. The saga's functions are fakes here:
 * what is under test is the execution engine and its persistence, not the steps.
 */

type ChargeMode = 'ok' | 'hang' | 'fail';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function fakeSteps(
  eventBus: string,
  chargeMode: (paymentId: string) => ChargeMode,
  reserveCalls: string[],
): Partial<Record<FunctionKey, LambdaHandler>> {
  const paymentIdOf = (event: unknown): string =>
    (event as { payment: { paymentId: string } }).payment.paymentId;
  return {
    reserve: async (event) => {
      reserveCalls.push(paymentIdOf(event));
      return { holdId: `hold-${paymentIdOf(event)}` };
    },
    charge: async (event) => {
      const mode = chargeMode(paymentIdOf(event));
      if (mode === 'hang') return new Promise(() => undefined);
      if (mode === 'fail') throw Object.assign(new Error('gateway 503'), { name: 'GatewayUnavailableError' });
      return { chargeId: `ch-${paymentIdOf(event)}` };
    },
    settle: async () => ({ settled: true }),
    notify: async () => ({ queued: true }),
    recordOutcome: async (event) => ({
      entries: [
        {
          Source: 'paysaga.sfn-e2e',
          DetailType: 'PaymentSucceeded',
          Detail: JSON.stringify({ paymentId: paymentIdOf((event as { saga: unknown }).saga) }),
          EventBusName: eventBus,
        },
      ],
    }),
  };
}

async function startOn(
  dataDir: string,
  chargeMode: (paymentId: string) => ChargeMode,
  reserveCalls: string[],
): Promise<{ runtime: TestRuntime; sfn: SFNClient }> {
  const eventBus = resourceNames('local').eventBus;
  const runtime = await startTestRuntime({
    dataDir,
    keepDataDir: true,
    sandbox: false,
    intake: false,
    retryIntervalScale: 0,
    functionOverrides: fakeSteps(eventBus, chargeMode, reserveCalls),
  });
  expect(runtime.names.eventBus).toBe(eventBus);
  return { runtime, sfn: sdkClients(runtime).sfn };
}

async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return page.events ?? [];
}

async function settled(sfn: SFNClient, executionArn: string): Promise<string> {
  return waitFor(`execution ${executionArn} to close`, async () => {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return described.status === 'RUNNING' ? undefined : described.status;
  });
}

describe('Step Functions across runtime restarts (e2e)', () => {
  it('resumes an execution interrupted inside Charge and keeps finished and failed ones redrivable', async () => {
    // Prepare: runtime 1 leaves one payment hanging inside Charge and one failed at Charge.
    const dataDir = tempDataDir('paysaga-sfn-e2e');
    dirs.push(dataDir);
    const hangingId = `pay_${randomUUID()}`;
    const failingId = `pay_${randomUUID()}`;
    const reserveCalls: string[] = [];
    const first = await startOn(
      dataDir,
      (id) => (id === hangingId ? 'hang' : id === failingId ? 'fail' : 'ok'),
      reserveCalls,
    );
    const stateMachineArn = first.runtime.env[ENV_KEYS.stateMachineArn] ?? '';
    const start = async (sfn: SFNClient, paymentId: string) =>
      (
        await sfn.send(
          new StartExecutionCommand({
            stateMachineArn,
            name: paymentId,
            input: JSON.stringify({ payment: { paymentId, merchantId: 'mer_1' } }),
          }),
        )
      ).executionArn ?? '';
    const hangingArn = await start(first.sfn, hangingId);
    const failingArn = await start(first.sfn, failingId);
    expect(await settled(first.sfn, failingArn)).toBe('FAILED');
    await waitFor('Charge to be running', async () => {
      const events = await history(first.sfn, hangingArn);
      return events.at(-1)?.type === 'LambdaFunctionStarted' && events.length > 6 ? true : undefined;
    });
    const failedHistory = await history(first.sfn, failingArn);
    await first.runtime.stop();

    // Act: runtime 2 on the same data dir, gateway back.
    const second = await startOn(dataDir, () => 'ok', reserveCalls);
    const resumedStatus = await settled(second.sfn, hangingArn);
    const failedAfterRestart = await second.sfn.send(
      new DescribeExecutionCommand({ executionArn: failingArn }),
    );
    const failedHistoryAfter = await history(second.sfn, failingArn);
    await second.sfn.send(new RedriveExecutionCommand({ executionArn: failingArn }));
    const redrivenStatus = await settled(second.sfn, failingArn);
    const resumedHistory = await history(second.sfn, hangingArn);
    const listed = await second.sfn.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED' }),
    );
    await second.runtime.dispose();

    // Assess
    expect(resumedStatus).toBe('SUCCEEDED');
    expect(failedAfterRestart).toMatchObject({ status: 'FAILED', error: 'GatewayUnavailableError' });
    expect(failedAfterRestart.redriveStatus).toBe('REDRIVABLE');
    expect(failedHistoryAfter).toEqual(failedHistory);
    expect(redrivenStatus).toBe('SUCCEEDED');
    expect(reserveCalls.sort()).toEqual([hangingId, failingId].sort());
    expect(resumedHistory.map((event) => event.id)).toEqual(resumedHistory.map((_, index) => index + 1));
    expect(resumedHistory[0]?.timestamp).toBeInstanceOf(Date);
    const chargeEntries = resumedHistory.filter(
      (event) => event.type === 'TaskStateEntered' && event.stateEnteredEventDetails?.name === 'Charge',
    );
    expect(chargeEntries).toHaveLength(2);
    expect(resumedHistory.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(listed.executions?.map((execution) => execution.name)).toEqual(
      expect.arrayContaining([hangingId, failingId]),
    );
  });
});
