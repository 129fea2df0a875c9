import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../local/edge/aws-json-service';
import type { HistoryEvent } from '../../local/sfn/history-event';
import { RESTART_CAUSE, StepFunctionsService } from '../../local/sfn/service';
import type { StepFunctionsServiceOptions, TaskInvocation } from '../../local/sfn/types';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const CONTEXT = { region: REGION, accountId: ACCOUNT };
const MACHINE = 'sfn-durable';
const MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${MACHINE}`;
const SERVICE_MODULE = fileURLToPath(new URL('../../local/sfn/service.ts', import.meta.url));

const ASL = {
  StartAt: 'Reserve',
  TimeoutSeconds: 600,
  States: {
    Reserve: {
      Type: 'Task',
      Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:reserve`,
      ResultPath: '$.reserve',
      Next: 'Charge',
    },
    Charge: {
      Type: 'Task',
      Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:charge`,
      ResultPath: '$.charge',
      Retry: [{ ErrorEquals: ['TransientError'], IntervalSeconds: 1, MaxAttempts: 1 }],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paysaga-sfn-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function makeService(
  dir: string | undefined,
  invoke: (invocation: TaskInvocation) => unknown,
  options: Partial<StepFunctionsServiceOptions> = {},
): { service: StepFunctionsService; calls: TaskInvocation[] } {
  const calls: TaskInvocation[] = [];
  const service = new StepFunctionsService({
    ...(dir !== undefined && { dataDir: dir }),
    region: REGION,
    accountId: ACCOUNT,
    stateMachines: [{ name: MACHINE, definition: ASL }],
    retryIntervalScale: 0,
    invokeTask: async (invocation) => {
      calls.push(invocation);
      return invoke(invocation);
    },
    ...options,
  });
  return { service, calls };
}

async function call<T = Record<string, unknown>>(
  service: StepFunctionsService,
  operation: string,
  input: unknown,
): Promise<T> {
  return (await service.handle(operation, input, CONTEXT)) as T;
}

async function start(service: StepFunctionsService, name: string): Promise<string> {
  const started = await call<{ executionArn: string }>(service, 'StartExecution', {
    stateMachineArn: MACHINE_ARN,
    name,
    input: JSON.stringify({ payment: { paymentId: name } }),
  });
  return started.executionArn;
}

async function historyOf(service: StepFunctionsService, executionArn: string): Promise<HistoryEvent[]> {
  return (
    await call<{ events: HistoryEvent[] }>(service, 'GetExecutionHistory', { executionArn, maxResults: 1000 })
  ).events;
}

async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A separate Node process runs a service on `dir`: one execution finishes, two
 * stop inside Charge; it prints the finished one's history and "READY", then
 * waits to be killed.
 */
function childScript(dir: string, names: { done: string; hanging: string[] }): string {
  return `
    import { StepFunctionsService } from ${JSON.stringify(SERVICE_MODULE)};
    const service = new StepFunctionsService({
      dataDir: ${JSON.stringify(dir)},
      region: ${JSON.stringify(REGION)},
      accountId: ${JSON.stringify(ACCOUNT)},
      stateMachines: [{ name: ${JSON.stringify(MACHINE)}, definition: ${JSON.stringify(ASL)} }],
      retryIntervalScale: 0,
      invokeTask: async (invocation) => {
        if (invocation.stateName === 'Reserve') return { holdId: 'hold-' + invocation.executionName };
        if (invocation.executionName === ${JSON.stringify(names.done)}) return { chargeId: 'ch-done' };
        process.stdout.write('IN_CHARGE ' + invocation.executionName + '\\n');
        return new Promise(() => {});
      },
    });
    await service.start();
    const context = { region: ${JSON.stringify(REGION)}, accountId: ${JSON.stringify(ACCOUNT)} };
    const start = (name) => service.handle('StartExecution', {
      stateMachineArn: ${JSON.stringify(MACHINE_ARN)}, name, input: JSON.stringify({ payment: { paymentId: name } }),
    }, context);
    const done = await start(${JSON.stringify(names.done)});
    await service.whenSettled(done.executionArn);
    const history = await service.handle('GetExecutionHistory', { executionArn: done.executionArn, maxResults: 1000 }, context);
    process.stdout.write('HISTORY ' + JSON.stringify(history.events) + '\\n');
    for (const name of ${JSON.stringify(names.hanging)}) await start(name);
    setInterval(() => {}, 1000);
  `;
}

async function runChildUntilKilled(
  script: string,
  hanging: string[],
): Promise<{ output: string; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  try {
    await until(
      () => hanging.every((name) => output.includes(`IN_CHARGE ${name}\n`)) || child.exitCode !== null,
      30_000,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`child did not reach Charge: ${String(error)}\n${output}\n${errors}`);
  }
  if (child.exitCode !== null) throw new Error(`child exited early (${child.exitCode}): ${errors}`);
  child.kill('SIGKILL');
  return { output, signal: await exited };
}

describe('StepFunctionsService durability', () => {
  it('resumes executions that were RUNNING when the process was killed (kill -9), losing nothing', async () => {
    // Prepare
    const dir = dataDir();
    const names = { done: `done-${randomUUID()}`, hanging: [`hang-${randomUUID()}`, `hang-${randomUUID()}`] };
    const { output, signal } = await runChildUntilKilled(childScript(dir, names), names.hanging);
    const doneHistory = JSON.parse(/^HISTORY (.*)$/m.exec(output)?.[1] ?? '[]') as HistoryEvent[];
    const { service, calls } = makeService(dir, (invocation) => ({
      chargeId: `ch-${invocation.executionName}`,
    }));

    // Act
    const report = await service.start();
    const arnOf = (name: string): string =>
      `arn:aws:states:${REGION}:${ACCOUNT}:execution:${MACHINE}:${name}`;
    const resumed = await Promise.all(names.hanging.map((name) => service.whenSettled(arnOf(name))));
    const doneAfter = await historyOf(service, arnOf(names.done));
    const hangingHistory = await historyOf(service, arnOf(names.hanging[0] ?? ''));

    // Assess
    expect(signal).toBe('SIGKILL');
    expect(report).toMatchObject({ executions: 3, running: 2, resumed: 2, failedOnRestart: 0 });
    expect(doneHistory.length).toBeGreaterThan(5);
    expect(doneAfter).toEqual(doneHistory);
    for (const record of resumed) {
      expect(record.status).toBe('SUCCEEDED');
      expect(JSON.parse(record.output ?? '{}')).toMatchObject({
        reserve: { holdId: `hold-${record.name}` },
        charge: { chargeId: `ch-${record.name}` },
      });
    }
    // Reserve ran before the crash and is not re-run; Charge re-runs once with its recorded input.
    expect(calls.map((c) => c.stateName).sort()).toEqual(['Charge', 'Charge']);
    expect(calls[0]?.input).toMatchObject({ reserve: { holdId: expect.stringMatching(/^hold-hang-/) } });
    expect(hangingHistory.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      // the process died here; the state is entered again after the restart
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(hangingHistory.map((event) => event.id)).toEqual(hangingHistory.map((_, index) => index + 1));
    await service.stop();
  });

  it("with onRestart 'fail', marks interrupted executions FAILED (States.Runtime) and redrivable", async () => {
    // Prepare
    const dir = dataDir();
    const first = makeService(dir, (invocation) =>
      invocation.stateName === 'Charge' ? new Promise(() => undefined) : { holdId: 'h-1' },
    );
    await first.service.start();
    const arn = await start(first.service, `pay-${randomUUID()}`);
    await until(() => first.calls.some((c) => c.stateName === 'Charge'));
    await first.service.stop();
    const second = makeService(dir, () => ({ chargeId: 'ch-after-redrive' }), { onRestart: 'fail' });

    // Act
    const report = await second.service.start();
    const described = await call(second.service, 'DescribeExecution', { executionArn: arn });
    await call(second.service, 'RedriveExecution', { executionArn: arn });
    const redriven = await second.service.whenSettled(arn);
    const events = await historyOf(second.service, arn);

    // Assess
    expect(report).toMatchObject({ running: 1, resumed: 0, failedOnRestart: 1 });
    expect(described).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: RESTART_CAUSE,
      redriveStatus: 'REDRIVABLE',
    });
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(second.calls.map((c) => c.stateName)).toEqual(['Charge']);
    expect(events.map((event) => event.type).slice(6, 10)).toEqual([
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'ExecutionFailed',
    ]);
    expect(events[10]).toMatchObject({
      type: 'ExecutionRedriven',
      executionRedrivenEventDetails: { redriveCount: 1 },
    });
    await second.service.stop();
  });

  it('loads closed executions as they were and cuts a torn last line', async () => {
    // Prepare
    const dir = dataDir();
    let failCharge = true;
    const invoke = (invocation: TaskInvocation): unknown => {
      if (invocation.stateName === 'Charge' && failCharge) {
        throw Object.assign(new Error('down'), { name: 'TransientError' });
      }
      return { ok: invocation.stateName };
    };
    const first = makeService(dir, invoke);
    await first.service.start();
    const arn = await start(first.service, `pay-${randomUUID()}`);
    await first.service.whenSettled(arn);
    const before = await historyOf(first.service, arn);
    const describedBefore = await call(first.service, 'DescribeExecution', { executionArn: arn });
    await first.service.stop();
    const [file] = readdirSync(join(dir, 'sfn', 'executions'));
    const path = join(dir, 'sfn', 'executions', file ?? '');
    const intact = readFileSync(path, 'utf8');
    appendFileSync(path, '{"t":"event","event":{"id":99,"type":"Torn');
    const second = makeService(dir, invoke);

    // Act
    const report = await second.service.start();
    const after = await historyOf(second.service, arn);
    const describedAfter = await call(second.service, 'DescribeExecution', { executionArn: arn });
    const repairedFile = readFileSync(path, 'utf8');
    failCharge = false;
    await call(second.service, 'RedriveExecution', { executionArn: arn });
    await second.service.whenSettled(arn);
    await second.service.stop();
    const third = makeService(dir, invoke);
    await third.service.start();
    const final = await call(third.service, 'DescribeExecution', { executionArn: arn });
    const finalHistory = await historyOf(third.service, arn);

    // Assess
    expect(report).toMatchObject({ executions: 1, running: 0, repairedFiles: 1 });
    expect(after).toEqual(before);
    expect(describedAfter).toEqual(describedBefore);
    expect(repairedFile).toBe(intact);
    expect(final).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(finalHistory.slice(0, before.length)).toEqual(before);
    expect(finalHistory.at(-1)?.type).toBe('ExecutionSucceeded');
    await third.service.stop();
  });

  it('forgets an execution and its history for good (90-day retention), freeing the name', async () => {
    // Prepare
    const dir = dataDir();
    const first = makeService(dir, () => ({ ok: true }));
    await first.service.start();
    const name = `pay-${randomUUID()}`;
    const arn = await start(first.service, name);
    await first.service.whenSettled(arn);

    // Act
    await call(first.service, 'ForgetExecution', { executionArn: arn });
    await first.service.stop();
    const second = makeService(dir, () => ({ ok: true }));
    await second.service.start();
    const describeError = await call(second.service, 'DescribeExecution', { executionArn: arn }).catch(
      (e) => e,
    );
    const historyError = await call(second.service, 'GetExecutionHistory', { executionArn: arn }).catch(
      (e) => e,
    );
    const again = await start(second.service, name);
    const rerun = await second.service.whenSettled(again);

    // Assess
    expect(describeError).toBeInstanceOf(AwsServiceError);
    expect(describeError).toMatchObject({ type: 'ExecutionDoesNotExist' });
    expect(historyError).toMatchObject({ type: 'ExecutionDoesNotExist' });
    expect(readdirSync(join(dir, 'sfn', 'executions'))).toHaveLength(1);
    expect(rerun.status).toBe('SUCCEEDED');
    await second.service.stop();
  });

  it('stores an execution named ".." inside its data dir, like any other name', async () => {
    // Prepare
    const dir = dataDir();
    const first = makeService(dir, () => ({ ok: true }));
    await first.service.start();

    // Act
    const arn = await start(first.service, '..');
    await first.service.whenSettled(arn);
    await first.service.stop();
    const second = makeService(dir, () => ({ ok: true }));
    await second.service.start();
    const described = await call(second.service, 'DescribeExecution', { executionArn: arn });

    // Assess
    expect(described).toMatchObject({ name: '..', status: 'SUCCEEDED' });
    expect(readdirSync(join(dir, 'sfn', 'executions'))).toEqual([
      expect.stringMatching(/^[0-9a-f]{40}\.jsonl$/),
    ]);
    expect(readdirSync(join(dir, 'sfn'))).toEqual(['executions']);
    await second.service.stop();
  });

  it('keeps nothing on disk in memory mode', async () => {
    // Prepare
    const { service } = makeService(undefined, () => ({ ok: true }));
    await service.start();

    // Act
    const arn = await start(service, `pay-${randomUUID()}`);
    const record = await service.whenSettled(arn);
    const events = await historyOf(service, arn);

    // Assess
    expect(record.status).toBe('SUCCEEDED');
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    await service.stop();
  });
});
