import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../local/edge/aws-json-service';
import { assertValidAliasName, assertValidRouting, pickVersion } from '../../local/sfn/alias-routing';
import { StateMachineRegistry } from '../../local/sfn/state-machines';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const arnOf = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
const passMachine = (result: string) => ({
  StartAt: 'Step',
  States: { Step: { Type: 'Pass', Result: result, End: true } },
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function registry(options: { dir?: string; random?: () => number } = {}) {
  return new StateMachineRegistry({
    region: REGION,
    accountId: ACCOUNT,
    stateMachines: [],
    retryIntervalScale: 0,
    now: Date.now,
    ...options,
  });
}

/** A machine with two published versions (v1 answers "one", v2 "two"). */
function twoVersions(machines: StateMachineRegistry) {
  const name = `m-${randomUUID().slice(0, 8)}`;
  const machine = machines.create(name, passMachine('one'), `arn:aws:iam::${ACCOUNT}:role/r`);
  const v1 = machines.publish(machine.arn);
  machines.update(machine.arn, { definition: passMachine('two') });
  const v2 = machines.publish(machine.arn);
  return { machine, v1, v2 };
}

function awsError(act: () => unknown): AwsServiceError {
  try {
    act();
  } catch (error) {
    if (error instanceof AwsServiceError) return error;
    throw error;
  }
  throw new Error('expected an AwsServiceError');
}

describe('local Step Functions: alias routing validation (as AWS)', () => {
  const machineArn = arnOf('orders');
  const v = (n: number) => `${machineArn}:${n}`;
  const exists = () => true;

  it.each([
    ['no version', []],
    ['three versions', [10, 20, 70].map((weight, i) => ({ stateMachineVersionArn: v(i + 1), weight }))],
    ['weights summing to 90', [{ stateMachineVersionArn: v(1), weight: 90 }]],
    [
      'weights summing to 110',
      [
        { stateMachineVersionArn: v(1), weight: 90 },
        { stateMachineVersionArn: v(2), weight: 20 },
      ],
    ],
    [
      'a negative weight',
      [
        { stateMachineVersionArn: v(1), weight: 101 },
        { stateMachineVersionArn: v(2), weight: -1 },
      ],
    ],
    [
      'a fractional weight',
      [
        { stateMachineVersionArn: v(1), weight: 89.5 },
        { stateMachineVersionArn: v(2), weight: 10.5 },
      ],
    ],
    [
      'the same version twice',
      [
        { stateMachineVersionArn: v(1), weight: 50 },
        { stateMachineVersionArn: v(1), weight: 50 },
      ],
    ],
    ['a version of another machine', [{ stateMachineVersionArn: `${arnOf('other')}:1`, weight: 100 }]],
    ['an alias ARN instead of a version', [{ stateMachineVersionArn: `${machineArn}:live`, weight: 100 }]],
  ])('refuses %s with ValidationException', (_case, routing) => {
    // Act
    const error = awsError(() => assertValidRouting(routing, machineArn, exists));
    // Assess
    expect(error.type).toBe('ValidationException');
  });

  it('accepts 90/10 over two versions, 100 on one, and 100/0', () => {
    // Act / Assess
    for (const routing of [
      [
        { stateMachineVersionArn: v(1), weight: 90 },
        { stateMachineVersionArn: v(2), weight: 10 },
      ],
      [{ stateMachineVersionArn: v(3), weight: 100 }],
      [
        { stateMachineVersionArn: v(1), weight: 100 },
        { stateMachineVersionArn: v(2), weight: 0 },
      ],
    ]) {
      expect(() => assertValidRouting(routing, machineArn, exists)).not.toThrow();
    }
  });

  it('answers ResourceNotFound for a version never published', () => {
    // Act
    const error = awsError(() =>
      assertValidRouting([{ stateMachineVersionArn: v(7), weight: 100 }], machineArn, () => false),
    );
    // Assess
    expect(error.type).toBe('ResourceNotFound');
  });

  it('refuses alias names that are numbers (they read as versions) or hold other characters', () => {
    // Act / Assess
    for (const name of ['12', 'a:b', '', 'x'.repeat(81)]) {
      expect(awsError(() => assertValidAliasName(name)).type).toBe('ValidationException');
    }
    expect(() => assertValidAliasName('live')).not.toThrow();
  });

  it('picks by weight: draws below 90 go to the first version, the rest to the second', () => {
    // Prepare
    const routing = [
      { stateMachineVersionArn: v(1), weight: 90 },
      { stateMachineVersionArn: v(2), weight: 10 },
    ];
    // Act / Assess
    expect(pickVersion(routing, () => 0)).toBe(v(1));
    expect(pickVersion(routing, () => 0.8999)).toBe(v(1));
    expect(pickVersion(routing, () => 0.9)).toBe(v(2));
    expect(pickVersion(routing, () => 0.99999)).toBe(v(2));
    expect(
      pickVersion(
        [
          { stateMachineVersionArn: v(1), weight: 100 },
          { stateMachineVersionArn: v(2), weight: 0 },
        ],
        () => 0.99999,
      ),
    ).toBe(v(1));
  });
});

describe('local Step Functions: versions and aliases in the registry', () => {
  it('publishes numbered versions that keep their definition, and answers the latest for an unchanged revision', () => {
    // Prepare
    const machines = registry();
    const { machine, v1, v2 } = twoVersions(machines);
    // Act
    const again = machines.publish(machine.arn);
    // Assess
    expect([v1.number, v2.number]).toEqual([1, 2]);
    expect(again.arn).toBe(v2.arn);
    expect(JSON.parse(machines.version(v1.arn)?.definition.text ?? '{}').States.Step.Result).toBe('one');
    expect(JSON.parse(machines.version(v2.arn)?.definition.text ?? '{}').States.Step.Result).toBe('two');
  });

  it('creates, describes and updates an alias; an alias start runs a routed version', () => {
    // Prepare
    const draws = [0.5, 0.95];
    const machines = registry({ random: () => draws.shift() ?? 0 });
    const { machine, v1, v2 } = twoVersions(machines);
    const alias = machines.createAlias('live', [{ stateMachineVersionArn: v1.arn, weight: 100 }]);
    // Act
    machines.updateAlias(alias.arn, {
      routing: [
        { stateMachineVersionArn: v1.arn, weight: 90 },
        { stateMachineVersionArn: v2.arn, weight: 10 },
      ],
    });
    const first = machines.resolveStart(alias.arn);
    const second = machines.resolveStart(alias.arn);
    const unqualified = machines.resolveStart(machine.arn);
    const pinned = machines.resolveStart(v2.arn);
    // Assess
    expect(alias.arn).toBe(`${machine.arn}:live`);
    expect(first.version?.arn).toBe(v1.arn);
    expect(second.version?.arn).toBe(v2.arn);
    expect(second.alias?.arn).toBe(alias.arn);
    expect(unqualified.version).toBeUndefined();
    expect(pinned).toMatchObject({ version: { arn: v2.arn } });
    expect(pinned.alias).toBeUndefined();
  });

  it('refuses a bad update and keeps the alias as it was', () => {
    // Prepare
    const machines = registry();
    const { v1, v2 } = twoVersions(machines);
    const alias = machines.createAlias('live', [{ stateMachineVersionArn: v1.arn, weight: 100 }]);
    // Act
    const error = awsError(() =>
      machines.updateAlias(alias.arn, {
        routing: [
          { stateMachineVersionArn: v1.arn, weight: 80 },
          { stateMachineVersionArn: v2.arn, weight: 10 },
        ],
      }),
    );
    // Assess
    expect(error.type).toBe('ValidationException');
    expect(machines.requireAlias(alias.arn).routing).toEqual([
      { stateMachineVersionArn: v1.arn, weight: 100 },
    ]);
  });

  it('keeps created machines, versions (with their definitions) and aliases across a restart on the data dir', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'sfn-aliases-'));
    dirs.push(dir);
    const before = registry({ dir });
    const { machine, v1, v2 } = twoVersions(before);
    const alias = before.createAlias('live', [
      { stateMachineVersionArn: v1.arn, weight: 90 },
      { stateMachineVersionArn: v2.arn, weight: 10 },
    ]);
    // Act
    const after = registry({ dir });
    // Assess
    expect(after.require(machine.arn).revisionId).toBe(before.require(machine.arn).revisionId);
    expect(after.versionsOf(machine.arn).map((version) => version.number)).toEqual([2, 1]);
    expect(JSON.parse(after.version(v1.arn)?.definition.text ?? '{}').States.Step.Result).toBe('one');
    expect(after.requireAlias(alias.arn).routing).toEqual(alias.routing);
    expect(after.publish(machine.arn).arn).toBe(v2.arn);
  });

  it('releases a configured machine: version 1 under the alias, a new version only when the definition changed', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'sfn-release-'));
    dirs.push(dir);
    const name = `cfg-${randomUUID().slice(0, 8)}`;
    const configured = (result: string) =>
      new StateMachineRegistry({
        region: REGION,
        accountId: ACCOUNT,
        stateMachines: [{ name, definition: passMachine(result), alias: 'live' }],
        retryIntervalScale: 0,
        now: Date.now,
        dir,
      });
    // Act
    const first = configured('one').release(arnOf(name), 'live');
    const same = configured('one').release(arnOf(name), 'live');
    const changed = configured('two').release(arnOf(name), 'live');
    // Assess
    expect(first.routing).toEqual([{ stateMachineVersionArn: `${arnOf(name)}:1`, weight: 100 }]);
    expect(same.routing).toEqual(first.routing);
    expect(changed.routing).toEqual([{ stateMachineVersionArn: `${arnOf(name)}:2`, weight: 100 }]);
  });
});
