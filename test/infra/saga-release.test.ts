import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DefinitionBody, Pass, Result, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourceNames } from '../../core/config/names';
import { ROLLBACK_ALARM_IDS, SAGA_ALIAS, sagaRelease } from '../../core/config/release';
import { SagaRelease } from '../../stacks/constructs/saga-release';
import type { CfnApp, CfnResource } from './cfn';
import { synthesizeCfnApp, TEST_ACCOUNT, TEST_REGION, withScratchApp } from './synth-helper';

type Props = Record<string, unknown>;
const props = (resource: CfnResource): Props => resource.Properties ?? {};

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}
const arrayOf = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/** The state machine of `name`, its version(s) and alias, by what they reference. */
function releaseOf(cfn: CfnApp, name: string) {
  const machine = cfn
    .resourcesOfType('AWS::StepFunctions::StateMachine')
    .find(([stack, , resource]) => cfn.render(stack, props(resource).StateMachineName) === name);
  if (!machine) throw new Error(`no state machine ${name}`);
  const [stack, machineId] = machine;
  const references = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);
  const versions = cfn
    .resourcesOfType('AWS::StepFunctions::StateMachineVersion')
    .filter(([s, , r]) => s === stack && references(props(r).StateMachineArn, machineId));
  const aliases = cfn
    .resourcesOfType('AWS::StepFunctions::StateMachineAlias')
    .filter(([s, , r]) => s === stack && versions.some(([, id]) => references(props(r), id)));
  return { stack, machineId, versions, aliases };
}

const SAGAS = [
  ['payment saga', 'paymentSaga', (stage: string) => resourceNames(stage).stateMachine],
  ['top-up saga', 'topUpSaga', (stage: string) => resourceNames(stage).topUpStateMachine],
  ['refund saga', 'refundSaga', (stage: string) => resourceNames(stage).refundStateMachine],
] as const;

describe.each(['dev', 'prod'])('saga releases (stage %s)', (stage) => {
  let cfn: CfnApp;
  beforeAll(async () => {
    cfn = await synthesizeCfnApp(stage);
  }, 240_000);

  it.each(SAGAS)('the %s publishes one retained version of its current revision', (_label, _key, nameOf) => {
    // Act
    const { machineId, versions } = releaseOf(cfn, nameOf(stage));
    // Assess
    expect(versions).toHaveLength(1);
    const [[, versionId, version]] = versions as [[string, string, CfnResource]];
    expect(version.DeletionPolicy).toBe('Retain');
    expect(version.UpdateReplacePolicy).toBe('Retain');
    expect(props(version).StateMachineRevisionId).toEqual({
      'Fn::GetAtt': [machineId, 'StateMachineRevisionId'],
    });
    // The logical id carries the definition's hash: a changed definition is a new version resource.
    expect(versionId).toMatch(/Version[0-9a-f]{12}/);
  });

  it.each(SAGAS)(
    'the %s has the `live` alias with the stage deployment preference and rollback alarms',
    (_label, key, nameOf) => {
      // Prepare
      const release = sagaRelease(stage);
      const { versions, aliases } = releaseOf(cfn, nameOf(stage));
      const [[, versionId]] = versions as [[string, string, CfnResource]];
      // Act
      expect(aliases).toHaveLength(1);
      const [[, , alias]] = aliases as [[string, string, CfnResource]];
      const preference = props(alias).DeploymentPreference as Props;
      // Assess
      expect(props(alias).Name).toBe(SAGA_ALIAS);
      expect(props(alias).RoutingConfiguration).toBeUndefined();
      expect(JSON.stringify(preference.StateMachineVersionArn)).toContain(versionId);
      expect(preference.Type).toBe(release.type);
      if (release.type === 'ALL_AT_ONCE') {
        expect(stage).toBe('dev');
        expect(preference.Percentage).toBeUndefined();
        expect(preference.Interval).toBeUndefined();
      } else {
        expect(stage).toBe('prod');
        expect(release.type).toBe('CANARY');
        expect(preference.Percentage).toBe(release.percentage);
        expect(preference.Interval).toBe(release.intervalMinutes);
        expect(preference.Alarms).toEqual(ROLLBACK_ALARM_IDS[key].map((id) => `paysaga-${stage}-${id}`));
      }
    },
  );

  it('every rollback alarm is an alarm the Ops stack creates (CloudWatch treats a missing one as OK)', () => {
    // Prepare
    const alarmNames = new Set(
      cfn
        .resourcesOfType('AWS::CloudWatch::Alarm')
        .map(([s, , alarm]) => cfn.render(s, props(alarm).AlarmName)),
    );
    // Act
    const missing = Object.values(ROLLBACK_ALARM_IDS)
      .flat()
      .map((id) => `paysaga-${stage}-${id}`)
      .filter((name) => !alarmNames.has(name));
    // Assess
    expect(missing).toEqual([]);
  });

  it('intakes may start executions on the alias only; nothing else may start a saga', () => {
    // Prepare
    const starts: { principal: string; statement: Statement }[] = [];
    for (const [s, , policy] of cfn.resourcesOfType('AWS::IAM::Policy')) {
      const document = cfn.renderDeep(s, props(policy).PolicyDocument) as { Statement: Statement[] };
      for (const statement of document.Statement) {
        if (
          arrayOf(statement.Action).some(
            (action) => action === 'states:StartExecution' || action === 'states:*',
          )
        ) {
          starts.push({ principal: JSON.stringify(props(policy).Roles), statement });
        }
      }
    }
    const arnOf = (name: string) => `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:stateMachine:${name}`;
    // Act
    const resources = starts.flatMap(({ statement }) => arrayOf(statement.Resource)).sort();
    // Assess
    expect(starts).toHaveLength(3);
    expect(resources).toEqual(
      [
        arnOf(resourceNames(stage).stateMachine),
        arnOf(resourceNames(stage).topUpStateMachine),
        arnOf(resourceNames(stage).refundStateMachine),
      ].sort(),
    );
    for (const { statement } of starts) {
      expect(arrayOf(statement.Action)).toEqual(['states:StartExecution']);
      expect(statement.Condition).toEqual({ StringEquals: { 'states:StateMachineQualifier': SAGA_ALIAS } });
    }
  });
});

describe('SagaRelease construct', () => {
  const versionIdOf = (result: string): string => withScratchApp((app) => versionIdIn(app, result));
  const versionIdIn = (app: ConstructorParameters<typeof Stack>[0], result: string): string => {
    const stack = new Stack(app, 'ReleaseTest');
    const stateMachine = new StateMachine(stack, 'Machine', {
      definitionBody: DefinitionBody.fromChainable(
        new Pass(stack, 'Step', { result: Result.fromObject({ value: result }) }),
      ),
    });
    new SagaRelease(stack, 'Release', {
      stateMachine,
      stage: 'prod',
      release: sagaRelease('prod'),
      rollbackAlarmIds: ROLLBACK_ALARM_IDS.paymentSaga,
    });
    const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string }> };
    const ids = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachineVersion')
      .map(([id]) => id);
    if (ids.length !== 1 || !ids[0]) throw new Error(`expected one version, found ${ids.length}`);
    return ids[0];
  };

  it('names the version after the definition: same definition, same resource; a changed one, a new version', () => {
    // Act
    const first = versionIdOf('one');
    const again = versionIdOf('one');
    const changed = versionIdOf('two');
    // Assess
    expect(again).toBe(first);
    expect(changed).not.toBe(first);
  });
});
