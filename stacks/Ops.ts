import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  ArnPrincipal,
  CompositePrincipal,
  Effect,
  type IPrincipal,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { type StackContext, use } from 'sst/constructs';
import { APP_NAME, QUEUES, type QueueKey } from '../core/config/names';
import { Api } from './Api';
import { sagaExecutionsArn } from './arns';
import { Data } from './Data';
import { History } from './History';
import { Intake } from './Intake';
import { ACTIONS, allow, keyStatement, tableReadStatement } from './permissions';
import { roleName } from './roles';
import { Saga } from './Saga';
import { stageConfig } from './stage-config';

/** Alarm window: one datapoint over this period at or above the threshold raises the alarm. */
export const ALARM_PERIOD = Duration.minutes(5);

/** Read access to executions of the saga: what finance and operations both need. */
const EXECUTION_READ = ['states:DescribeExecution', 'states:GetExecutionHistory'];
const STATE_MACHINE_READ = ['states:ListExecutions', 'states:DescribeStateMachine'];
/** SQS message move tasks (DLQ redrive): the task reads and deletes from the DLQ and sends to its source. */
const MOVE_TASK = ['sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks', 'sqs:CancelMessageMoveTask'];
/** Peeking restores a received message's visibility (ChangeMessageVisibility 0). */
const DLQ_READ = [
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
];

function assumableBy(principals: readonly string[]): IPrincipal {
  if (principals.length === 0) throw new Error('stage config names no principal for a role; add one');
  return new CompositePrincipal(...principals.map((arn) => new ArnPrincipal(arn)));
}

/**
 * Operations: the alarm topic and its alarms (DLQ depth, saga failures,
 * throttles and time-outs, Lambda errors, API 5XX and p99 latency), the operations role (DLQ redrive,
 * saga redrive, read) and the read-only finance role.
 */
export function Ops({ stack }: StackContext) {
  const { key, tables } = use(Data);
  const intake = use(Intake);
  const saga = use(Saga);
  const { archiver } = use(History);
  const front = use(Api);
  const config = stageConfig(stack.stage);

  const topic = new Topic(stack, 'AlarmTopic', {
    topicName: `${APP_NAME}-${stack.stage}-alarms`,
    displayName: `paysaga ${stack.stage} alarms`,
    masterKey: key,
    enforceSSL: true,
  });
  if (config.alarmEmail) topic.addSubscription(new EmailSubscription(config.alarmEmail));
  // CloudWatch alarms publish to the encrypted topic: they need the data key, from this account only.
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      effect: Effect.ALLOW,
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: [...ACTIONS.keyEncrypt],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
  const action = new SnsAction(topic);
  const alarm = (id: string, metric: IMetric, description: string): Alarm => {
    const created = new Alarm(stack, id, {
      alarmName: `${APP_NAME}-${stack.stage}-${id}`,
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(action);
    return created;
  };

  const deadLetterQueues: Record<string, IQueue> = { ...intake.deadLetterQueues, ...saga.deadLetterQueues };
  for (const [queueKey, queue] of Object.entries(deadLetterQueues)) {
    const spec = QUEUES[queueKey as QueueKey];
    alarm(
      `${queueKey}-visible`,
      queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      `Messages waiting in ${queue.queueName}: ${spec.deadLetter?.description}. Inspect with payctl dlq.`,
    );
  }
  const sfnMetric = { period: ALARM_PERIOD, statistic: 'Sum' };
  alarm('saga-failed', saga.stateMachine.metricFailed(sfnMetric), 'Saga executions failed: payctl sagas');
  alarm('saga-throttled', saga.stateMachine.metricThrottled(sfnMetric), 'Saga executions throttled');
  alarm('saga-timed-out', saga.stateMachine.metricTimedOut(sfnMetric), 'Saga executions timed out');
  const apiMetric = { period: ALARM_PERIOD, statistic: 'Sum' };
  alarm(
    'api-5xx',
    front.api.metricServerError(apiMetric),
    'The API answered 5XX: see its access log and the api-* functions',
  );
  new Alarm(stack, 'api-latency-p99', {
    alarmName: `${APP_NAME}-${stack.stage}-api-latency-p99`,
    alarmDescription: `API p99 latency above ${config.apiLatencyP99AlarmMs} ms over ${ALARM_PERIOD.toMinutes()} minutes`,
    metric: front.api.metricLatency({ period: ALARM_PERIOD, statistic: 'p99' }),
    threshold: config.apiLatencyP99AlarmMs,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  }).addAlarmAction(action);
  const allFunctions = {
    intake: intake.intake,
    ...saga.functions,
    archiveHistory: archiver,
    ...front.functions,
  };
  for (const [fnKey, { fn }] of Object.entries(allFunctions)) {
    alarm(`${fnKey}-errors`, fn.metricErrors(sfnMetric), `Errors in the ${fnKey} function`);
  }

  const dlqArns = Object.values(deadLetterQueues).map((queue) => queue.queueArn);
  const redriveTargets = [intake.intakeQueue, saga.notificationQueue].map((queue) => queue.queueArn);

  const opsRole = new Role(stack, 'OperationsRole', {
    roleName: roleName(stack.stage, 'operations'),
    description: 'paysaga operations: inspect and redrive DLQs and failed sagas, read payments',
    assumedBy: assumableBy(config.opsPrincipals),
    maxSessionDuration: Duration.hours(1),
  });
  for (const statement of [
    allow(MOVE_TASK, dlqArns),
    allow(DLQ_READ, dlqArns),
    allow([...ACTIONS.queueSend, 'sqs:GetQueueAttributes'], redriveTargets),
    allow(['states:RedriveExecution', ...EXECUTION_READ], [sagaExecutionsArn(stack)]),
    allow(STATE_MACHINE_READ, [saga.stateMachine.stateMachineArn]),
    tableReadStatement(tables.payments),
    // Audit records of every action: a put into the payments table and an OpsActionPerformed event.
    allow(['dynamodb:PutItem'], [tables.payments.tableArn]),
    allow(ACTIONS.putEvents, [intake.bus.eventBusArn]),
    keyStatement(key, true),
  ])
    opsRole.addToPolicy(statement);

  const financeRole = new Role(stack, 'FinanceRole', {
    roleName: roleName(stack.stage, 'finance'),
    description: 'paysaga finance (read only): saga execution history and the payments table',
    assumedBy: assumableBy(config.financePrincipals),
    maxSessionDuration: Duration.hours(1),
  });
  for (const statement of [
    allow(EXECUTION_READ, [sagaExecutionsArn(stack)]),
    allow(STATE_MACHINE_READ, [saga.stateMachine.stateMachineArn]),
    tableReadStatement(tables.payments),
    keyStatement(key, false),
  ])
    financeRole.addToPolicy(statement);

  for (const role of [opsRole, financeRole]) {
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Saga executions are named by paymentId, unknown in advance: execution:<saga>:*; GSI queries on the payments table need its /index/*',
          appliesTo: [{ regex: '/^Resource::.*(:\\*|/index/\\*)$/g' }],
        },
      ],
      true,
    );
  }

  return { topic, opsRole, financeRole };
}
