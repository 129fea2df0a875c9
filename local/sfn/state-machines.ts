import { createHash } from 'node:crypto';
import { AwsServiceError } from '../edge/aws-json-service';
import { pickVersion, type RoutingEntry } from './alias-routing';
import { type AliasEntry, AliasTable, sameRouting } from './aliases';
import { parseArn, stateMachineArn } from './arns';
import { CatalogStore, type StoredCatalog } from './catalog-store';
import { InvalidStateMachineDefinitionError, PreparedDefinition } from './definition';
import type { StateMachineConfig } from './types';

export type { AliasEntry } from './aliases';

export interface StateMachineEntry {
  readonly arn: string;
  readonly name: string;
  readonly roleArn: string;
  readonly definition: PreparedDefinition;
  /** Epoch ms: when this service registered it. */
  readonly creationDate: number;
  readonly updateDate: number;
  /** Changes with the definition or the role (a hash of both here; a UUID on AWS). */
  readonly revisionId: string;
  readonly fromConfig: boolean;
}

/** A published version: the definition and role of the revision it was published from, kept for good. */
export interface VersionEntry {
  readonly arn: string;
  readonly machineArn: string;
  readonly number: number;
  readonly definition: PreparedDefinition;
  readonly roleArn: string;
  readonly revisionId: string;
  readonly description?: string;
  readonly creationDate: number;
}

/** What a StartExecution ARN resolves to: the machine, and the version (and alias) it runs on, if qualified. */
export interface StartTarget {
  readonly machine: StateMachineEntry;
  readonly version?: VersionEntry;
  readonly alias?: AliasEntry;
}

/**
 * The state machines a service runs (from its config, or created through the
 * API), their published versions and their aliases, persisted under the data
 * dir (catalog.json) so versions keep their definitions across restarts.
 */
export class StateMachineRegistry {
  private readonly byArn = new Map<string, StateMachineEntry>();
  private readonly versions = new Map<string, VersionEntry>();
  private readonly aliases: AliasTable;
  private readonly store: CatalogStore;

  constructor(
    private readonly options: {
      readonly region: string;
      readonly accountId: string;
      readonly stateMachines: ReadonlyArray<StateMachineConfig>;
      readonly retryIntervalScale: number;
      readonly now: () => number;
      /** `<dataDir>/sfn`; absent: in memory. */
      readonly dir?: string;
      readonly random?: () => number;
    },
  ) {
    this.store = new CatalogStore(options.dir);
    this.aliases = new AliasTable({
      now: options.now,
      versionExists: (arn) => this.versions.has(arn),
      requireMachine: (arn) => this.require(arn),
      onChange: () => this.save(),
    });
    const stored = this.store.load();
    const createdAt = options.now();
    for (const machine of stored?.machines ?? []) {
      if (machine.fromConfig) continue;
      this.put(machine.name, JSON.parse(machine.definition) as object, machine.roleArn, false, machine);
    }
    for (const config of options.stateMachines) {
      const roleArn = config.roleArn ?? `arn:aws:iam::${options.accountId}:role/${config.name}-role`;
      const before = stored?.machines.find((machine) => machine.name === config.name);
      this.put(config.name, config.definition, roleArn, true, before ?? { creationDate: createdAt });
    }
    for (const version of stored?.versions ?? []) {
      const machineArn = this.arnOf(version.machineName);
      this.versions.set(`${machineArn}:${version.number}`, {
        ...version,
        arn: `${machineArn}:${version.number}`,
        machineArn,
        definition: this.prepare(version.machineName, JSON.parse(version.definition) as object),
      });
    }
    for (const alias of stored?.aliases ?? []) {
      const machineArn = this.arnOf(alias.machineName);
      this.aliases.restore({ ...alias, arn: `${machineArn}:${alias.name}`, machineArn });
    }
  }

  has(arn: string): boolean {
    return this.byArn.has(arn);
  }

  /** The state machine (unqualified ARN), or InvalidArn / StateMachineDoesNotExist as AWS answers. */
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

