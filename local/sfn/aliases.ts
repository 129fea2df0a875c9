import { AwsServiceError } from '../edge/aws-json-service';
import { assertValidAliasName, assertValidRouting, type RoutingEntry } from './alias-routing';

export interface AliasEntry {
  readonly arn: string;
  readonly machineArn: string;
  readonly name: string;
  readonly description?: string;
  readonly routing: readonly RoutingEntry[];
  readonly creationDate: number;
  readonly updateDate: number;
}

/** The aliases of the registry's state machines: created, updated and checked as AWS does. */
export class AliasTable {
  private readonly byArn = new Map<string, AliasEntry>();

  constructor(
    private readonly deps: {
      readonly now: () => number;
      readonly versionExists: (versionArn: string) => boolean;
      /** Throws StateMachineDoesNotExist for an unknown machine. */
      readonly requireMachine: (machineArn: string) => unknown;
      /** Persists the catalog after a change. */
      readonly onChange: () => void;
    },
  ) {}

  /** An alias read back from the catalog (already checked when it was made). */
  restore(alias: AliasEntry): void {
    this.byArn.set(alias.arn, alias);
  }

  get(arn: string): AliasEntry | undefined {
    return this.byArn.get(arn);
  }

  require(arn: string): AliasEntry {
    const alias = this.byArn.get(arn);
    if (!alias) throw new AwsServiceError('ResourceNotFound', `Resource not found: alias '${arn}'`);
    return alias;
  }

  /** A machine's aliases by name, as ListStateMachineAliases pages them. */
  of(machineArn: string): AliasEntry[] {
    return this.all()
      .filter((alias) => alias.machineArn === machineArn)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  all(): AliasEntry[] {
    return [...this.byArn.values()];
  }

  /** CreateStateMachineAlias. The same name with the same routing again answers the existing alias. */
  create(name: string, routing: readonly RoutingEntry[], description?: string): AliasEntry {
    assertValidAliasName(name);
    const machineArn = (routing[0]?.stateMachineVersionArn ?? '').replace(/:\d+$/, '');
    assertValidRouting(routing, machineArn, this.deps.versionExists);
    this.deps.requireMachine(machineArn);
    const arn = `${machineArn}:${name}`;
    const existing = this.byArn.get(arn);
    if (existing) {
      if (sameRouting(existing.routing, routing) && existing.description === description) return existing;
      throw new AwsServiceError(
        'ConflictException',
        `Alias '${arn}' already exists with another configuration`,
      );
    }
    const now = this.deps.now();
    const alias: AliasEntry = {
      arn,
      machineArn,
      name,
      ...(description !== undefined && { description }),
      routing: [...routing],
      creationDate: now,
      updateDate: now,
    };
    this.byArn.set(arn, alias);
    this.deps.onChange();
    return alias;
  }

  /** UpdateStateMachineAlias: a refused routing leaves the alias as it was. */
  update(arn: string, change: { routing?: readonly RoutingEntry[]; description?: string }): AliasEntry {
    const alias = this.require(arn);
    if (change.routing) assertValidRouting(change.routing, alias.machineArn, this.deps.versionExists);
    const updated: AliasEntry = {
      ...alias,
      ...(change.routing && { routing: [...change.routing] }),
      ...(change.description !== undefined && { description: change.description }),
      updateDate: this.deps.now(),
    };
    this.byArn.set(arn, updated);
    this.deps.onChange();
    return updated;
  }
}

/** The same versions with the same weights, in any order. */
export function sameRouting(a: readonly RoutingEntry[], b: readonly RoutingEntry[]): boolean {
  const key = (routing: readonly RoutingEntry[]) =>
    JSON.stringify(
      [...routing]
        .map((entry): [string, number] => [entry.stateMachineVersionArn, entry.weight])
        .sort(([x], [y]) => x.localeCompare(y)),
    );
  return key(a) === key(b);
}
