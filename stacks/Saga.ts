import { NagSuppressions } from 'cdk-nag';
import { type StackContext, use } from 'sst/constructs';
import type { EnvKey } from '../core/config/env';
import { FUNCTION_KEYS, FUNCTIONS, type FunctionKey, resourceNames } from '../core/config/names';
import { Data } from './Data';
import { type PaysagaFunction, paysagaFunction } from './functions';
import { Intake } from './Intake';
import {
  ACTIONS,
  allow,
  idempotencyStatement,
  keyStatement,
  queueSendStatement,
  tableReadWriteStatement,
} from './permissions';
import { paysagaQueue } from './queues';
import type { RefundStackFunctionKey } from './Refund';
import { resourceSubstitutions, sagaDefinitionText } from './saga-definition';
import { sagaStateMachine } from './saga-state-machine';
import { stageConfig } from './stage-config';
import type { TopUpStackFunctionKey } from './TopUp';

/** The functions the state machine invokes: every function with an ASL placeholder. */
export const SAGA_FUNCTION_KEYS = FUNCTION_KEYS.filter((key) => FUNCTIONS[key].aslPlaceholder !== undefined);
export type SagaFunctionKey = Exclude<
  FunctionKey,
  | 'intake'
  | 'archiveHistory'
  | 'sweepHolds'
  | 'apiSubmit'
  | 'publishOutbox'
  | 'apiRead'
  | 'apiWalletsWrite'
  | 'apiWalletsRead'
  | TopUpStackFunctionKey
  | RefundStackFunctionKey
  | 'webhookFanout'
  | 'webhookDeliver'
  | 'apiWebhooks'
  | 'importCsv'
>;

/**
 * The saga: the step Lambdas, the notification queue and its DLQ, the
 * compensation DLQ, and the Standard state machine built from
 * workflows/payment-saga.asl.json with its placeholders substituted.
 */
export function Saga({ stack }: StackContext) {
  const { key, tables, gatewaySecret } = use(Data);
  const { bus } = use(Intake);
  const config = stageConfig(stack.stage);
  const names = resourceNames(stack.stage);
  const queueOptions = { stage: stack.stage, key, removalPolicy: config.removalPolicy };

  const notificationDlq = paysagaQueue(stack, 'notificationDlq', queueOptions);
  const notificationQueue = paysagaQueue(stack, 'notification', {
    ...queueOptions,
    deadLetterQueues: { notificationDlq },
  });
  const compensationDlq = paysagaQueue(stack, 'compensationDlq', queueOptions);

  const tableEnv = {
    ledgerTable: tables.ledger.tableName,
    paymentsTable: tables.payments.tableName,
    idempotencyTable: tables.idempotency.tableName,
  } satisfies Partial<Record<EnvKey, string>>;
  const ledgerStep = {
    env: tableEnv,
    statements: [
      tableReadWriteStatement(tables.ledger),
      tableReadWriteStatement(tables.payments),
      idempotencyStatement(tables.idempotency),
      keyStatement(key, true),
    ],
  };
  // Every step that builds the shared step dependencies needs LEDGER_TABLE set (functions/commons/deps.ts),
  // even charge, which never touches the ledger: a name, not a grant.
  const gatewayStep = (withLedger: boolean) => ({
    env: { ...tableEnv, gatewaySecretId: names.gatewaySecret },
    statements: [
      allow(ACTIONS.secretRead, [gatewaySecret.secretArn]),
      ...(withLedger ? [tableReadWriteStatement(tables.ledger)] : []),
      tableReadWriteStatement(tables.payments),
      idempotencyStatement(tables.idempotency),
      keyStatement(key, true),
    ],
  });

  /** What each step reads and may touch; nothing else is granted. */
  const steps: Record<SagaFunctionKey, Pick<Parameters<typeof paysagaFunction>[2], 'env' | 'statements'>> = {
    reserve: ledgerStep,
    settle: ledgerStep,
    releaseFunds: ledgerStep,
    charge: gatewayStep(false),
    refundCharge: gatewayStep(true),
    notify: {
      env: { idempotencyTable: tableEnv.idempotencyTable, notificationQueueUrl: notificationQueue.queueUrl },
      statements: [
        queueSendStatement([notificationQueue]),
        idempotencyStatement(tables.idempotency),
        keyStatement(key, true),
      ],
    },
    recordOutcome: {
      // The bus name goes into the outcome entries that the state machine puts on the bus. A conditional
      // status write: no idempotency record (functions/record-outcome.ts), no ledger access. A failed
      // payment's payment.failed goes on the notification queue.
      env: {
        paymentsTable: tableEnv.paymentsTable,
        ledgerTable: tableEnv.ledgerTable,
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
    SAGA_FUNCTION_KEYS.map((fnKey) => [
      fnKey,
      paysagaFunction(stack, fnKey, {
        stage: stack.stage,
        logRetention: config.logRetention,
        logLevel: config.logLevel,
        removalPolicy: config.removalPolicy,
        ...steps[fnKey as SagaFunctionKey],
      }),
    ]),
  ) as Record<SagaFunctionKey, PaysagaFunction>;

  const functionSubstitutions = Object.fromEntries(
    SAGA_FUNCTION_KEYS.map((fnKey) => [
      FUNCTIONS[fnKey].aslPlaceholder,
      functions[fnKey as SagaFunctionKey].fn.functionArn,
    ]),
  );

  // Intake starts executions on the release's alias; a deploy publishes a version and the alias shifts to it.
  const { stateMachine, release } = sagaStateMachine(stack, {
    ids: { logGroup: 'SagaLogs', stateMachine: 'PaymentSaga', release: 'PaymentSagaRelease' },
    stateMachineName: names.stateMachine,
    definition: sagaDefinitionText(),
    substitutions: {
      ...functionSubstitutions,
      ...resourceSubstitutions({
        eventBusName: bus.eventBusName,
        compensationDlqUrl: compensationDlq.queueUrl,
        notificationDlqUrl: notificationDlq.queueUrl,
      }),
    },
    stepFunctionArns: SAGA_FUNCTION_KEYS.map((fnKey) => functions[fnKey as SagaFunctionKey].fn.functionArn),
    sendsTo: [compensationDlq, notificationDlq],
    key,
    bus,
    saga: 'paymentSaga',
  });

  for (const dlq of [notificationDlq, compensationDlq]) {
    NagSuppressions.addResourceSuppressions(dlq, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter queue (of the notification queue or of failed compensations)',
      },
    ]);
  }

  // The finance archiver listens to this state machine's status changes: stacks/History.ts.

  return {
    stateMachine,
    release,
    functions,
    notificationQueue,
    deadLetterQueues: { notificationDlq, compensationDlq },
  };
}
