import { beforeAll, describe, expect, it } from 'vitest';
import { importDlqName } from '../../core/config/imports';
import { QUEUE_KEYS, QUEUES, resourceNames, SAGA_STATES } from '../../core/config/names';
import {
  ALARM_ON_ARRIVAL,
  ALARM_THRESHOLDS,
  dashboardName,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  TECHNICAL_ERROR_KINDS,
} from '../../core/config/observability';
import { SWEEPER } from '../../core/config/sweeper';
import { readSagaDefinitionText } from '../../core/saga/definition';
import { ALARM_PERIOD } from '../../stacks/Ops';
import { SAGA_FUNCTION_KEYS } from '../../stacks/Saga';
import { stageConfig } from '../../stacks/stage-config';
import { sweeperScheduleName, sweeperScheduleRoleName } from '../../stacks/sweeper';
import type { CfnApp, CfnResource } from './cfn';
import { synthesizeCfnApp } from './synth-helper';

type Props = Record<string, unknown>;
interface Dimension {
  readonly Name: string;
  readonly Value: string;
}
/** One metric an alarm reads: its own, or each of a metric-math alarm's. */
interface ReadMetric {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: readonly Dimension[];
}

const props = (resource: CfnResource): Props => resource.Properties ?? {};
const dimension = (metric: { Dimensions?: readonly Dimension[] }, name: string) =>
  metric.Dimensions?.find((d) => d.Name === name)?.Value;

