import { NagSuppressions } from 'cdk-nag';
import { type StackContext, use } from 'sst/constructs';
import type { EnvKey } from '../core/config/env';
import { FUNCTIONS, resourceNames, TOP_UP_ASL_RESOURCE_PLACEHOLDERS } from '../core/config/names';
import { TOP_UP_REQUESTED_PATTERN } from '../events/envelope';
import { Data } from './Data';
import { type PaysagaFunction, paysagaFunction } from './functions';
import { Intake } from './Intake';
import { intakeRoute } from './intake-route';
import {
  ACTIONS,
  allow,
  idempotencyStatement,
  keyStatement,
  queueSendStatement,
  tableReadWriteStatement,
} from './permissions';
import { paysagaQueue } from './queues';
import { Saga } from './Saga';
import { sagaStateMachine } from './saga-state-machine';
import { stageConfig } from './stage-config';
import { topUpExecutionsArn, topUpRuleArn, topUpStateMachineArn } from './topup-arns';
import { topUpDefinitionText } from './topup-definition';

/** The top-up saga's step functions (every function with a top-up ASL placeholder). */
export const TOP_UP_STEP_KEYS = ['topUpCharge', 'topUpCredit', 'topUpRefund', 'topUpRecordOutcome'] as const;
export type TopUpStepKey = (typeof TOP_UP_STEP_KEYS)[number];
/** Functions this stack owns; the front door's top-up functions are in stacks/Api.ts with the other routes. */
export type TopUpStackFunctionKey = TopUpStepKey | 'topUpIntake' | 'apiTopUpSubmit' | 'apiTopUpRead';

/**
 * The top-up saga: TopUpRequested on the bus -> the top-up intake queue (its
 * own DLQ) -> the top-up intake Lambda -> the Standard state machine built from
 * workflows/top-up-saga.asl.json (Charge -> Credit; RefundCharge if crediting
 * fails for good, the compensation DLQ if that fails too).
 */
export function TopUp({ stack }: StackContext) {
  const { key, tables, gatewaySecret } = use(Data);
  const { bus } = use(Intake);
  const { deadLetterQueues, notificationQueue } = use(Saga);
  const { compensationDlq } = deadLetterQueues;
  const config = stageConfig(stack.stage);
  const names = resourceNames(stack.stage);
  const queueOptions = { stage: stack.stage, key, removalPolicy: config.removalPolicy };
  const functionOptions = {
    stage: stack.stage,
    logRetention: config.logRetention,
    logLevel: config.logLevel,
    removalPolicy: config.removalPolicy,
  };

  const topUpIntakeDlq = paysagaQueue(stack, 'topUpIntakeDlq', queueOptions);
  const topUpIntakeQueue = paysagaQueue(stack, 'topUpIntake', {
    ...queueOptions,
    deadLetterQueues: { topUpIntakeDlq },
  });
  const { intake: topUpIntake } = intakeRoute(stack, {
    ids: {
      rule: 'TopUpRequestedRule',
      eventSource: 'TopUpIntakeEventSource',
      keySid: 'EventBridgeTopUpRuleEncrypt',
    },
    bus,
    ruleName: names.topUpRule,
    description: 'Every TopUpRequested on the bus goes to the top-up intake queue; it validates',
    detailTypes: TOP_UP_REQUESTED_PATTERN['detail-type'] ?? [],
    ruleArn: topUpRuleArn(stack),
    queue: topUpIntakeQueue,
    deadLetterQueue: topUpIntakeDlq,
    ruleDeadLetterQueue: topUpIntakeDlq,
    key,
    function: {
      key: 'topUpIntake',
      env: { topUpStateMachineArn: topUpStateMachineArn(stack), topUpIntakeDlqUrl: topUpIntakeDlq.queueUrl },
      statements: [],
    },
    stateMachineArn: topUpStateMachineArn(stack),
    executionsArn: topUpExecutionsArn(stack),
  });

  const tableEnv = {
    ledgerTable: tables.ledger.tableName,
    paymentsTable: tables.payments.tableName,
    idempotencyTable: tables.idempotency.tableName,
  } satisfies Partial<Record<EnvKey, string>>;
  const ledgerRead = allow(ACTIONS.tableRead, [tables.ledger.tableArn]);
  /** What each step reads and may touch; nothing else is granted. */
  const steps: Record<TopUpStepKey, Pick<Parameters<typeof paysagaFunction>[2], 'env' | 'statements'>> = {
    // The wallet check (GetItem), the charge at the gateway, the top-up record.
    topUpCharge: {
      env: { ...tableEnv, gatewaySecretId: names.gatewaySecret },
      statements: [
        allow(ACTIONS.secretRead, [gatewaySecret.secretArn]),
        ledgerRead,
        tableReadWriteStatement(tables.payments),
        idempotencyStatement(tables.idempotency),
        keyStatement(key, true),
      ],
    },
    // Ledger.deposit (a conditional update of the wallet, the journal entry) and the top-up record.
    topUpCredit: {
      env: tableEnv,
      statements: [
        tableReadWriteStatement(tables.ledger),
        tableReadWriteStatement(tables.payments),
        idempotencyStatement(tables.idempotency),
        keyStatement(key, true),
      ],
    },
    // The refund at the gateway, after reading that the wallet was not credited (wallet item, journal).
    topUpRefund: {
      env: { ...tableEnv, gatewaySecretId: names.gatewaySecret },
      statements: [
        allow(ACTIONS.secretRead, [gatewaySecret.secretArn]),
        ledgerRead,
        idempotencyStatement(tables.idempotency),
        keyStatement(key, true),
      ],
    },
    // A conditional status write of the top-up record; the events go out through the state machine,
    // top_up.succeeded/failed on the notification queue.
    topUpRecordOutcome: {
      env: {
        paymentsTable: tableEnv.paymentsTable,
        eventBusName: bus.eventBusName,
        notificationQueueUrl: notificationQueue.queueUrl,
      },
      statements: [
        tableReadWriteStatement(tables.payments),
        queueSendStatement([notificationQueue]),
        keyStatement(key, true),
      ],
    },
  };
  const functions = Object.fromEntries(
    TOP_UP_STEP_KEYS.map((fnKey) => [
      fnKey,
      paysagaFunction(stack, fnKey, { ...functionOptions, ...steps[fnKey] }),
    ]),
  ) as Record<TopUpStepKey, PaysagaFunction>;

  const { stateMachine, release } = sagaStateMachine(stack, {
    ids: { logGroup: 'TopUpSagaLogs', stateMachine: 'TopUpSaga', release: 'TopUpSagaRelease' },
    stateMachineName: names.topUpStateMachine,
    definition: topUpDefinitionText(),
    substitutions: {
      ...Object.fromEntries(
        TOP_UP_STEP_KEYS.map((fnKey) => [
          FUNCTIONS[fnKey].topUpAslPlaceholder,
          functions[fnKey].fn.functionArn,
        ]),
      ),
      [TOP_UP_ASL_RESOURCE_PLACEHOLDERS.compensationDlqUrl]: compensationDlq.queueUrl,
    },
    stepFunctionArns: TOP_UP_STEP_KEYS.map((fnKey) => functions[fnKey].fn.functionArn),
    sendsTo: [compensationDlq],
    key,
    bus,
    saga: 'topUpSaga',
  });
  NagSuppressions.addResourceSuppressions(topUpIntakeDlq, [
    {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (of the top-up intake rule and queue)',
    },
  ]);

  return {
    stateMachine,
    release,
    functions: { ...functions, topUpIntake },
    topUpIntakeQueue,
    deadLetterQueues: { topUpIntakeDlq },
  };
}
