import { Duration } from 'aws-cdk-lib';
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
import { ALARM_ON_ARRIVAL } from '../core/config/observability';
import { Api } from './Api';
import { alarmFactory, deadLetterAlarms, technicalErrorAlarms } from './alarms';
import { sagaExecutionsArn } from './arns';
import { Data } from './Data';
import { paysagaDashboard } from './dashboard';
import { allowArchiveObjectsWildcard, archiveReadStatements, History } from './History';
import { Imports } from './Imports';
import { Intake } from './Intake';
import { ACTIONS, allow, keyStatement, tableReadStatement, tableReadWriteStatement } from './permissions';
import { Refund } from './Refund';
import { refundExecutionsArn } from './refund-arns';
import { roleName } from './roles';
import { Saga } from './Saga';
import { stageConfig } from './stage-config';
import { expirySweeper } from './sweeper';
import { TopUp } from './TopUp';
import { Webhooks } from './Webhooks';

/** Alarm window: one datapoint over this period at or above the threshold raises the alarm. */
export const ALARM_PERIOD = Duration.minutes(5);

/** Read access to executions of the saga: what finance and operations both need. */
export const EXECUTION_READ = ['states:DescribeExecution', 'states:GetExecutionHistory'];
export const STATE_MACHINE_READ = ['states:ListExecutions', 'states:DescribeStateMachine'];
/** SQS message move tasks (DLQ redrive): the task reads and deletes from the DLQ and sends to its source. */
export const MOVE_TASK = [
  'sqs:StartMessageMoveTask',
  'sqs:ListMessageMoveTasks',
  'sqs:CancelMessageMoveTask',
];
/** Peeking restores a received message's visibility (ChangeMessageVisibility 0). */
export const DLQ_READ = [
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
 * Operations: the alarm topic and its alarms, only on what needs a person (a
 * saga stopped with its hold kept, a compensation DLQ arrival, technical
 * errors of the steps, refused status moves, the age of any DLQ's oldest
 * message, throttles and time-outs, errors of the functions outside the saga,
 * API 5XX and p99 latency), the dashboard, the operations role (DLQ redrive,
 * saga redrive, read) and the read-only finance role. Business outcomes
 * (declines, short wallets) are metrics on the dashboard, never alarms.
 */
export function Ops({ stack }: StackContext) {
  const { key, tables, gatewaySecret } = use(Data);
  const intake = use(Intake);
  const saga = use(Saga);
  const topUp = use(TopUp);
  const refund = use(Refund);
  const webhooks = use(Webhooks);
  const { archiver, bucket: historyArchive } = use(History);
  const front = use(Api);
  const imports = use(Imports);
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
  const alarm = alarmFactory(stack, stack.stage, new SnsAction(topic));

  const deadLetterQueues: Record<string, IQueue> = {
    ...intake.deadLetterQueues,
    ...saga.deadLetterQueues,
    ...topUp.deadLetterQueues,
    ...refund.deadLetterQueues,
    ...webhooks.deadLetterQueues,
    ...front.deadLetterQueues,
  };
  const dlqAlarms = deadLetterAlarms(
    alarm,
    ALARM_PERIOD,
    Object.fromEntries(
      Object.entries(deadLetterQueues).map(([queueKey, queue]) => [
        queueKey,
        { queue, description: QUEUES[queueKey as QueueKey].deadLetter?.description },
      ]),
    ),
    ALARM_ON_ARRIVAL,
  );
  // The CSV import's async on-failure destination (not in QUEUES: S3 invokes the importer asynchronously).
  const importDlqAlarms = deadLetterAlarms(
    alarm,
    ALARM_PERIOD,
    {
      importDlq: {
        queue: imports.deadLetters,
        description:
          'CSV imports that failed after their retries; the upload is kept: fix, then upload it again',
      },
    },
    ['importDlq'],
  );
  const sfnMetric = { period: ALARM_PERIOD, statistic: 'Sum' };
  // Business outcomes end the saga in a non-Fail state: a failed execution is a saga stopped with its hold kept.
  const sagaAlarms = [
    alarm(
      'saga-failed',
      saga.stateMachine.metricFailed(sfnMetric),
      'A saga stopped with its hold kept (retries ran out, or an error no Catch handles): payctl sagas failed, fix, payctl sagas redrive',
    ),
    alarm('saga-throttled', saga.stateMachine.metricThrottled(sfnMetric), 'Saga executions throttled'),
    alarm('saga-timed-out', saga.stateMachine.metricTimedOut(sfnMetric), 'Saga executions timed out'),
    // The top-up saga ends a declined card or a refunded credit in a Succeed state too.
    alarm(
      'top-up-saga-failed',
      topUp.stateMachine.metricFailed(sfnMetric),
      'A top-up saga stopped (retries ran out, or its refund failed: see the compensation DLQ): inspect its execution, fix, redrive',
    ),
    // The refund saga ends a refused refund in a Succeed state; it fails when ReserveRefund or a Record step ran
    // out of retries (the refund record is not final: nothing told) or at CompensationFailed (the compensation DLQ).
    alarm(
      'refund-saga-failed',
      refund.stateMachine.metricFailed(sfnMetric),
      'A refund saga stopped (retries ran out at ReserveRefund or a Record step, or it ended NEEDS_ATTENTION: see the compensation DLQ): inspect its execution, fix, redrive',
    ),
    alarm(
      'refund-saga-throttled',
      refund.stateMachine.metricThrottled(sfnMetric),
      'Refund saga executions throttled',
    ),
    alarm(
      'refund-saga-timed-out',
      refund.stateMachine.metricTimedOut(sfnMetric),
      'Refund saga executions timed out (the refund may be reserved or refunded at the gateway): inspect its execution and the refund record',
    ),
  ];
  const apiMetric = { period: ALARM_PERIOD, statistic: 'Sum' };
  const apiAlarms = [
    alarm(
      'api-5xx',
      front.api.metricServerError(apiMetric),
      'The API answered 5XX: see its access log and the api-* functions',
    ),
    alarm(
      'api-latency-p99',
      front.api.metricLatency({ period: ALARM_PERIOD, statistic: 'p99' }),
      `API p99 latency above ${config.apiLatencyP99AlarmMs} ms over ${ALARM_PERIOD.toMinutes()} minutes`,
      config.apiLatencyP99AlarmMs,
      true,
    ),
  ];
  // The saga steps throw business outcomes (CardDeclinedError, ...) by design, and Lambda counts each as an
  // error: their trouble is read from TechnicalError instead. Every other function errs only on trouble.
  const sweeper = expirySweeper(stack, { key, ledger: tables.ledger, config });
  const functionsOutsideTheSaga = {
    intake: intake.intake,
    archiveHistory: archiver,
    sweepHolds: sweeper,
    topUpIntake: topUp.functions.topUpIntake,
    refundIntake: refund.functions.refundIntake,
    ...webhooks.functions,
    ...front.functions,
  };
  const functionAlarms = Object.entries(functionsOutsideTheSaga).map(([fnKey, { fn }]) =>
    alarm(`${fnKey}-errors`, fn.metricErrors(sfnMetric), `Errors in the ${fnKey} function`),
  );
  const alarms = [
    ...dlqAlarms,
    ...importDlqAlarms,
    ...sagaAlarms,
    ...technicalErrorAlarms(alarm, ALARM_PERIOD),
    ...apiAlarms,
    ...functionAlarms,
  ];
  const dashboard = paysagaDashboard(stack, {
    stage: stack.stage,
    period: ALARM_PERIOD,
    stateMachine: saga.stateMachine,
    refundStateMachine: refund.stateMachine,
    deadLetterQueues: { ...deadLetterQueues, importDlq: imports.deadLetters },
    alarms,
  });

  const dlqArns = Object.values(deadLetterQueues).map((queue) => queue.queueArn);
  const redriveTargets = [
    intake.intakeQueue,
    saga.notificationQueue,
    topUp.topUpIntakeQueue,
    refund.refundIntakeQueue,
    webhooks.deliveryQueue,
  ].map((queue) => queue.queueArn);

  const opsRole = new Role(stack, 'OperationsRole', {
    roleName: roleName(stack.stage, 'operations'),
    description:
      'paysaga operations: inspect and redrive DLQs and failed sagas, read payments, adjust wallets',
    assumedBy: assumableBy(config.opsPrincipals),
    maxSessionDuration: Duration.hours(1),
  });
  for (const statement of [
    allow(MOVE_TASK, dlqArns),
    allow(DLQ_READ, dlqArns),
    // Client redrives send to their source queue; resolve queues the payment's webhook on the notification queue.
    allow([...ACTIONS.queueSend, 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], redriveTargets),
    allow(['states:RedriveExecution', ...EXECUTION_READ], [sagaExecutionsArn(stack)]),
    allow(STATE_MACHINE_READ, [saga.stateMachine.stateMachineArn]),
    // The refund saga: stopped refunds redriven, their executions read (refund records: the payments table).
    allow(['states:RedriveExecution', ...EXECUTION_READ], [refundExecutionsArn(stack)]),
    allow(STATE_MACHINE_READ, [refund.stateMachine.stateMachineArn]),
    tableReadStatement(tables.payments),
    // payctl payments resolve / resolve-refund ask the gateway (the plan) and refund there (the saga's steps).
    allow(ACTIONS.secretRead, [gatewaySecret.secretArn]),
    // Audit records of every action and refund requests (puts, created once); a resolution, the refund id
    // and a refund's reservation and record moves (updates).
    allow(['dynamodb:PutItem', 'dynamodb:UpdateItem'], [tables.payments.tableArn]),
    // payctl wallets show / statement / adjust: the wallet item, its statement index, an adjustment's writes.
    tableReadWriteStatement(tables.ledger),
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
    allow(EXECUTION_READ, [sagaExecutionsArn(stack), refundExecutionsArn(stack)]),
    allow(STATE_MACHINE_READ, [saga.stateMachine.stateMachineArn]),
    tableReadStatement(tables.payments),
    // payctl reconcile reads the gateway's charges and refunds.
    allow(ACTIONS.secretRead, [gatewaySecret.secretArn]),
    // payctl history / report: archived timelines, and a day's keys for days the payments table no longer keeps.
    ...archiveReadStatements(historyArchive),
    // payctl wallets show / statement: the wallet item and its statement index.
    tableReadStatement(tables.ledger),
    keyStatement(key, false),
  ])
    financeRole.addToPolicy(statement);
  allowArchiveObjectsWildcard(financeRole);

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

  return { topic, opsRole, financeRole, dashboard, alarms };
}
