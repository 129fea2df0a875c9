import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import type { Stack } from 'sst/constructs';
import { type ReleasedSaga, ROLLBACK_ALARM_IDS, sagaRelease } from '../core/config/release';
import { SagaRelease } from './constructs/saga-release';
import { ACTIONS, allow, keyStatement, queueSendStatement } from './permissions';
import { stageConfig } from './stage-config';

export interface SagaStateMachineProps {
  /** Construct ids (the CloudFormation logical ids derive from them: never rename one of a deployed saga). */
  readonly ids: { readonly logGroup: string; readonly stateMachine: string; readonly release: string };
  readonly stateMachineName: string;
  readonly definition: string;
  readonly substitutions: Record<string, string>;
  /** The step functions' ARNs: the only functions it may invoke. */
  readonly stepFunctionArns: readonly string[];
  /** The queues its ASL sends to (its compensation DLQ, ...). */
  readonly sendsTo: readonly IQueue[];
  readonly key: IKey;
  /** The bus its Publish* states put outcome events on. */
  readonly bus: IEventBus;
  /** Which saga's rollback alarms guard its releases. */
  readonly saga: ReleasedSaga;
}

/**
 * A saga's Standard state machine, as the payment, top-up and refund sagas all have it: its log group
 * (no execution data in the logs: finance reads it from the execution history), X-Ray, a role that may
 * invoke its steps, send to its queues, use the stage key and put events on the bus, and its release
 * (the `live` alias, moved by a DeploymentPreference that rolls back on its alarms).
 */
export function sagaStateMachine(
  stack: Stack,
  props: SagaStateMachineProps,
): { stateMachine: StateMachine; release: SagaRelease } {
  const config = stageConfig(stack.stage);
  const logGroup = new LogGroup(stack, props.ids.logGroup, {
    logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
    retention: config.logRetention,
    removalPolicy: config.removalPolicy,
  });
  const stateMachine = new StateMachine(stack, props.ids.stateMachine, {
    stateMachineName: props.stateMachineName,
    stateMachineType: StateMachineType.STANDARD,
    definitionBody: DefinitionBody.fromString(props.definition),
    definitionSubstitutions: props.substitutions,
    logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    tracingEnabled: true,
  });
  stateMachine.addToRolePolicy(allow(ACTIONS.invoke, props.stepFunctionArns));
  stateMachine.addToRolePolicy(queueSendStatement(props.sendsTo));
  stateMachine.addToRolePolicy(keyStatement(props.key, true));
  stateMachine.addToRolePolicy(allow(ACTIONS.putEvents, [props.bus.eventBusArn]));
  NagSuppressions.addResourceSuppressions(
    stateMachine,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'CloudWatch Logs delivery (CreateLogDelivery, DescribeLogGroups, ...) and X-Ray (PutTraceSegments, GetSampling*) only accept Resource "*" for Step Functions',
        appliesTo: ['Resource::*'],
      },
    ],
    true,
  );
  const release = new SagaRelease(stack, props.ids.release, {
    stateMachine,
    stage: stack.stage,
    release: sagaRelease(stack.stage),
    rollbackAlarmIds: ROLLBACK_ALARM_IDS[props.saga],
  });
  return { stateMachine, release };
}
