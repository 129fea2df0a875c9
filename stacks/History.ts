import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { type StackContext, use } from 'sst/constructs';
import { HISTORY_ARCHIVE } from '../core/config/history';
import { resourceNames } from '../core/config/names';
import { SAGA_TERMINAL_STATUS_PATTERN } from '../events/envelope';
import { sagaExecutionsArn } from './arns';
import { Data } from './Data';
import { paysagaFunction } from './functions';
import { historyBucket } from './history-bucket';
import { ACTIONS, allow, keyStatement, tableReadStatement, tableResources } from './permissions';
import { refundExecutionsArn } from './refund-arns';
import { Saga } from './Saga';
import { stageConfig } from './stage-config';

/** EventBridge retries delivering a status change to the archiver for up to a day. */
export const ARCHIVE_RULE_RETRY = { retryAttempts: 185, maxEventAge: Duration.hours(24) } as const;

/** Reading the archive (payctl history and report): its objects, and listing a day's keys under history/. */
export function archiveReadStatements(bucket: IBucket): PolicyStatement[] {
  const prefix = `${HISTORY_ARCHIVE.keyPrefix}*`;
  return [
    allow(['s3:GetObject'], [bucket.arnForObjects(prefix)]),
    new PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [prefix] } },
    }),
  ];
}

/** The archive's object ARNs end in history/*: objects are keyed by day and paymentId, unknown in advance. */
export function allowArchiveObjectsWildcard(role: IConstruct): void {
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'History archive objects are keyed history/<day>/<paymentId>/..., unknown in advance: the grant is the bucket ARN + /history/*',
        appliesTo: [{ regex: '/^Resource::.*\\/history\\/\\*$/g' }],
      },
    ],
    true,
  );
}

/**
 * Finance history: the archiver Lambda on the saga's terminal "Step Functions
 * Execution Status Change" events (default bus), writing each execution's
 * timeline to the history bucket (S3, Intelligent-Tiering, Object Lock) with
 * a pointer in the payments table, before Step Functions' 90-day retention
 * ends; a settled payment's items then expire from the table (its TTL).
 */
export function History({ stack }: StackContext) {
  const { key, tables } = use(Data);
  const { stateMachine } = use(Saga);
  const config = stageConfig(stack.stage);
  const bucket = historyBucket(stack, {
    stage: stack.stage,
    key,
    retention: config.history,
    removalPolicy: config.removalPolicy,
  });
  const objects = bucket.arnForObjects(`${HISTORY_ARCHIVE.keyPrefix}*`);

  const archiver = paysagaFunction(stack, 'archiveHistory', {
    stage: stack.stage,
    logRetention: config.logRetention,
    logLevel: config.logLevel,
    removalPolicy: config.removalPolicy,
    env: {
      paymentsTable: tables.payments.tableName,
      ledgerTable: tables.ledger.tableName,
      historyBucket: bucket.bucketName,
      paymentRecordTtlDays: String(config.history.paymentRecordTtlDays),
    },
    statements: [
      // The payment saga's history, and its refunds' sagas (the timeline's refunds).
      allow(['states:GetExecutionHistory'], [sagaExecutionsArn(stack), refundExecutionsArn(stack)]),
      // Writes the archive object once (If-None-Match), reads it back when it was already there.
      allow(['s3:PutObject', 's3:GetObject'], [objects]),
      // Reads the payment, writes the archive pointer once, sets the TTL on the payment's items.
      allow(
        [...ACTIONS.tableRead, 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        tableResources(tables.payments),
      ),
      tableReadStatement(tables.ledger),
      keyStatement(key, true),
    ],
  });

  allowArchiveObjectsWildcard(archiver.role);

  const pattern = SAGA_TERMINAL_STATUS_PATTERN(stateMachine.stateMachineArn);
  new Rule(stack, 'SagaEndedRule', {
    ruleName: resourceNames(stack.stage).sagaEndedRule,
    description: 'Terminal status changes of the payment saga go to the history archiver',
    eventPattern: {
      source: [...(pattern.source ?? [])],
      detailType: [...(pattern['detail-type'] ?? [])],
      detail: { ...pattern.detail },
    },
    targets: [new LambdaFunction(archiver.fn, ARCHIVE_RULE_RETRY)],
  });

  return { archiver, bucket };
}
