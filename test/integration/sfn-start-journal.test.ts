import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../local/sfn/history-event';
import { StepFunctionsService } from '../../local/sfn/service';

/**
 * Since e152ce8 (event lines written together): what StartExecution and RedriveExecution answered must be on disk when they answer
 * (local/sfn/README.md Durability: "everything answered or shown survives kill -9"). The record is; the
 * ExecutionStarted / ExecutionRedriven event is only gathered, written at the end of the turn or at the
 * first task's persist: a kill -9 in between leaves a RUNNING execution whose history has no start.
 */

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const CONTEXT = { region: REGION, accountId: ACCOUNT };
const lambda = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function typesOnDisk(dir: string): string[] {
  const executions = join(dir, 'sfn', 'executions');
  const [file] = readdirSync(executions);
  return readFileSync(join(executions, file ?? ''), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { t: string; event?: HistoryEvent })
    .flatMap((line) => (line.event ? [line.event.type] : []));
}

describe('Step Functions journal at StartExecution / RedriveExecution', () => {
  it('has ExecutionStarted and ExecutionRedriven on disk when the call answers', async () => {
    // Prepare: a one-task machine whose task fails once (so the execution can be redriven).
    const dir = mkdtempSync(join(tmpdir(), 'paysaga-review-sfn-'));
    dirs.push(dir);
    const machine = `review-${randomUUID().slice(0, 8)}`;
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