  /** CreateStateMachine: the same name, definition and role again answers the existing machine. */
  create(name: string, definition: object, roleArn: string): StateMachineEntry {
    const existing = this.byArn.get(this.arnOf(name));
    if (existing) {
      if (existing.revisionId === revisionOf(JSON.stringify(definition), roleArn)) return existing;
      throw new AwsServiceError(
        'StateMachineAlreadyExists',
        `State Machine Already Exists: '${existing.arn}'`,
      );
    }
    const entry = this.put(name, definition, roleArn, false, { creationDate: this.options.now() });
    this.save();
    return entry;
  }

  /** UpdateStateMachine: a new revision when the definition or the role changes. */
  update(arn: string, change: { definition?: object; roleArn?: string }): StateMachineEntry {
    const machine = this.require(arn);
    const definition = change.definition ?? (JSON.parse(machine.definition.text) as object);
    const entry = this.put(machine.name, definition, change.roleArn ?? machine.roleArn, machine.fromConfig, {
      creationDate: machine.creationDate,
      updateDate: this.options.now(),
    });
    this.save();
    return entry;
  }

  /**
   * PublishStateMachineVersion. Idempotent as on AWS: when the latest version
   * was published from the current revision, that version is answered.
   */
  publish(machineArn: string, options: { description?: string; revisionId?: string } = {}): VersionEntry {
    const machine = this.require(machineArn);
    if (options.revisionId !== undefined && options.revisionId !== machine.revisionId) {
      throw new AwsServiceError(
        'ConflictException',
        `revisionId ${options.revisionId} is not the current revision (${machine.revisionId}) of '${machineArn}'`,
      );
    }
    const own = this.versionsOf(machineArn);
    const latest = own[0];
    if (latest && latest.revisionId === machine.revisionId) return latest;
    const number = (latest?.number ?? 0) + 1;
    const version: VersionEntry = {
      arn: `${machineArn}:${number}`,
      machineArn,
      number,
      definition: machine.definition,
      roleArn: machine.roleArn,
      revisionId: machine.revisionId,
      ...(options.description !== undefined && { description: options.description }),
      creationDate: this.options.now(),
    };
    this.versions.set(version.arn, version);
    this.save();
    return version;
  }

  version(arn: string): VersionEntry | undefined {
    return this.versions.get(arn);
  }

  /** Newest first, as ListStateMachineVersions answers. */
  versionsOf(machineArn: string): VersionEntry[] {
    return [...this.versions.values()]
      .filter((version) => version.machineArn === machineArn)
      .sort((a, b) => b.number - a.number);
  }

  alias(arn: string): AliasEntry | undefined {
    return this.aliases.get(arn);
  }

  requireAlias(arn: string): AliasEntry {
    return this.aliases.require(arn);
  }

  aliasesOf(machineArn: string): AliasEntry[] {
    return this.aliases.of(machineArn);
  }

  /** CreateStateMachineAlias. The same name with the same routing again answers the existing alias. */
  createAlias(name: string, routing: readonly RoutingEntry[], description?: string): AliasEntry {
    return this.aliases.create(name, routing, description);
  }

  updateAlias(arn: string, change: { routing?: readonly RoutingEntry[]; description?: string }): AliasEntry {
    return this.aliases.update(arn, change);
  }

  /**
   * The local runtime's deploy: publishes the configured definition (nothing new
   * when unchanged) and points `aliasName` at it with all the traffic, as an
   * ALL_AT_ONCE deployment (the dev stage's release) does.
   */
  release(machineArn: string, aliasName: string): AliasEntry {
    const version = this.publish(machineArn);
    const routing = [{ stateMachineVersionArn: version.arn, weight: 100 }];
    const existing = this.aliases.get(`${machineArn}:${aliasName}`);
    if (!existing) return this.createAlias(aliasName, routing);
    return sameRouting(existing.routing, routing) ? existing : this.updateAlias(existing.arn, { routing });
  }