describe.each(['prod', 'dev'])('Ops stack (stage %s): alarms and dashboard', (stage) => {
  const n = resourceNames(stage);
  const config = stageConfig(stage);
  const stateMachineArn = `arn:aws:states:eu-west-1:123456789012:stateMachine:${n.stateMachine}`;
  let cfn: CfnApp;
  let dlqNames: string[];
  let alarms: Props[];

  const topicArn = () => {
    const [stack, id] = cfn
      .resourcesOfType('AWS::SNS::Topic')
      .find(([, , topic]) => props(topic).TopicName === `paysaga-${stage}-alarms`) ?? ['', ''];
    return cfn.arn(stack, id);
  };
  const readsOf = (alarm: Props): ReadMetric[] =>
    alarm.MetricName !== undefined
      ? [alarm as unknown as ReadMetric]
      : ((alarm.Metrics as { MetricStat?: { Metric: ReadMetric } }[] | undefined) ?? []).flatMap((m) =>
          m.MetricStat ? [m.MetricStat.Metric] : [],
        );
  const alarmsReading = (predicate: (metric: ReadMetric) => boolean) =>
    alarms.filter((alarm) => readsOf(alarm).some(predicate));

  beforeAll(async () => {
    cfn = await synthesizeCfnApp(stage);
    alarms = cfn
      .resourcesOfType('AWS::CloudWatch::Alarm')
      .map(([stack, , alarm]) => cfn.renderDeep(stack, props(alarm)) as Props);
    // Every dead-letter queue (QUEUES entries with a deadLetter spec) the app deploys.
    const deployed = new Set(
      cfn.resourcesOfType('AWS::SQS::Queue').map(([stack, id]) => cfn.physicalName(stack, id)),
    );
    dlqNames = [
      ...QUEUE_KEYS.filter((key) => QUEUES[key].deadLetter !== undefined)
        .map((key) => n.queues[key])
        .filter((name) => deployed.has(name)),
      // The CSV import's async on-failure destination (stacks/Imports.ts), not a QUEUES queue.
      importDlqName(stage),
    ];
  });

  it('sends every alarm to the SNS topic encrypted with the CMK (email subscription where configured)', () => {
    // Act
    const subscriptions = cfn.resourcesOfType('AWS::SNS::Subscription').map(([, , s]) => props(s).Endpoint);
    // Assess
    expect(alarms.length).toBeGreaterThan(0);
    expect(subscriptions).toEqual(config.alarmEmail ? [config.alarmEmail] : []);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([topicArn()]);
  });

  it('raises nothing for a stream of declines: no alarm reads a metric a decline or a short wallet increments', () => {
    // Prepare: a decline is a Lambda error of a step (its CardDeclinedError), a PaymentOutcome and a Compensation.
    const stepFunctionNames = SAGA_FUNCTION_KEYS.map((key) => n.functions[key]);
    const incrementedByADecline = (metric: ReadMetric): boolean =>
      (metric.Namespace === 'AWS/Lambda' &&
        stepFunctionNames.includes(dimension(metric, 'FunctionName') ?? '')) ||
      (metric.Namespace === METRICS_NAMESPACE &&
        [METRIC_NAMES.paymentOutcome, METRIC_NAMES.compensation].includes(
          metric.MetricName as typeof METRIC_NAMES.paymentOutcome,
        ));
    // Act
    const offending = alarmsReading(incrementedByADecline).map((alarm) => alarm.AlarmName);
    // Assess
    expect(offending).toEqual([]);
  });

  it('raises nothing for a decline on the saga: a business outcome ends the execution in a non-Fail state', () => {
    // Prepare: the alarm on failed executions must only count sagas that need a person.
    const states = (JSON.parse(readSagaDefinitionText()) as { States: Record<string, { Type: string }> })
      .States;
    // Act
    const businessEnd = states[SAGA_STATES.failed];
    // Assess
    expect(businessEnd?.Type).toBe('Succeed');
    // One per state machine: the payment saga's, and the top-up saga's (whose business failures end in Succeed too).
    expect(
      alarmsReading(
        (m) => m.MetricName === 'ExecutionsFailed' && dimension(m, 'StateMachineArn') === stateMachineArn,
      ),
    ).toHaveLength(1);
  });

  it('raises an alarm for a saga stopped with its hold kept (a failed execution of the saga)', () => {
    // Act
    const stopped = alarmsReading(
      (m) =>
        m.Namespace === 'AWS/States' &&
        m.MetricName === 'ExecutionsFailed' &&
        dimension(m, 'StateMachineArn') === stateMachineArn,
    );
    // Assess
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toMatchObject({
      AlarmName: `paysaga-${stage}-saga-failed`,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Period: ALARM_PERIOD.toSeconds(),
      EvaluationPeriods: 1,
    });
  });

  it('alarms on the age of the oldest message of every DLQ', () => {
    // Act
    const ageAlarms = alarmsReading((m) => m.MetricName === 'ApproximateAgeOfOldestMessage');
    // Assess
    expect(dlqNames).toEqual(expect.arrayContaining([n.queues.intakeDlq, n.queues.compensationDlq]));
    expect(ageAlarms.map((a) => dimension(a as { Dimensions?: Dimension[] }, 'QueueName')).sort()).toEqual(
      [...dlqNames].sort(),
    );
    for (const alarm of ageAlarms) {
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Threshold: ALARM_THRESHOLDS.deadLetterOldestMessageSeconds,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('alarms on any message arriving in the compensation DLQ', () => {
    // Act
    const arrivals = alarmsReading(
      (m) => m.Namespace === 'AWS/SQS' && m.MetricName === 'NumberOfMessagesSent',
    );
    // Assess
    expect(arrivals.map((a) => dimension(a as { Dimensions?: Dimension[] }, 'QueueName'))).toEqual([
      ...ALARM_ON_ARRIVAL.map((key) => n.queues[key]),
      importDlqName(stage),
    ]);
    expect(ALARM_ON_ARRIVAL).toContain('compensationDlq');
    expect(arrivals[0]).toMatchObject({ Statistic: 'Sum', Threshold: 1 });
  });

  it('alarms on technical errors of the steps (not business outcomes) and on refused status moves', () => {
    // Act
    const technical = alarmsReading(
      (m) => m.Namespace === METRICS_NAMESPACE && m.MetricName === METRIC_NAMES.technicalError,
    );
    const illegal = alarmsReading(
      (m) => m.Namespace === METRICS_NAMESPACE && m.MetricName === METRIC_NAMES.illegalStatusMove,
    );
    // Assess
    expect(
      technical.map((a) => [dimension(a, 'service'), dimension(a, 'kind'), (a.Dimensions as []).length]),
    ).toEqual(TECHNICAL_ERROR_KINDS.map((kind) => [METRICS_SERVICE, kind, 2]));
    expect(technical.map((a) => a.Threshold)).toEqual([
      ALARM_THRESHOLDS.transientTechnicalErrors,
      ALARM_THRESHOLDS.unexpectedTechnicalErrors,
    ]);
    expect(illegal).toHaveLength(1);
    expect(illegal[0]?.Dimensions).toEqual([{ Name: 'service', Value: METRICS_SERVICE }]);
  });

  it('keeps the alarms that still mean trouble: saga throttles and time-outs, API 5XX and p99 latency', () => {
    // Act
    const names = alarms.map((a) => String(a.AlarmName));
    // Assess
    expect(names).toEqual(
      expect.arrayContaining(
        ['saga-throttled', 'saga-timed-out', 'api-5xx', 'api-latency-p99'].map(
          (id) => `paysaga-${stage}-${id}`,
        ),
      ),
    );
    const latency = alarms.find((a) => a.AlarmName === `paysaga-${stage}-api-latency-p99`);
    expect(latency).toMatchObject({
      ExtendedStatistic: 'p99',
      Threshold: config.apiLatencyP99AlarmMs,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms on Lambda errors only of the functions outside the saga (which throw no business outcome)', () => {
    // Act
    const errorAlarms = alarmsReading((m) => m.Namespace === 'AWS/Lambda' && m.MetricName === 'Errors');
    const functions = errorAlarms.map((a) => dimension(a as { Dimensions?: Dimension[] }, 'FunctionName'));
    // Assess
    expect(functions).toEqual(expect.arrayContaining([n.functions.intake, n.functions.archiveHistory]));
    expect(functions.filter((name) => SAGA_FUNCTION_KEYS.some((key) => n.functions[key] === name))).toEqual(
      [],
    );
  });

  it('has a dashboard with business metrics, technical errors, DLQ ages and the alarms', () => {
    // Act
    const dashboards = cfn.resourcesOfType('AWS::CloudWatch::Dashboard');
    // Assess
    expect(dashboards).toHaveLength(1);
    const [stack, , dashboard] = dashboards[0] as [string, string, CfnResource];
    expect(props(dashboard).DashboardName).toBe(dashboardName(stage));
    const body = JSON.parse(cfn.render(stack, props(dashboard).DashboardBody)) as {
      widgets: { type: string; properties: { title?: string; metrics?: unknown[]; alarms?: string[] } }[];
    };
    const metricsText = JSON.stringify(body.widgets.map((w) => w.properties.metrics ?? []));
    for (const name of Object.values(METRIC_NAMES)) expect(metricsText).toContain(name);
    for (const name of dlqNames) expect(metricsText).toContain(`"QueueName","${name}"`);
    expect(metricsText).toContain('ApproximateAgeOfOldestMessage');
    expect(metricsText).toContain('ExecutionsFailed');
    expect(body.widgets.map((w) => w.properties.title)).toEqual(
      expect.arrayContaining([
        'Payments by outcome and reason',
        'Compensations',
        'DLQ arrivals',
        'Technical errors (not business outcomes)',
      ]),
    );
    const alarmWidget = body.widgets.find((w) => w.type === 'alarm');
    expect(alarmWidget?.properties.alarms).toHaveLength(alarms.length);
  });

  it('defines the operations and finance roles, each for one hour sessions', () => {
    // Act
    const roles = cfn
      .resourcesOfType('AWS::IAM::Role')
      .filter(([stack, , role]) => stack !== 'Console' && props(role).RoleName !== undefined)
      .map(([, , role]) => [props(role).RoleName, props(role).MaxSessionDuration]);
    // Assess
    expect(roles.sort()).toEqual([
      [`paysaga-${stage}-finance`, 3600],
      [`paysaga-${stage}-operations`, 3600],
      [sweeperScheduleRoleName(stage), undefined],
    ]);
  });

  it('runs the expired-hold sweeper on an EventBridge Scheduler schedule, with an errors alarm', () => {
    // Act
    const schedules = cfn.resourcesOfType('AWS::Scheduler::Schedule');
    // Assess
    expect(schedules).toHaveLength(1);
    const [stack, , schedule] = schedules[0] as [string, string, CfnResource];
    const p = cfn.renderDeep(stack, props(schedule)) as Props;
    expect(p).toMatchObject({
      Name: sweeperScheduleName(stage),
      ScheduleExpression: `rate(${SWEEPER.intervalMinutes} minutes)`,
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: `arn:aws:lambda:eu-west-1:123456789012:function:${n.functions.sweepHolds}`,
        RoleArn: `arn:aws:iam::123456789012:role/${sweeperScheduleRoleName(stage)}`,
      },
    });
    const sweeperErrors = alarmsReading(
      (m) => m.MetricName === 'Errors' && dimension(m, 'FunctionName') === n.functions.sweepHolds,
    );
    expect(sweeperErrors).toHaveLength(1);
  });
});
