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
 * anyone is shown it.
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
});
