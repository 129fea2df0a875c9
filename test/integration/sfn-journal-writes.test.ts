import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../local/sfn/history-event';
import { StepFunctionsService } from '../../local/sfn/service';

/**
 * The execution journal writes its event lines together (issue 18 goal 3: one write per event was a
 * syscall on the runtime's only thread, ~35 per saga) but keeps what one write per event gave: every
 * event before a task runs is on disk before the task's side effects, and a history is on disk before
 * anyone is shown it, and StartExecution / RedriveExecution answer only once their event is on disk
 * (local/sfn/README.md Durability: "everything answered or shown survives kill -9").
 */

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const CONTEXT = { region: REGION, accountId: ACCOUNT };
const lambda = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const ASL = {
  StartAt: 'Reserve',
  States: {
    Reserve: { Type: 'Task', Resource: lambda('reserve'), ResultPath: '$.reserve', Next: 'Check' },
    Check: { Type: 'Pass', Next: 'Charge' },
    Charge: { Type: 'Task', Resource: lambda('charge'), ResultPath: '$.charge', End: true },
  },
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The event types in the execution's journal file as it is on disk now. */
function typesOnDisk(dir: string): string[] {
  const executions = join(dir, 'sfn', 'executions');
  const [file] = readdirSync(executions);
  return readFileSync(join(executions, file ?? ''), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { t: string; event?: HistoryEvent })
    .flatMap((line) => (line.event ? [line.event.type] : []));
}

describe('Step Functions execution journal', () => {
  it('has every event before a task on disk when the task runs, and a shown history on disk', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'paysaga-sfn-journal-'));
    dirs.push(dir);
    const seenByTask: Record<string, string[]> = {};
    const name = `pay-${randomUUID()}`;
    const machine = `journal-${randomUUID().slice(0, 8)}`;
    const service = new StepFunctionsService({
      dataDir: dir,
      region: REGION,
      accountId: ACCOUNT,
      stateMachines: [{ name: machine, definition: ASL }],
      retryIntervalScale: 0,
      invokeTask: async (invocation) => {
        seenByTask[invocation.stateName] = typesOnDisk(dir);
        return { ok: invocation.stateName };
      },
    });
    await service.start();

    // Act
    const { executionArn } = (await service.handle(
      'StartExecution',
      { stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${machine}`, name, input: '{}' },
      CONTEXT,
    )) as { executionArn: string };
    await service.whenSettled(executionArn);
    const shown = (await service.handle(
      'GetExecutionHistory',
      { executionArn, maxResults: 1000 },
      CONTEXT,
    )) as {
      events: HistoryEvent[];
    };
    const onDiskWhenShown = typesOnDisk(dir);
    await service.stop();

    // Assess
    expect(seenByTask.Reserve).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
    ]);
    expect(seenByTask.Charge).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
    ]);
    expect(onDiskWhenShown).toEqual(shown.events.map((event) => event.type));
    expect(onDiskWhenShown.at(-1)).toBe('ExecutionSucceeded');
  });

  it('has ExecutionStarted and ExecutionRedriven on disk when the call answers', async () => {
    // Since e152ce8 the event lines are gathered; the start and redrive events must not wait for a task.
    // Prepare: a one-task machine whose task fails once (so the execution can be redriven).
    const dir = mkdtempSync(join(tmpdir(), 'paysaga-sfn-start-'));
    dirs.push(dir);
    const machine = `start-${randomUUID().slice(0, 8)}`;
    let fail = true;
    const service = new StepFunctionsService({
      dataDir: dir,
      region: REGION,
      accountId: ACCOUNT,
      stateMachines: [
        {
          name: machine,
          definition: {
            StartAt: 'Charge',
            States: { Charge: { Type: 'Task', Resource: lambda('c'), End: true } },
          },
        },
      ],
      retryIntervalScale: 0,
      invokeTask: async () => {
        if (fail) throw Object.assign(new Error('boom'), { name: 'Boom' });
        return { ok: true };
      },
    });
    await service.start();

    // Act: read the journal as soon as each call has answered (what a kill -9 right then would leave).
    const { executionArn } = (await service.handle(
      'StartExecution',
      {
        stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${machine}`,
        name: `pay-${randomUUID()}`,
        input: '{}',
      },
      CONTEXT,
    )) as { executionArn: string };
    const afterStart = typesOnDisk(dir);
    await service.whenSettled(executionArn);
    fail = false;
    await service.handle('RedriveExecution', { executionArn }, CONTEXT);
    const afterRedrive = typesOnDisk(dir);
    await service.whenSettled(executionArn);
    await service.stop();

    // Assess
    expect.soft(afterStart).toContain('ExecutionStarted');
    expect.soft(afterRedrive).toContain('ExecutionRedriven');
  });
});
