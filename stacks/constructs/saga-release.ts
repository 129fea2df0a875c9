import { createHash } from 'node:crypto';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  type CfnStateMachine,
  CfnStateMachineAlias,
  CfnStateMachineVersion,
  type StateMachine,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { APP_NAME } from '../../core/config/names';
import { aliasArnFor, SAGA_ALIAS, type SagaRelease as SagaReleaseConfig } from '../../core/config/release';

export interface SagaReleaseProps {
  readonly stateMachine: StateMachine;
  readonly stage: string;
  /** How traffic moves to a new version (core/config/release.ts sagaRelease(stage)). */
  readonly release: SagaReleaseConfig;
  /** Ops alarm ids (ROLLBACK_ALARM_IDS) whose ALARM state rolls a deployment back. */
  readonly rollbackAlarmIds: readonly string[];
}

/**
 * A saga's release: a published version of the state machine's current
 * definition and the alias (`live`) executions are started on, with a
 * DeploymentPreference that shifts traffic to the new version (CANARY, LINEAR
 * or ALL_AT_ONCE from the stage) and rolls back on the alarms that mean trouble.
 *
 * The version's logical id carries a hash of the definition (text and
 * substitutions), so a changed definition is a new version resource and an
 * unchanged one publishes nothing. Versions are retained when replaced:
 * executions keep running, and are redriven, on the version they started on.
 */
export class SagaRelease extends Construct {
  readonly version: CfnStateMachineVersion;
  readonly alias: CfnStateMachineAlias;
  /** arn:...:stateMachine:<name>:live (what intake starts executions on). */
  readonly aliasArn: string;
  readonly definitionHash: string;

  constructor(scope: Construct, id: string, props: SagaReleaseProps) {
    super(scope, id);
    const cfnMachine = props.stateMachine.node.defaultChild as CfnStateMachine;
    this.definitionHash = definitionHashOf(cfnMachine);

    this.version = new CfnStateMachineVersion(this, `Version${this.definitionHash}`, {
      stateMachineArn: props.stateMachine.stateMachineArn,
      // Publishes exactly the revision this deploy wrote (fails rather than publish another one).
      stateMachineRevisionId: cfnMachine.attrStateMachineRevisionId,
      description: `definition ${this.definitionHash}`,
    });
    this.version.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.alias = new CfnStateMachineAlias(this, 'Alias', {
      name: SAGA_ALIAS,
      description: `${APP_NAME} ${props.stage}: the version new executions start on`,
      deploymentPreference: {
        stateMachineVersionArn: this.version.attrArn,
        type: props.release.type,
        ...(props.release.type !== 'ALL_AT_ONCE' && {
          percentage: props.release.percentage,
          interval: props.release.intervalMinutes,
        }),
        ...(props.release.type !== 'ALL_AT_ONCE' && {
          alarms: props.rollbackAlarmIds.map((alarmId) => `${APP_NAME}-${props.stage}-${alarmId}`),
        }),
      },
    });
    this.aliasArn = aliasArnFor(props.stateMachine.stateMachineArn);
  }
}

/** Hash of the definition as CloudFormation will see it (tokens resolved to their intrinsics). */
function definitionHashOf(machine: CfnStateMachine): string {
  const resolved = Stack.of(machine).resolve({
    definitionString: machine.definitionString,
    definition: machine.definition,
    definitionS3Location: machine.definitionS3Location,
    definitionSubstitutions: machine.definitionSubstitutions,
  });
  return createHash('sha256').update(JSON.stringify(resolved)).digest('hex').slice(0, 12);
}

/**
 * states:StartExecution on the alias only. AWS authorizes a qualified start
 * against the unqualified state machine ARN and scopes it with the
 * states:StateMachineQualifier key; an unqualified or version start has no
 * `live` qualifier and is refused.
 */
export function startOnAliasStatement(stateMachineArn: string): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['states:StartExecution'],
    resources: [stateMachineArn],
    conditions: { StringEquals: { 'states:StateMachineQualifier': SAGA_ALIAS } },
  });
}
