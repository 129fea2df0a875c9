import { beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../core/config/env';
import { FUNCTIONS, QUEUES, resourceNames } from '../../core/config/names';
import { ROLLBACK_ALARM_IDS } from '../../core/config/release';
import { REFUND_ASL_PLACEHOLDERS, readRefundDefinitionText } from '../../core/refunds/definition';
import { REFUND_REQUESTED_PATTERN } from '../../events/envelope';
import { INTAKE_EVENT_SOURCE, INTAKE_RULE_RETRY } from '../../stacks/intake-route';
import { ALARM_PERIOD } from '../../stacks/Ops';
import { REFUND_STEP_KEYS } from '../../stacks/Refund';
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

describe(`Refund stack (stage ${STAGE})`, () => {
  let cfn: CfnApp;
  const sqsArn = (name: string) => `arn:aws:sqs:${cfn.env.region}:${cfn.env.account}:${name}`;
  const refundMachineArn = () =>
    `arn:aws:states:${cfn.env.region}:${cfn.env.account}:stateMachine:${n.refundStateMachine}`;
  const variablesOf = (fnName: string): Props => {
    const [stack, , fn] = findBy(cfn, 'AWS::Lambda::Function', 'FunctionName', fnName);
    return (cfn.renderDeep(stack, props(fn).Environment) as { Variables: Props }).Variables;
  };
  const alarmNamed = (id: string): Props => {
    const [stack, , alarm] = findBy(cfn, 'AWS::CloudWatch::Alarm', 'AlarmName', `paysaga-${STAGE}-${id}`);
    return cfn.renderDeep(stack, props(alarm)) as Props;
  };

  beforeAll(async () => {
    cfn = await synthesizeCfnApp(STAGE);
  }, 240_000);

  it('is a Standard state machine built from the refund ASL, every placeholder substituted, logged and traced', () => {
    // Act
    const [stack, , sm] = findBy(
      cfn,
      'AWS::StepFunctions::StateMachine',
      'StateMachineName',
      n.refundStateMachine,
    );
    const p = props(sm);
    const substitutions = cfn.renderDeep(stack, p.DefinitionSubstitutions) as Props;
    // Assess
    expect(p.StateMachineType).toBe('STANDARD');
    expect(p.DefinitionString).toBe(readRefundDefinitionText());
    expect(Object.keys(substitutions).sort()).toEqual(Object.values(REFUND_ASL_PLACEHOLDERS).sort());
    for (const key of REFUND_STEP_KEYS) {
      expect(substitutions[FUNCTIONS[key].refundAslPlaceholder ?? '']).toBe(
        `arn:aws:lambda:${cfn.env.region}:${cfn.env.account}:function:${n.functions[key]}`,
      );
    }
    expect(String(substitutions[REFUND_ASL_PLACEHOLDERS.compensationDlqUrl])).toContain(
      `/${n.queues.compensationDlq}`,
    );
    expect(p.TracingConfiguration).toEqual({ Enabled: true });
    expect(cfn.renderDeep(stack, p.LoggingConfiguration)).toEqual({
      Level: 'ALL',
      IncludeExecutionData: false,
      Destinations: [
        {
          CloudWatchLogsLogGroup: {
            LogGroupArn: `arn:aws:logs:${cfn.env.region}:${cfn.env.account}:log-group:/aws/vendedlogs/states/${n.refundStateMachine}:*`,
          },
        },
      ],
    });
    const [, , logGroup] = findBy(
      cfn,
      'AWS::Logs::LogGroup',
      'LogGroupName',
      `/aws/vendedlogs/states/${n.refundStateMachine}`,
    );
    expect(props(logGroup).RetentionInDays).toBeGreaterThan(0);
  });

  it('publishes a version under the `live` alias, rolled back by the refund saga alarms and the compensation DLQ', () => {
    // Act
    const [stack, machineId] = findBy(
      cfn,
      'AWS::StepFunctions::StateMachine',
      'StateMachineName',
      n.refundStateMachine,
    );
    const versions = cfn
      .resourcesOfType('AWS::StepFunctions::StateMachineVersion')
      .filter(
        ([s, , v]) => s === stack && JSON.stringify(props(v).StateMachineArn).includes(`"${machineId}"`),
      );
    const aliases = cfn
      .resourcesOfType('AWS::StepFunctions::StateMachineAlias')
      .filter(([s, , a]) => s === stack && versions.some(([, id]) => JSON.stringify(props(a)).includes(id)));
    const preference = aliases[0]?.[2].Properties?.DeploymentPreference as Props;
    // Assess
    expect(versions).toHaveLength(1);
    expect(versions[0]?.[2].DeletionPolicy).toBe('Retain');
    expect(aliases).toHaveLength(1);
    expect(preference.Alarms).toEqual(ROLLBACK_ALARM_IDS.refundSaga.map((id) => `paysaga-${STAGE}-${id}`));
  });

  it('keeps the refund intake queue as names.ts says, redriving to its own DLQ', () => {
    // Act
    const [stack, , queue] = findBy(cfn, 'AWS::SQS::Queue', 'QueueName', n.queues.refundIntake);
    const [, , dlq] = findBy(cfn, 'AWS::SQS::Queue', 'QueueName', n.queues.refundIntakeDlq);
    const p = cfn.renderDeep(stack, props(queue)) as Props;
    // Assess
    expect(p.VisibilityTimeout).toBe(QUEUES.refundIntake.visibilityTimeoutSeconds);
    expect(p.VisibilityTimeout).toBeGreaterThanOrEqual(6 * FUNCTIONS.refundIntake.timeoutSeconds);
    expect(p.MessageRetentionPeriod).toBe(QUEUES.refundIntake.retentionDays * 86_400);
    expect(p.RedrivePolicy).toEqual({
      deadLetterTargetArn: sqsArn(n.queues.refundIntakeDlq),
      maxReceiveCount: QUEUES.refundIntake.redrive?.maxReceiveCount,
    });
    expect(props(dlq).MessageRetentionPeriod).toBe(QUEUES.refundIntakeDlq.retentionDays * 86_400);
    expect(QUEUES.refundIntakeDlq.deadLetter?.redrivesTo).toBe('refundIntake');
  });

  it('routes every RefundRequested to the refund intake queue, with the rule retry policy and its DLQ', () => {
    // Act
    const [stack, , rule] = findBy(cfn, 'AWS::Events::Rule', 'Name', n.refundRule);
    const p = cfn.renderDeep(stack, props(rule)) as Props;
    const [target] = p.Targets as Props[];
    // Assess
    expect(p.EventBusName).toBe(n.eventBus);
    expect(p.EventPattern).toEqual({ 'detail-type': REFUND_REQUESTED_PATTERN['detail-type'] });
    expect(target?.Arn).toBe(sqsArn(n.queues.refundIntake));
    expect(target?.DeadLetterConfig).toEqual({ Arn: sqsArn(n.queues.refundIntakeDlq) });
    expect(target?.RetryPolicy).toEqual({
      MaximumRetryAttempts: INTAKE_RULE_RETRY.maximumRetryAttempts,
      MaximumEventAgeInSeconds: INTAKE_RULE_RETRY.maximumEventAgeInSeconds,
    });
  });

  it('feeds the refund intake Lambda in batches, with bounded concurrency and partial batch responses', () => {
    // Act
    const [stack, , mapping] =
      cfn
        .resourcesOfType('AWS::Lambda::EventSourceMapping')
        .find(([s, , m]) => cfn.render(s, props(m).FunctionName) === n.functions.refundIntake) ?? [];
    if (!stack || !mapping) throw new Error('no refund intake event source');
    const p = cfn.renderDeep(stack, props(mapping)) as Props;
    // Assess
    expect(p.EventSourceArn).toBe(sqsArn(n.queues.refundIntake));
    expect(p.BatchSize).toBe(INTAKE_EVENT_SOURCE.batchSize);
    expect(p.MaximumBatchingWindowInSeconds).toBe(INTAKE_EVENT_SOURCE.maxBatchingWindowSeconds);
    expect(p.ScalingConfig).toEqual({ MaximumConcurrency: stageConfig(STAGE).intakeMaxConcurrency });
    expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('tells the refund intake which state machine to start, where to park rejections and the bus for RefundRejected', () => {
    // Act
    const variables = variablesOf(n.functions.refundIntake);
    // Assess
    expect(variables[ENV_KEYS.refundStateMachineArn]).toBe(refundMachineArn());
    expect(String(variables[ENV_KEYS.refundIntakeDlqUrl])).toContain(`/${n.queues.refundIntakeDlq}`);
    expect(variables[ENV_KEYS.paymentsTable]).toBe(n.tables.payments);
    expect(variables[ENV_KEYS.eventBusName]).toBe(n.eventBus);
  });

  it('gives each refund step the names its handler reads, the gateway secret only to RefundAtGateway', () => {
    // Act
    const envs = Object.fromEntries(
      REFUND_STEP_KEYS.map((key) => [key, variablesOf(n.functions[key])] as const),
    ) as Record<(typeof REFUND_STEP_KEYS)[number], Props>;
    // Assess
    for (const key of ['refundReserve', 'refundAtGateway', 'refundPostReversal', 'refundRelease'] as const) {
      expect(envs[key][ENV_KEYS.ledgerTable]).toBe(n.tables.ledger);
      expect(envs[key][ENV_KEYS.paymentsTable]).toBe(n.tables.payments);
      expect(envs[key][ENV_KEYS.idempotencyTable]).toBeUndefined();
    }
    expect(REFUND_STEP_KEYS.filter((key) => envs[key][ENV_KEYS.gatewaySecretId] !== undefined)).toEqual([
      'refundAtGateway',
    ]);
    expect(envs.refundAtGateway[ENV_KEYS.gatewaySecretId]).toBe(n.gatewaySecret);
    expect(envs.refundRecordOutcome[ENV_KEYS.eventBusName]).toBe(n.eventBus);
    expect(String(envs.refundRecordOutcome[ENV_KEYS.notificationQueueUrl])).toContain(
      `/${n.queues.notification}`,
    );
  });

  it('alarms on refund sagas that fail, time out or are throttled, as on the payment saga', () => {
    // Act
    const byId = Object.fromEntries(
      ['refund-saga-failed', 'refund-saga-timed-out', 'refund-saga-throttled'].map((id) => [
        id,
        alarmNamed(id),
      ]),
    );
    // Assess
    expect(
      Object.entries(byId).map(([id, alarm]) => [
        id,
        alarm.Namespace,
        alarm.MetricName,
        alarm.Dimensions,
        alarm.Statistic,
        alarm.Threshold,
        alarm.Period,
      ]),
    ).toEqual(
      [
        ['refund-saga-failed', 'ExecutionsFailed'],
        ['refund-saga-timed-out', 'ExecutionsTimedOut'],
        ['refund-saga-throttled', 'ExecutionThrottled'],
      ].map(([id, metric]) => [
        id,
        'AWS/States',
        metric,
        [{ Name: 'StateMachineArn', Value: refundMachineArn() }],
        'Sum',
        1,
        ALARM_PERIOD.toSeconds(),
      ]),
    );
  });

  it('alarms on the refund intake DLQ and on refund intake errors; every rollback alarm of the refund saga exists', () => {
    // Act
    const age = alarmNamed('refundIntakeDlq-oldest-age');
    const errors = alarmNamed('refundIntake-errors');
    const alarmNames = new Set(
      cfn
        .resourcesOfType('AWS::CloudWatch::Alarm')
        .map(([s, , alarm]) => cfn.render(s, props(alarm).AlarmName)),
    );
    // Assess
    expect(age).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: n.queues.refundIntakeDlq }],
    });
    expect(errors).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: n.functions.refundIntake }],
    });
    expect(ROLLBACK_ALARM_IDS.refundSaga.filter((id) => !alarmNames.has(`paysaga-${STAGE}-${id}`))).toEqual(
      [],
    );
  });
});
