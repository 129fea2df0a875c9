import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { Stack } from 'sst/constructs';
import { APP_NAME } from '../core/config/names';
import { sweeperScheduleExpression } from '../core/config/sweeper';
import { sagaExecutionsArn, sagaStateMachineArn } from './arns';
import { type PaysagaFunction, paysagaFunction } from './functions';
import { ACTIONS, allow, keyStatement, tableReadWriteStatement } from './permissions';
import type { StageConfig } from './stage-config';

export interface SweeperInputs {
  readonly key: IKey;
  readonly ledger: ITable;
  readonly config: StageConfig;
}

/** The schedule's name: `paysaga-<stage>-sweep-holds`. */
export const sweeperScheduleName = (stage: string): string => `${APP_NAME}-${stage}-sweep-holds`;
/** The role EventBridge Scheduler assumes to invoke the sweeper. */
export const sweeperScheduleRoleName = (stage: string): string => `${APP_NAME}-${stage}-sweeper-schedule`;

/**
 * The expired-hold sweeper: the sweep-holds Lambda (reads the ledger's expiry
 * index, voids expired holds with their journal entries, asks Step Functions
 * about each hold's saga first) on an EventBridge Scheduler schedule, whose
 * role may invoke that one function only.
 */
export function expirySweeper(stack: Stack, inputs: SweeperInputs): PaysagaFunction {
  const { config } = inputs;
  const sweeper = paysagaFunction(stack, 'sweepHolds', {
    stage: stack.stage,
    logRetention: config.logRetention,
    logLevel: config.logLevel,
    removalPolicy: config.removalPolicy,
    env: { ledgerTable: inputs.ledger.tableName, stateMachineArn: sagaStateMachineArn(stack) },
    statements: [
      tableReadWriteStatement(inputs.ledger),
      allow(['states:DescribeExecution'], [sagaExecutionsArn(stack)]),
      keyStatement(inputs.key, true),
    ],
  });
  const scheduleRole = new Role(stack, 'SweeperScheduleRole', {
    roleName: sweeperScheduleRoleName(stack.stage),
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: `paysaga expired-hold sweeper schedule (${stack.stage}): invokes sweep-holds`,
  });
  scheduleRole.addToPolicy(allow(ACTIONS.invoke, [sweeper.fn.functionArn]));
  new CfnSchedule(stack, 'SweeperSchedule', {
    name: sweeperScheduleName(stack.stage),
    description: 'Voids ledger holds past their expiry whose saga can no longer use them',
    scheduleExpression: sweeperScheduleExpression(),
    flexibleTimeWindow: { mode: 'OFF' },
    state: 'ENABLED',
    target: {
      arn: sweeper.fn.functionArn,
      roleArn: scheduleRole.roleArn,
      // A missed run is made up by the next one: the index lists every wallet with an expired hold.
      retryPolicy: { maximumRetryAttempts: 0 },
    },
  });
  return sweeper;
}
