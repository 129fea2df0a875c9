import { Duration } from 'aws-cdk-lib';
import {
  type IEventBus,
  type IRule,
  type IRuleTarget,
  Rule,
  type RuleTargetConfig,
} from 'aws-cdk-lib/aws-events';
import {
  Effect,
  type PolicyStatement as IamStatement,
  PolicyStatement,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Stack } from 'sst/constructs';
import type { EnvKey } from '../core/config/env';
import type { FunctionKey } from '../core/config/names';
import { startOnAliasStatement } from './constructs/saga-release';
import { type PaysagaFunction, paysagaFunction } from './functions';
import { ACTIONS, allow, keyStatement, queueSendStatement } from './permissions';
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

export interface IntakeRouteProps {
  /** Construct ids and the key policy's sid (logical ids derive from them: never rename a deployed one). */
  readonly ids: { readonly rule: string; readonly eventSource: string; readonly keySid: string };
  readonly bus: IEventBus;
  readonly ruleName: string;
  readonly description: string;
  readonly detailTypes: readonly string[];
  /** The rule's ARN as a string the key policy can name before the rule exists (stacks/*-arns.ts). */
  readonly ruleArn: string;
  readonly queue: Queue;
  /** The intake function's own DLQ: where it parks a request it rejects. */
  readonly deadLetterQueue: Queue;
  /** Where EventBridge puts what it cannot deliver to the queue. */
  readonly ruleDeadLetterQueue: Queue;
  readonly key: IKey;
  readonly function: {
    readonly key: FunctionKey;
    readonly env: Partial<Record<EnvKey, string>>;
    /** What it may do besides consuming its queue, parking in its DLQ and starting (and describing) executions. */
    readonly statements: readonly IamStatement[];
  };
  /** The saga it starts: on the release's alias; DescribeExecution tells a duplicate from a conflict. */
  readonly stateMachineArn: string;
  readonly executionsArn: string;
}

/**
 * How a request reaches a saga, as payments, top-ups and refunds all do it: a rule on the bus into the
 * intake queue (encrypted; undeliverable events to the rule's DLQ), EventBridge allowed to encrypt with the
 * stage key for this rule only, and the intake function on the queue (small batches, short window, bounded
 * concurrency, partial batch failures).
 */
export function intakeRoute(stack: Stack, props: IntakeRouteProps): { rule: Rule; intake: PaysagaFunction } {
  const config = stageConfig(stack.stage);
  const rule = new Rule(stack, props.ids.rule, {
    ruleName: props.ruleName,
    description: props.description,
    eventBus: props.bus,
    eventPattern: { detailType: [...props.detailTypes] },
  });
  rule.addTarget(new EncryptedQueueTarget(props.queue, props.ruleDeadLetterQueue));
  props.key.addToResourcePolicy(
    new PolicyStatement({
      sid: props.ids.keySid,
      effect: Effect.ALLOW,
      principals: [new ServicePrincipal('events.amazonaws.com')],
      actions: [...ACTIONS.keyEncrypt],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:SourceArn': props.ruleArn } },
    }),
  );
  const intake = paysagaFunction(stack, props.function.key, {
    stage: stack.stage,
    logRetention: config.logRetention,
    logLevel: config.logLevel,
    removalPolicy: config.removalPolicy,
    env: props.function.env,
    statements: [
      allow(ACTIONS.queueConsume, [props.queue.queueArn]),
      queueSendStatement([props.deadLetterQueue]),
      keyStatement(props.key, true),
      startOnAliasStatement(props.stateMachineArn),
      // Telling a duplicate request from a conflicting one needs the existing execution's input.
      allow(['states:DescribeExecution'], [props.executionsArn]),
      ...props.function.statements,
    ],
  });
  new EventSourceMapping(stack, props.ids.eventSource, {
    target: intake.fn,
    eventSourceArn: props.queue.queueArn,
    batchSize: INTAKE_EVENT_SOURCE.batchSize,
    maxBatchingWindow: Duration.seconds(INTAKE_EVENT_SOURCE.maxBatchingWindowSeconds),
    maxConcurrency: config.intakeMaxConcurrency,
    reportBatchItemFailures: true,
  });
  return { rule, intake };
}