  /**
   * StartExecution's target: an unqualified ARN runs the latest revision; a
   * version ARN runs that version; an alias ARN runs a version picked by weight.
   */
  resolveStart(arn: string): StartTarget {
    const { resource } = parseArn(arn, 'stateMachine', 'stateMachineArn');
    const qualifier = resource.includes(':') ? resource.slice(resource.indexOf(':') + 1) : undefined;
    if (qualifier === undefined) return { machine: this.require(arn) };
    const machine = this.require(arn.slice(0, arn.length - qualifier.length - 1));
    if (/^\d+$/.test(qualifier)) {
      const version = this.versions.get(arn);
      if (!version)
        throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      return { machine, version };
    }
    const alias = this.aliases.get(arn);
    if (!alias)
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    const picked = pickVersion(alias.routing, this.options.random ?? Math.random);
    const version = this.versions.get(picked);
    if (!version) throw new Error(`alias ${arn} routes to unknown version ${picked}`);
    return { machine, version, alias };
  }

  /** What an execution runs: its version's definition and role when it has one, else the machine's. */
  runnable(record: { stateMachineArn: string; stateMachineVersionArn?: string }): {
    machine: StateMachineEntry;
    definition: PreparedDefinition;
    roleArn: string;
  } {
    const machine = this.require(record.stateMachineArn);
    if (record.stateMachineVersionArn === undefined) {
      return { machine, definition: machine.definition, roleArn: machine.roleArn };
    }
    const version = this.versions.get(record.stateMachineVersionArn);
    if (!version) {
      throw new AwsServiceError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${record.stateMachineVersionArn}'`,
      );
    }
    return { machine, definition: version.definition, roleArn: version.roleArn };
  }

  /** Whether the execution's machine (and version) still exist, so it can run again. */
  canRun(record: { stateMachineArn: string; stateMachineVersionArn?: string }): boolean {
    if (!this.byArn.has(record.stateMachineArn)) return false;
    return record.stateMachineVersionArn === undefined || this.versions.has(record.stateMachineVersionArn);
  }

  private arnOf(name: string): string {
    return stateMachineArn(this.options.region, this.options.accountId, name);
  }

  private prepare(name: string, definition: object): PreparedDefinition {
    try {
      return new PreparedDefinition(name, definition, this.options.retryIntervalScale);
    } catch (error) {
      if (error instanceof InvalidStateMachineDefinitionError) {
        throw new AwsServiceError(
          'InvalidDefinition',
          `Invalid State Machine Definition: '${error.message}'`,
        );
      }
      throw error;
    }
  }

  private put(
    name: string,
    definitionObject: object,
    roleArn: string,
    fromConfig: boolean,
    dates: { creationDate: number; updateDate?: number },
  ): StateMachineEntry {
    const definition = this.prepare(name, definitionObject);
    const entry: StateMachineEntry = {
      arn: this.arnOf(name),
      name,
      roleArn,
      definition,
      creationDate: dates.creationDate,
      updateDate: dates.updateDate ?? dates.creationDate,
      revisionId: revisionOf(definition.text, roleArn),
      fromConfig,
    };
    this.byArn.set(entry.arn, entry);
    return entry;
  }

  private save(): void {
    const catalog: StoredCatalog = {
      machines: [...this.byArn.values()].map((machine) => ({
        name: machine.name,
        definition: machine.definition.text,
        roleArn: machine.roleArn,
        creationDate: machine.creationDate,
        updateDate: machine.updateDate,
        fromConfig: machine.fromConfig,
      })),
      versions: [...this.versions.values()].map(({ arn: _arn, machineArn, definition, ...version }) => ({
        ...version,
        machineName: this.require(machineArn).name,
        definition: definition.text,
      })),
      aliases: this.aliases.all().map(({ arn: _arn, machineArn, ...alias }) => ({
        ...alias,
        routing: [...alias.routing],
        machineName: this.require(machineArn).name,
      })),
    };
    this.store.save(catalog);
  }
}

function revisionOf(definitionText: string, roleArn: string): string {
  return createHash('sha256').update(definitionText).update('\n').update(roleArn).digest('hex').slice(0, 32);
}
