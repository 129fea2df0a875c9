import { beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../core/config/env';
import { FUNCTIONS, QUEUES, resourceNames } from '../../core/config/names';
import { readTopUpDefinitionText, topUpPlaceholders } from '../../core/topups/definition';
import { TOP_UP_REQUESTED_PATTERN } from '../../events/envelope';
import { INTAKE_EVENT_SOURCE, INTAKE_RULE_RETRY } from '../../stacks/intake-route';
import { stageConfig } from '../../stacks/stage-config';
import type { CfnApp, CfnResource } from './cfn';
import { synthesizeCfnApp } from './synth-helper';

type Props = Record<string, unknown>;
const props = (resource: CfnResource): Props => resource.Properties ?? {};
const STAGE = 'prod';
const n = resourceNames(STAGE);

function findBy(cfn: CfnApp, type: string, property: string, value: string): [string, string, CfnResource] {
  const found = cfn.resourcesOfType(type).find(([s, , r]) => cfn.render(s, props(r)[property]) === value);
  if (!found) throw new Error(`no ${type} with ${property} ${value}`);
  return found;
}

describe(`TopUp stack (stage ${STAGE})`, () => {
  let cfn: CfnApp;
  beforeAll(async () => {
    cfn = await synthesizeCfnApp(STAGE);
  });

  it('is a Standard state machine built from the top-up ASL, every placeholder substituted, logged and traced', () => {
    // Act
    const [stack, , sm] = findBy(
      cfn,
      'AWS::StepFunctions::StateMachine',
      'StateMachineName',
      n.topUpStateMachine,
    );
    const p = props(sm);
    // Assess
    expect(p.StateMachineType).toBe('STANDARD');
    expect(p.DefinitionString).toBe(readTopUpDefinitionText());
    expect(Object.keys(p.DefinitionSubstitutions as Props).sort()).toEqual(topUpPlaceholders().sort());
    expect(p.TracingConfiguration).toEqual({ Enabled: true });
    expect(cfn.renderDeep(stack, p.LoggingConfiguration)).toEqual({
      Level: 'ALL',
      IncludeExecutionData: false,
      Destinations: [
        {
          CloudWatchLogsLogGroup: {
            LogGroupArn: `arn:aws:logs:${cfn.env.region}:${cfn.env.account}:log-group:/aws/vendedlogs/states/${n.topUpStateMachine}:*`,
          },
        },
      ],
    });
    const [, , logGroup] = findBy(
      cfn,
      'AWS::Logs::LogGroup',
      'LogGroupName',
      `/aws/vendedlogs/states/${n.topUpStateMachine}`,
    );
    expect(props(logGroup).RetentionInDays).toBeGreaterThan(0);
  });

  it('routes every TopUpRequested to the top-up intake queue, with the rule retry policy and its DLQ', () => {
    // Act
    const [stack, , rule] = findBy(cfn, 'AWS::Events::Rule', 'Name', n.topUpRule);
    const p = cfn.renderDeep(stack, props(rule)) as Props;
    const [target] = p.Targets as Props[];
    // Assess
    expect(p.EventPattern).toEqual({ 'detail-type': TOP_UP_REQUESTED_PATTERN['detail-type'] });
    expect(target?.Arn).toBe(`arn:aws:sqs:${cfn.env.region}:${cfn.env.account}:${n.queues.topUpIntake}`);
    expect(target?.DeadLetterConfig).toEqual({
      Arn: `arn:aws:sqs:${cfn.env.region}:${cfn.env.account}:${n.queues.topUpIntakeDlq}`,
    });
    expect(target?.RetryPolicy).toEqual({
      MaximumRetryAttempts: INTAKE_RULE_RETRY.maximumRetryAttempts,
      MaximumEventAgeInSeconds: INTAKE_RULE_RETRY.maximumEventAgeInSeconds,
    });
    const [, , queue] = findBy(cfn, 'AWS::SQS::Queue', 'QueueName', n.queues.topUpIntake);
    expect(props(queue).VisibilityTimeout).toBeGreaterThanOrEqual(6 * FUNCTIONS.topUpIntake.timeoutSeconds);
    expect(props(queue).VisibilityTimeout).toBe(QUEUES.topUpIntake.visibilityTimeoutSeconds);
  });

  it('feeds the top-up intake Lambda in batches, with bounded concurrency and partial batch responses', () => {
    // Act
    const [stack, , mapping] =
      cfn
        .resourcesOfType('AWS::Lambda::EventSourceMapping')
        .find(([s, , m]) => cfn.render(s, props(m).FunctionName) === n.functions.topUpIntake) ?? [];
    if (!stack || !mapping) throw new Error('no top-up intake event source');
    const p = cfn.renderDeep(stack, props(mapping)) as Props;
    // Assess
    expect(p.BatchSize).toBe(INTAKE_EVENT_SOURCE.batchSize);
    expect(p.ScalingConfig).toEqual({ MaximumConcurrency: stageConfig(STAGE).intakeMaxConcurrency });
    expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('tells the top-up intake which state machine to start and where to park rejections', () => {
    // Act
    const [stack, , fn] = findBy(cfn, 'AWS::Lambda::Function', 'FunctionName', n.functions.topUpIntake);
    const variables = (cfn.renderDeep(stack, props(fn).Environment) as { Variables: Props }).Variables;
    // Assess
    expect(variables[ENV_KEYS.topUpStateMachineArn]).toBe(
      `arn:aws:states:${cfn.env.region}:${cfn.env.account}:stateMachine:${n.topUpStateMachine}`,
    );
    expect(String(variables[ENV_KEYS.topUpIntakeDlqUrl])).toContain(n.queues.topUpIntakeDlq);
  });
});
