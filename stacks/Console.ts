import { CfnOutput } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { type StackContext, use } from 'sst/constructs';
import { CONSOLE_GROUP_NAMES, consoleStageConfig } from '../core/config/console';
import { APP_NAME } from '../core/config/names';
import { DETAIL_TYPES, PAYSAGA_OPS_SOURCE, PAYSAGA_SOURCE } from '../events/envelope';
import { Api } from './Api';
import { sagaExecutionsArn } from './arns';
import { consoleApi } from './ConsoleApi';
import { consoleAppClient, consolePeoplePool } from './ConsoleAuth';
import { consoleSite, routeConsoleApi } from './ConsoleHosting';
import { Data } from './Data';
import { allowArchiveObjectsWildcard, archiveReadStatements, History } from './History';
import { Intake } from './Intake';
import { DLQ_READ, EXECUTION_READ, MOVE_TASK, STATE_MACHINE_READ } from './Ops';
import { ACTIONS, allow, keyStatement, tableReadStatement, tableReadWriteStatement } from './permissions';
import { Refund } from './Refund';
import { refundExecutionsArn } from './refund-arns';
import { Saga } from './Saga';
import { stageConfig } from './stage-config';
import { TopUp } from './TopUp';
import { Webhooks } from './Webhooks';

/** Peeking a DLQ from the console reads and restores visibility; it never deletes or moves. */
const DLQ_PEEK = DLQ_READ.filter((action) => action !== 'sqs:DeleteMessage');

/**
 * The console on AWS for people without AWS credentials (issue 20): the app
 * from a private bucket through CloudFront, sign-in at the people's user pool
 * (TOTP MFA, groups operations and finance), and the console API whose two
 * functions run the same data functions as `payctl console`, as the person.
 */
