import { randomUUID } from 'node:crypto';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineAliasCommand,
  ListExecutionsCommand,
  ListStateMachineVersionsCommand,
  PublishStateMachineVersionCommand,
  RedriveExecutionCommand,
  StartExecutionCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionArnFor } from '../../core/config/executions';
import { aliasArnFor, SAGA_ALIAS } from '../../core/config/release';
import { Ledger } from '../../core/ledger';
import { fundedWallet, paymentRequest, putPaymentRequested } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

/**
 * Canary releases through the local runtime's Step Functions (real SFNClient):
 * versions keep their definition, an alias routes by weight, executions report
 * their version and alias, a redrive replays the version the execution started
 * on, and intake starts the payment saga on the `live` alias.
 */

let runtime: TestRuntime;
let clients: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  runtime = await startTestRuntime({});
  clients = sdkClients(runtime);
}, 120_000);
afterAll(async () => {
  await runtime?.dispose();
});

/**
 * A cheap machine: `{"fail": true}` reaches Step, which v1 makes a Fail state
 * (BadVersion) and v2 a Pass; anything else ends in Done, answering its version.
 */
const definition = (version: 'v1' | 'v2') =>
  JSON.stringify({
    StartAt: 'Route',
    States: {
      Route: {
        Type: 'Choice',
        Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'Step' }],
        Default: 'Done',
      },
      Step:
        version === 'v1'
          ? { Type: 'Fail', Error: 'BadVersion', Cause: 'v1 cannot do this' }
          : { Type: 'Pass', Result: { version }, End: true },
      Done: { Type: 'Pass', Result: { version }, End: true },
    },
  });

/** A machine with v1 and v2 published through the SDK, and an alias on v1 only. */
async function releasedMachine() {
  const { sfn } = clients;
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: `release-${randomUUID().slice(0, 8)}`,
      definition: definition('v1'),
      roleArn: 'arn:aws:iam::000000000000:role/release-test',
      publish: true,
    }),
  );
  const machineArn = created.stateMachineArn ?? '';
  await sfn.send(
    new UpdateStateMachineCommand({ stateMachineArn: machineArn, definition: definition('v2') }),
  );
  const v2 = await sfn.send(
    new PublishStateMachineVersionCommand({ stateMachineArn: machineArn, description: 'v2' }),
  );
  const alias = await sfn.send(
    new CreateStateMachineAliasCommand({
      name: SAGA_ALIAS,
      routingConfiguration: [{ stateMachineVersionArn: created.stateMachineVersionArn, weight: 100 }],
    }),
  );
  return {
    machineArn,
    v1: created.stateMachineVersionArn ?? '',
    v2: v2.stateMachineVersionArn ?? '',
    aliasArn: alias.stateMachineAliasArn ?? '',
  };
}

async function settled(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return waitFor(
    `${executionArn} to end`,
    async () => {
      const execution = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return execution.status === 'RUNNING' ? undefined : execution;
    },
    60_000,
  );
}

async function listAll(stateMachineArn: string): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }),
    );
    count += page.executions?.length ?? 0;
    nextToken = page.nextToken;
  } while (nextToken);
  return count;
}

