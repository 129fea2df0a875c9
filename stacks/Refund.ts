import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { type StackContext, use } from 'sst/constructs';
import type { EnvKey } from '../core/config/env';
import { FUNCTIONS, resourceNames } from '../core/config/names';
import { REFUND_ASL_PLACEHOLDERS } from '../core/refunds/definition';
import { REFUND_REQUESTED_PATTERN } from '../events/envelope';
import { Data } from './Data';
import { type PaysagaFunction, type PaysagaFunctionOptions, paysagaFunction } from './functions';
import { Intake } from './Intake';
import { intakeRoute } from './intake-route';
import { ACTIONS, allow, keyStatement, queueSendStatement, tableReadWriteStatement } from './permissions';
import { paysagaQueue } from './queues';
import { refundExecutionsArn, refundRuleArn, refundStateMachineArn } from './refund-arns';
import { refundDefinitionText } from './refund-definition';
import { Saga } from './Saga';
import { sagaStateMachine } from './saga-state-machine';
import { stageConfig } from './stage-config';

/** The refund saga's step functions (every function with a refund ASL placeholder). */
export const REFUND_STEP_KEYS = [
  'refundReserve',
  'refundAtGateway',
  'refundPostReversal',
  'refundRelease',
  'refundRecordOutcome',
] as const;
export type RefundStepKey = (typeof REFUND_STEP_KEYS)[number];
/** Functions of the refund saga; the front door's apiRefunds is in stacks/Api.ts with the other routes. */
export type RefundStackFunctionKey = RefundStepKey | 'refundIntake' | 'apiRefunds';

/**
 * The refund saga (issue 16): RefundRequested on the bus -> the refund intake
 * queue (its own DLQ) -> the refund intake Lambda -> the Standard state
 * machine built from workflows/refund-saga.asl.json (ReserveRefund ->
 * RefundAtGateway -> PostReversal; ReleaseRefund when the gateway refuses for
 * good; the compensation DLQ when money may have moved and the saga cannot finish).
 */
export function Refund({ stack }: StackContext) {
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

  const refundIntakeDlq = paysagaQueue(stack, 'refundIntakeDlq', queueOptions);
  const refundIntakeQueue = paysagaQueue(stack, 'refundIntake', {
    ...queueOptions,
    deadLetterQueues: { refundIntakeDlq },
  });
  // The payment item (its refund reservations) and the refund records (pk PAYMENT#<id>, sk REFUND#<refundId>):
  // consistent reads and conditional writes of single items, never a Query or an index.
  const paymentItems = (actions: readonly string[]) => allow(actions, [tables.payments.tableArn]);
  const { intake: refundIntake } = intakeRoute(stack, {
    ids: {
      rule: 'RefundRequestedRule',
      eventSource: 'RefundIntakeEventSource',
      keySid: 'EventBridgeRefundRuleEncrypt',
    },
    bus,
    ruleName: names.refundRule,
    description: 'Every RefundRequested on the bus goes to the refund intake queue; it validates',
    detailTypes: REFUND_REQUESTED_PATTERN['detail-type'] ?? [],
    ruleArn: refundRuleArn(stack),
    queue: refundIntakeQueue,
    deadLetterQueue: refundIntakeDlq,
    ruleDeadLetterQueue: refundIntakeDlq,
    key,
    function: {
      key: 'refundIntake',
      env: {
        refundStateMachineArn: refundStateMachineArn(stack),
        refundIntakeDlqUrl: refundIntakeDlq.queueUrl,
        paymentsTable: tables.payments.tableName,
        eventBusName: bus.eventBusName,
      },
      statements: [
        // The payment (is it refundable?) and the refund record: read it, create it once (a conditional put).
        paymentItems(['dynamodb:GetItem', 'dynamodb:PutItem']),
        // RefundRejected (a rejection parked in the refund intake DLQ is told upstream).
        allow(ACTIONS.putEvents, [bus.eventBusArn]),
      ],
    },
    stateMachineArn: refundStateMachineArn(stack),
    executionsArn: refundExecutionsArn(stack),
  });

  // Every step that builds the refund step dependencies needs LEDGER_TABLE set
  // (functions/commons/refund-deps.ts), even those that never touch the ledger: a name, not a grant.
  // No refund step keeps a Powertools idempotency record: no idempotency table.
  const tableEnv = {
    ledgerTable: tables.ledger.tableName,
    paymentsTable: tables.payments.tableName,
  } satisfies Partial<Record<EnvKey, string>>;
  const refundItems = paymentItems(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  /** What each step reads and may touch; nothing else is granted. */
  const steps: Record<RefundStepKey, Pick<PaysagaFunctionOptions, 'env' | 'statements'>> = {
    // One conditional write of the payment item reserves the parts; the refund record moves to RESERVED.
    refundReserve: { env: tableEnv, statements: [refundItems, keyStatement(key, true)] },
    // The card part at the gateway (its key from the secret); the attempt and the gateway refund id recorded.
    refundAtGateway: {
      env: { ...tableEnv, gatewaySecretId: names.gatewaySecret },
      statements: [
        allow(ACTIONS.secretRead, [gatewaySecret.secretArn]),
        refundItems,
        keyStatement(key, true),
      ],
    },
    // The refund_part journal entry (wallet marker, journal), then the reservation REFUNDED.
    refundPostReversal: {
      env: tableEnv,
      statements: [tableReadWriteStatement(tables.ledger), refundItems, keyStatement(key, true)],
    },
    // The reservation RELEASED: refundable again.
    refundRelease: { env: tableEnv, statements: [refundItems, keyStatement(key, true)] },
    // A conditional status write of the refund record; the outcome events go out through the state machine,
    // refund.* webhooks on the notification queue.
    refundRecordOutcome: {
      env: {
        paymentsTable: tableEnv.paymentsTable,
        eventBusName: bus.eventBusName,
        notificationQueueUrl: notificationQueue.queueUrl,
      },
      statements: [refundItems, queueSendStatement([notificationQueue]), keyStatement(key, true)],
    },
  };
  const functions = Object.fromEntries(
    REFUND_STEP_KEYS.map((fnKey) => [
      fnKey,
      paysagaFunction(stack, fnKey, { ...functionOptions, ...steps[fnKey] }),
    ]),
  ) as Record<RefundStepKey, PaysagaFunction>;

  // DeadLetterCompensation (kind refund-compensation) and the Publish* states' outcome events.
  const { stateMachine, release } = sagaStateMachine(stack, {
    ids: { logGroup: 'RefundSagaLogs', stateMachine: 'RefundSaga', release: 'RefundSagaRelease' },
    stateMachineName: names.refundStateMachine,
    definition: refundDefinitionText(),
    substitutions: {
      ...Object.fromEntries(
        REFUND_STEP_KEYS.map((fnKey) => [
          FUNCTIONS[fnKey].refundAslPlaceholder,
          functions[fnKey].fn.functionArn,
        ]),
      ),
      [REFUND_ASL_PLACEHOLDERS.compensationDlqUrl]: compensationDlq.queueUrl,
    },
    stepFunctionArns: REFUND_STEP_KEYS.map((fnKey) => functions[fnKey].fn.functionArn),
    sendsTo: [compensationDlq],
    key,
    bus,
    saga: 'refundSaga',
  });
  NagSuppressions.addResourceSuppressions(refundIntakeDlq, [
    {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (of the refund intake rule and queue)',
    },
  ]);

  return {
    stateMachine,
    release,
    functions: { ...functions, refundIntake },
    refundIntakeQueue,
    deadLetterQueues: { refundIntakeDlq } satisfies Record<string, IQueue>,
  };
}
