import { Duration } from 'aws-cdk-lib';
import { EventBus, type IRule, type IRuleTarget, Rule, type RuleTargetConfig } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { type StackContext, use } from 'sst/constructs';
import { resourceNames } from '../core/config/names';
import { PAYMENT_REQUESTED_PATTERN } from '../events/envelope';
import { intakeRuleArn, sagaExecutionsArn, sagaStateMachineArn } from './arns';
import { startOnAliasStatement } from './constructs/saga-release';
import { Data } from './Data';
import { paysagaFunction } from './functions';
import { ACTIONS, allow, keyStatement, queueSendStatement } from './permissions';
import { paysagaQueue } from './queues';
import { stageConfig } from './stage-config';

/** EventBridge's delivery retries to the intake queue before the event goes to the rule's DLQ. */
export const INTAKE_RULE_RETRY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 24 * 3600 } as const;

/** The intake Lambda's SQS event source: small batches, short window, bounded concurrency (backpressure). */
export const INTAKE_EVENT_SOURCE = { batchSize: 10, maxBatchingWindowSeconds: 1 } as const;

/**
 * A rule target that sends to an encrypted queue, with the retry policy and DLQ
 * of the rule, granting EventBridge exactly sqs:SendMessage from this rule
 * (CDK's SqsQueue target would add kms:ReEncrypt* and kms:GenerateDataKey*).
 */
export class EncryptedQueueTarget implements IRuleTarget {
  constructor(
    private readonly queue: Queue,
    private readonly deadLetterQueue: Queue,
  ) {}

  bind(rule: IRule): RuleTargetConfig {
    for (const queue of [this.queue, this.deadLetterQueue]) {
      queue.addToResourcePolicy(
        new PolicyStatement({
          sid: 'EventBridgeIntakeRule',
          effect: Effect.ALLOW,
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: [...ACTIONS.queueSend],
          resources: [queue.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
        }),
      );
    }
    return {
      arn: this.queue.queueArn,
      targetResource: this.queue,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      retryPolicy: INTAKE_RULE_RETRY,
    };
  }
}

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

  const rule = new Rule(stack, 'PaymentRequestedRule', {
    ruleName: names.intakeRule,
    description: 'Every PaymentRequested on the bus goes to the intake queue; intake validates',
    eventBus: bus,
    eventPattern: {
      detailType: [...(PAYMENT_REQUESTED_PATTERN['detail-type'] ?? [])],
    },
  });
  rule.addTarget(new EncryptedQueueTarget(intakeQueue, intakeRuleDlq));

  // EventBridge encrypts with the data key when it delivers to the two queues: allowed for this rule only.
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'EventBridgeIntakeRuleEncrypt',
      effect: Effect.ALLOW,
      principals: [new ServicePrincipal('events.amazonaws.com')],
      actions: [...ACTIONS.keyEncrypt],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:SourceArn': intakeRuleArn(stack) } },
    }),
  );

  const intake = paysagaFunction(stack, 'intake', {
    stage: stack.stage,
    logRetention: config.logRetention,
    logLevel: config.logLevel,
    removalPolicy: config.removalPolicy,
    env: {
      eventBusName: bus.eventBusName,
      stateMachineArn: sagaStateMachineArn(stack),
      intakeDlqUrl: intakeDlq.queueUrl,
      paymentsTable: tables.payments.tableName,
    },
    statements: [
      allow(ACTIONS.queueConsume, [intakeQueue.queueArn]),
      queueSendStatement([intakeDlq]),
      keyStatement(key, true),
      startOnAliasStatement(sagaStateMachineArn(stack)),
      // Telling a duplicate request from a conflicting one needs the existing execution's input.
      allow(['states:DescribeExecution'], [sagaExecutionsArn(stack)]),
      // A paymentId that ever ran (its record, or the archive pointer that outlives it) never starts again.
      allow(ACTIONS.tableRead, [tables.payments.tableArn]),
      allow(ACTIONS.putEvents, [bus.eventBusArn]),
    ],
  });

  new EventSourceMapping(stack, 'IntakeEventSource', {
    target: intake.fn,
    eventSourceArn: intakeQueue.queueArn,
    batchSize: INTAKE_EVENT_SOURCE.batchSize,
    maxBatchingWindow: Duration.seconds(INTAKE_EVENT_SOURCE.maxBatchingWindowSeconds),
    maxConcurrency: config.intakeMaxConcurrency,
    reportBatchItemFailures: true,
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
