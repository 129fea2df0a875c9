import { AwsServiceError } from '../edge/aws-json-service';
import { epochSeconds } from './history-event';
import { paginate } from './page-token';
import {
  CreateStateMachineAliasRequest,
  CreateStateMachineRequest,
  ListByStateMachineRequest,
  PublishStateMachineVersionRequest,
  parseRequest,
  StateMachineAliasArnRequest,
  UpdateStateMachineAliasRequest,
  UpdateStateMachineRequest,
} from './requests';
import type { AliasEntry, StateMachineRegistry } from './state-machines';

/**
 * The SFN API operations on state machines, versions and aliases (field names
 * as the API reference; dates as epoch seconds): a route table the service
 * consults for operations it does not answer itself.
 */
export type CatalogOperation = (input: unknown) => unknown;

export function catalogOperations(machines: StateMachineRegistry): Record<string, CatalogOperation> {
  const describeAlias = (alias: AliasEntry) => ({
    stateMachineAliasArn: alias.arn,
    name: alias.name,
    ...(alias.description !== undefined && { description: alias.description }),
    routingConfiguration: alias.routing.map((entry) => ({ ...entry })),
    creationDate: epochSeconds(alias.creationDate),
    updateDate: epochSeconds(alias.updateDate),
  });

  return {
    CreateStateMachine(input) {
      const request = parseRequest(CreateStateMachineRequest, input);
      if (request.type === 'EXPRESS') {
        throw new AwsServiceError(
          'ValidationException',
          'the local Step Functions service runs STANDARD workflows only',
        );
      }
      const machine = machines.create(request.name, parseDefinition(request.definition), request.roleArn);
      const version = request.publish
        ? machines.publish(machine.arn, optional('description', request.versionDescription))
        : undefined;
      return {
        stateMachineArn: machine.arn,
        creationDate: epochSeconds(machine.creationDate),
        ...(version && { stateMachineVersionArn: version.arn }),
      };
    },

    UpdateStateMachine(input) {
      const request = parseRequest(UpdateStateMachineRequest, input);
      if (request.definition === undefined && request.roleArn === undefined && !request.publish) {
        throw new AwsServiceError('MissingRequiredParameter', 'give a definition, a roleArn or publish');
      }
      const machine = machines.update(request.stateMachineArn, {
        ...(request.definition !== undefined && { definition: parseDefinition(request.definition) }),
        ...(request.roleArn !== undefined && { roleArn: request.roleArn }),
      });
      const version = request.publish
        ? machines.publish(machine.arn, optional('description', request.versionDescription))
        : undefined;
      return {
        updateDate: epochSeconds(machine.updateDate),
        revisionId: machine.revisionId,
        ...(version && { stateMachineVersionArn: version.arn }),
      };
    },

    PublishStateMachineVersion(input) {
      const request = parseRequest(PublishStateMachineVersionRequest, input);
      const version = machines.publish(request.stateMachineArn, {
        ...optional('description', request.description),
        ...optional('revisionId', request.revisionId),
      });
      return { stateMachineVersionArn: version.arn, creationDate: epochSeconds(version.creationDate) };
    },

    ListStateMachineVersions(input) {
      const request = parseRequest(ListByStateMachineRequest, input);
      machines.require(request.stateMachineArn);
      const { page, nextToken } = paginate(
        machines.versionsOf(request.stateMachineArn),
        `versions:${request.stateMachineArn}`,
        request,
      );
      return {
        stateMachineVersions: page.map((version) => ({
          stateMachineVersionArn: version.arn,
          creationDate: epochSeconds(version.creationDate),
        })),
        ...(nextToken !== undefined && { nextToken }),
      };
    },

    CreateStateMachineAlias(input) {
      const request = parseRequest(CreateStateMachineAliasRequest, input);
      const alias = machines.createAlias(request.name, request.routingConfiguration, request.description);
      return { stateMachineAliasArn: alias.arn, creationDate: epochSeconds(alias.creationDate) };
    },

    DescribeStateMachineAlias(input) {
      const { stateMachineAliasArn } = parseRequest(StateMachineAliasArnRequest, input);
      return describeAlias(machines.requireAlias(stateMachineAliasArn));
    },

    UpdateStateMachineAlias(input) {
      const request = parseRequest(UpdateStateMachineAliasRequest, input);
      if (request.description === undefined && request.routingConfiguration === undefined) {
        throw new AwsServiceError('ValidationException', 'give a description or a routingConfiguration');
      }
      const alias = machines.updateAlias(request.stateMachineAliasArn, {
        ...(request.routingConfiguration && { routing: request.routingConfiguration }),
        ...optional('description', request.description),
      });
      return { updateDate: epochSeconds(alias.updateDate) };
    },

    ListStateMachineAliases(input) {
      const request = parseRequest(ListByStateMachineRequest, input);
      machines.require(request.stateMachineArn);
      const { page, nextToken } = paginate(
        machines.aliasesOf(request.stateMachineArn),
        `aliases:${request.stateMachineArn}`,
        request,
      );
      return {
        stateMachineAliases: page.map((alias) => ({
          stateMachineAliasArn: alias.arn,
          creationDate: epochSeconds(alias.creationDate),
        })),
        ...(nextToken !== undefined && { nextToken }),
      };
    },
  };
}

function parseDefinition(text: string): object {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === 'object') return parsed;
  } catch {
    // answered below
  }
  throw new AwsServiceError('InvalidDefinition', 'Invalid State Machine Definition: not a JSON object');
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
