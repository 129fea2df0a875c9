import { EventBus } from 'aws-cdk-lib/aws-events';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { type StackContext, use } from 'sst/constructs';
import { resourceNames } from '../core/config/names';
import { PAYMENT_REQUESTED_PATTERN } from '../events/envelope';
import { intakeRuleArn, sagaExecutionsArn, sagaStateMachineArn } from './arns';
import { Data } from './Data';
import { intakeRoute } from './intake-route';
import { ACTIONS, allow } from './permissions';
import { paysagaQueue } from './queues';
import { stageConfig } from './stage-config';

/**
 * Intake: the bus, the PaymentRequested rule into the intake queue (with its
 * own retry policy and DLQ), and the intake Lambda that starts one saga per
 * paymentId, reporting partial batch failures.
 */
export function Intake({ stack }: StackContext) {
  const { key, tables } = use(Data);
  const config = stageConfig(stack.stage);
  const names = resourceNames(stack.stage);
  const queueOptions = { stage: stack.stage, key, removalPolicy: config.removalPolicy };

  // Its resource policy (who may put what) names roles of later stacks: stacks/Api.ts attaches it.
  const bus = new EventBus(stack, 'Bus', { eventBusName: names.eventBus });

  const intakeDlq = paysagaQueue(stack, 'intakeDlq', queueOptions);
  const intakeRuleDlq = paysagaQueue(stack, 'intakeRuleDlq', queueOptions);
  const intakeQueue = paysagaQueue(stack, 'intake', { ...queueOptions, deadLetterQueues: { intakeDlq } });

  const { intake } = intakeRoute(stack, {
    ids: {
      rule: 'PaymentRequestedRule',
      eventSource: 'IntakeEventSource',
      keySid: 'EventBridgeIntakeRuleEncrypt',
    },
    bus,
    ruleName: names.intakeRule,
    description: 'Every PaymentRequested on the bus goes to the intake queue; intake validates',
    detailTypes: PAYMENT_REQUESTED_PATTERN['detail-type'] ?? [],
    ruleArn: intakeRuleArn(stack),
    queue: intakeQueue,
    deadLetterQueue: intakeDlq,
    ruleDeadLetterQueue: intakeRuleDlq,
    key,
    function: {
      key: 'intake',
      env: {
        eventBusName: bus.eventBusName,
        stateMachineArn: sagaStateMachineArn(stack),
        intakeDlqUrl: intakeDlq.queueUrl,
        paymentsTable: tables.payments.tableName,
      },
      statements: [
        // A paymentId that ever ran (its record, or the archive pointer that outlives it) never starts again.
        allow(ACTIONS.tableRead, [tables.payments.tableArn]),
        allow(ACTIONS.putEvents, [bus.eventBusArn]),
      ],
    },
    stateMachineArn: sagaStateMachineArn(stack),
    executionsArn: sagaExecutionsArn(stack),
  });

  for (const dlq of [intakeRuleDlq, intakeDlq]) {
    NagSuppressions.addResourceSuppressions(dlq, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself a dead-letter queue (of the intake rule or the intake queue)',
      },
    ]);
  }

  return {
    bus,
    intakeQueue,
    deadLetterQueues: { intakeDlq, intakeRuleDlq } satisfies Record<string, IQueue>,
    intake,
  };
}
