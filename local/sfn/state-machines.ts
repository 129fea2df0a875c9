import { AwsServiceError } from '../edge/aws-json-service';
import { parseArn, stateMachineArn } from './arns';
import { PreparedDefinition } from './definition';
import type { StateMachineConfig } from './types';

export interface StateMachineEntry {
  readonly arn: string;
  readonly name: string;
  readonly roleArn: string;
  readonly definition: PreparedDefinition;
  /** Epoch ms: when this service registered it. */
  readonly creationDate: number;
}

/** The state machines a service runs, fixed at construction (the local runtime deploys none later). */
export class StateMachineRegistry {
  private readonly byArn = new Map<string, StateMachineEntry>();

  constructor(options: {
    readonly region: string;
    readonly accountId: string;
    readonly stateMachines: ReadonlyArray<StateMachineConfig>;
    readonly retryIntervalScale: number;
    readonly createdAt: number;
  }) {
    for (const config of options.stateMachines) {
      const arn = stateMachineArn(options.region, options.accountId, config.name);
      this.byArn.set(arn, {
        arn,
        name: config.name,
        roleArn: config.roleArn ?? `arn:aws:iam::${options.accountId}:role/${config.name}-role`,
        definition: new PreparedDefinition(config.name, config.definition, options.retryIntervalScale),
        creationDate: options.createdAt,
      });
    }
  }

  has(arn: string): boolean {
    return this.byArn.has(arn);
  }

  /** The state machine, or InvalidArn / StateMachineDoesNotExist as AWS answers. */
  require(arn: string): StateMachineEntry {
    parseArn(arn, 'stateMachine', 'stateMachineArn');
    const machine = this.byArn.get(arn);
    if (!machine)
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  /** By name, as ListStateMachines pages them. */
  all(): StateMachineEntry[] {
    return [...this.byArn.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