export function Console({ stack }: StackContext) {
  const { key, tables, gatewaySecret } = use(Data);
  const intake = use(Intake);
  const saga = use(Saga);
  const topUp = use(TopUp);
  const refund = use(Refund);
  const front = use(Api);
  const webhooks = use(Webhooks);
  const { bucket: historyArchive } = use(History);
  const config = consoleStageConfig(stack.stage);
  const stage = stageConfig(stack.stage);
  const prefix = `${APP_NAME}-${stack.stage}-console`;

  const pool = consolePeoplePool(stack, {
    userPoolName: `${prefix}-people`,
    config,
    removalPolicy: stage.removalPolicy,
    deletionProtection: stage.deletionProtection,
  });
  const authOrigin = `https://${config.authDomainPrefix}.auth.${stack.region}.amazoncognito.com`;
  const site = consoleSite(stack, {
    bucketName: `${prefix}-app-${stack.account}`,
    logBucketName: `${prefix}-logs-${stack.account}`,
    config,
    authOrigin,
    removalPolicy: stage.removalPolicy,
  });
  const client = consoleAppClient(pool, { origins: [site.url], config });

  const deadLetterQueues: Record<string, IQueue> = {
    ...intake.deadLetterQueues,
    ...saga.deadLetterQueues,
    ...topUp.deadLetterQueues,
    ...refund.deadLetterQueues,
    ...front.deadLetterQueues,
    ...webhooks.deadLetterQueues,
  };
  const dlqArns = Object.values(deadLetterQueues).map((queue) => queue.queueArn);
  const redriveTargets = [
    intake.intakeQueue,
    saga.notificationQueue,
    topUp.topUpIntakeQueue,
    refund.refundIntakeQueue,
    webhooks.deliveryQueue,
  ].map((queue) => queue.queueArn);
  // What payctl's finance role may read, plus peeking the DLQs (finance reads every page, DLQs too).
  const read = [
    allow(EXECUTION_READ, [sagaExecutionsArn(stack), refundExecutionsArn(stack)]),
    allow(STATE_MACHINE_READ, [saga.stateMachine.stateMachineArn]),
    tableReadStatement(tables.payments),
    // Payment detail of an archived payment: its timeline under history/ (as payctl history reads it).
    ...archiveReadStatements(historyArchive),
    tableReadStatement(tables.ledger),
    allow([...DLQ_PEEK, 'sqs:ListMessageMoveTasks'], dlqArns),
    keyStatement(key, false),
  ];
  // The audited actions (cli/ops/actions) and their plans, each AWS call of their code paths and no more.
  const act = [
    // DLQ redrive: move tasks, or receive/send/delete; its plan reads the queue it would move to.
    allow(MOVE_TASK, dlqArns),
    // Also resolve: finds the payment's compensation DLQ message, deletes it once the payment is resolved.
    allow(DLQ_READ, dlqArns),
    // Client redrives send to their source queue; webhook resend queues deliveries (SendMessageBatch);
    // resolve queues the payment's payment.failed on the notification queue.
    allow([...ACTIONS.queueSend, 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], redriveTargets),
    allow(['states:RedriveExecution', ...EXECUTION_READ], [sagaExecutionsArn(stack)]),
    allow(STATE_MACHINE_READ, [saga.stateMachine.stateMachineArn]),
    // Resolve asks the gateway (the plan: the payment's charge and refunds) and refunds there (RefundCharge).
    allow(ACTIONS.secretRead, [gatewaySecret.secretArn]),
    tableReadStatement(tables.payments),
    // The audit record of every action and a refund request's record (puts, create once); resolve's
    // resolution and refund id on the payment (updates).
    allow(['dynamodb:PutItem', 'dynamodb:UpdateItem'], [tables.payments.tableArn]),
    // Wallet adjustments; resolve's ReleaseFunds and settlement reversal.
    tableReadWriteStatement(tables.ledger),
    // Under the operations source only: the audit event, and a refund request (payments.refund: the refund
    // intake starts the refund saga). The bus policy names this role among paysaga.* publishers.
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: [...ACTIONS.putEvents],
      resources: [intake.bus.eventBusArn],
      conditions: {
        StringEquals: {
          'events:source': PAYSAGA_OPS_SOURCE,
          'events:detail-type': [DETAIL_TYPES.opsActionPerformed, DETAIL_TYPES.refundRequested],
        },
      },
    }),
    // A refund resolved from the compensation DLQ (refunds.resolve) is announced as the refund saga would:
    // RefundSucceeded / RefundFailed under the saga's source, nothing else.
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: [...ACTIONS.putEvents],
      resources: [intake.bus.eventBusArn],
      conditions: {
        StringEquals: {
          'events:source': PAYSAGA_SOURCE,
          'events:detail-type': [DETAIL_TYPES.refundSucceeded, DETAIL_TYPES.refundFailed],
        },
      },
    }),
    // The tables', queues' and secret's key: reading, and sending to the encrypted queues.
    keyStatement(key, true),
  ];
  const { api, functions } = consoleApi(stack, {
    stage: stack.stage,
    apiName: `${prefix}-api`,
    userPool: pool.userPool,
    clientId: client.userPoolClientId,
    authority: pool.domain.baseUrl(),
    statements: { read, act },
    logRetention: stage.logRetention,
    logLevel: stage.logLevel,
    removalPolicy: stage.removalPolicy,
  });
  allowArchiveObjectsWildcard(functions.read.role);
  routeConsoleApi(site, api.restApiId, stack.stage);

  new CfnOutput(stack, 'ConsoleUrl', {
    value: site.url,
    description: 'The hosted console: open it and sign in',
  });
  new CfnOutput(stack, 'ConsoleUserPoolId', {
    value: pool.userPool.userPoolId,
    description: `Cognito user pool of the console's people (groups: ${CONSOLE_GROUP_NAMES.join(', ')})`,
  });
  new CfnOutput(stack, 'ConsoleAppClientId', { value: client.userPoolClientId });
  new CfnOutput(stack, 'ConsoleBucketName', {
    value: site.bucket.bucketName,
    description: 'Upload the built app here: npm run console:build && aws s3 sync console/dist s3://<this>/',
  });
  new CfnOutput(stack, 'ConsoleSignInDomain', { value: pool.domain.baseUrl() });

  return { site, pool, client, api, functions };
}