describe('saga releases: versions and aliases on the local runtime', () => {
  it('routes about 10 % of 400 executions to the canary version of a 90/10 alias', async () => {
    // Prepare
    const { machineArn, v1, v2, aliasArn } = await releasedMachine();
    await clients.sfn.send(
      new UpdateStateMachineAliasCommand({
        stateMachineAliasArn: aliasArn,
        routingConfiguration: [
          { stateMachineVersionArn: v1, weight: 90 },
          { stateMachineVersionArn: v2, weight: 10 },
        ],
      }),
    );
    const total = 400;
    // Act
    const started: string[] = [];
    for (let batch = 0; batch < total; batch += 50) {
      const arns = await Promise.all(
        Array.from({ length: Math.min(50, total - batch) }, async (_, i) => {
          const result = await clients.sfn.send(
            new StartExecutionCommand({
              stateMachineArn: aliasArn,
              name: `e-${batch + i}`,
              input: '{"fail":false}',
            }),
          );
          return result.executionArn ?? '';
        }),
      );
      started.push(...arns);
    }
    const outputs = await Promise.all(started.map((arn) => settled(arn)));
    const onCanary = outputs.filter((execution) => execution.stateMachineVersionArn === v2).length;
    // Assess: Binomial(400, 0.1) has mean 40 and sd 6; 40 +- 4 sd fails a correct router ~1 run in 15,000.
    expect(onCanary).toBeGreaterThanOrEqual(16);
    expect(onCanary).toBeLessThanOrEqual(64);
    for (const execution of outputs) {
      expect(execution.status).toBe('SUCCEEDED');
      // The version ran its own definition; the ARN is the machine's, never the alias's.
      expect(JSON.parse(execution.output ?? '{}').version).toBe(
        execution.stateMachineVersionArn === v2 ? 'v2' : 'v1',
      );
      expect(execution.stateMachineAliasArn).toBe(aliasArn);
      expect(execution.executionArn).toBe(executionArnFor(machineArn, execution.name ?? ''));
    }
    // payctl lists with the unqualified ARN: every execution, whatever version it ran.
    expect(await listAll(machineArn)).toBe(total);
    expect((await listAll(v1)) + (await listAll(v2))).toBe(total);
    expect(await listAll(v2)).toBe(onCanary);
  }, 240_000);

  it('refuses weights that do not sum to 100 and keeps the alias as it was', async () => {
    // Prepare
    const { v1, v2, aliasArn } = await releasedMachine();
    // Act
    const refused = await clients.sfn
      .send(
        new UpdateStateMachineAliasCommand({
          stateMachineAliasArn: aliasArn,
          routingConfiguration: [
            { stateMachineVersionArn: v1, weight: 90 },
            { stateMachineVersionArn: v2, weight: 20 },
          ],
        }),
      )
      .catch((error: unknown) => error);
    const alias = await clients.sfn.send(
      new DescribeStateMachineAliasCommand({ stateMachineAliasArn: aliasArn }),
    );
    // Assess
    expect(refused).toBeInstanceOf(ValidationException);
    expect(alias.routingConfiguration).toEqual([{ stateMachineVersionArn: v1, weight: 100 }]);
  });

  it('redrives a failed execution on the version it started on, even after the alias moved on', async () => {
    // Prepare: the execution fails on v1; the fix (v2) then takes all of the alias.
    const { v1, v2, aliasArn } = await releasedMachine();
    const { executionArn = '' } = await clients.sfn.send(
      new StartExecutionCommand({ stateMachineArn: aliasArn, name: 'bad-version', input: '{"fail":true}' }),
    );
    const failed = await settled(executionArn);
    await clients.sfn.send(
      new UpdateStateMachineAliasCommand({
        stateMachineAliasArn: aliasArn,
        routingConfiguration: [{ stateMachineVersionArn: v2, weight: 100 }],
      }),
    );
    // Act
    await clients.sfn.send(new RedriveExecutionCommand({ executionArn }));
    const redriven = await waitFor(
      'the redrive to end',
      async () => {
        const execution = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
        return execution.redriveCount === 1 && execution.status !== 'RUNNING' ? execution : undefined;
      },
      60_000,
    );
    const fresh = await settled(
      (
        await clients.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: aliasArn,
            name: 'on-the-fix',
            input: '{"fail":true}',
          }),
        )
      ).executionArn ?? '',
    );
    // Assess
    expect(failed).toMatchObject({ status: 'FAILED', error: 'BadVersion', stateMachineVersionArn: v1 });
    expect(redriven).toMatchObject({ status: 'FAILED', error: 'BadVersion', stateMachineVersionArn: v1 });
    expect(redriven.stateMachineAliasArn).toBe(aliasArn);
    expect(fresh).toMatchObject({ status: 'SUCCEEDED', stateMachineVersionArn: v2 });
  }, 120_000);

  it('starts the payment saga on the `live` alias over version 1, published by the runtime at start', async () => {
    // Prepare
    const machineArn = runtime.env.STATE_MACHINE_ARN ?? '';
    const ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
    const detail = paymentRequest(await fundedWallet(ledger, 10_000));
    // Act
    await putPaymentRequested(clients.events, runtime.names.eventBus, detail);
    const execution = await waitFor(
      'the saga execution',
      () =>
        clients.sfn
          .send(new DescribeExecutionCommand({ executionArn: executionArnFor(machineArn, detail.paymentId) }))
          .catch(() => undefined),
      30_000,
    );
    const versions = await clients.sfn.send(
      new ListStateMachineVersionsCommand({ stateMachineArn: machineArn }),
    );
    const alias = await clients.sfn.send(
      new DescribeStateMachineAliasCommand({ stateMachineAliasArn: aliasArnFor(machineArn) }),
    );
    // Assess
    expect(execution.stateMachineAliasArn).toBe(`${machineArn}:${SAGA_ALIAS}`);
    expect(execution.stateMachineVersionArn).toBe(`${machineArn}:1`);
    expect(versions.stateMachineVersions?.map((version) => version.stateMachineVersionArn)).toEqual([
      `${machineArn}:1`,
    ]);
    expect(alias.routingConfiguration).toEqual([{ stateMachineVersionArn: `${machineArn}:1`, weight: 100 }]);
  }, 120_000);
});
