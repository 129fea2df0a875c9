import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type StackContext, use } from 'sst/constructs';
import { resourceNames } from '../core/config/names';
import { SAGA_TERMINAL_STATUS_PATTERN } from '../events/envelope';
import { sagaExecutionsArn } from './arns';
import { Data } from './Data';
import { paysagaFunction } from './functions';
import { ACTIONS, allow, keyStatement, tableReadStatement, tableResources } from './permissions';
import { Saga } from './Saga';
import { stageConfig } from './stage-config';

/** EventBridge retries delivering a status change to the archiver for up to a day. */
export const ARCHIVE_RULE_RETRY = { retryAttempts: 185, maxEventAge: Duration.hours(24) } as const;

/**
 * Finance history: the archiver Lambda on the saga's terminal "Step Functions
 * Execution Status Change" events (default bus), writing each execution's
 * timeline into the payments table before Step Functions' 90-day retention ends.
 */
export function History({ stack }: StackContext) {
  const { key, tables } = use(Data);
  const { stateMachine } = use(Saga);
  const config = stageConfig(stack.stage);

  const archiver = paysagaFunction(stack, 'archiveHistory', {
    stage: stack.stage,
    logRetention: config.logRetention,
    logLevel: config.logLevel,
    removalPolicy: config.removalPolicy,
    env: { paymentsTable: tables.payments.tableName, ledgerTable: tables.ledger.tableName },
    statements: [
      allow(['states:GetExecutionHistory'], [sagaExecutionsArn(stack)]),
      // Reads the payment, writes its archive record once (a conditional put).
      allow([...ACTIONS.tableRead, 'dynamodb:PutItem'], tableResources(tables.payments)),
      tableReadStatement(tables.ledger),
      keyStatement(key, true),
    ],
  });

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

  return { archiver };
}
