import * as z from 'zod';
import { AwsServiceError } from '../edge/aws-json-service';
import { EXECUTION_STATUSES } from './types';

/** Request shapes of the operations the local service answers (field names as the SFN API reference). */

const arn = z.string().min(1).max(2048);
const token = z.string().min(1).max(3096);

export const StartExecutionRequest = z.object({
  stateMachineArn: arn,
  name: z.string().optional(),
  input: z.string().max(262_144).optional(),
  traceHeader: z.string().max(256).optional(),
});

export const ExecutionArnRequest = z.object({ executionArn: arn });

export const StopExecutionRequest = z.object({
  executionArn: arn,
  error: z.string().max(256).optional(),
  cause: z.string().max(32_768).optional(),
});

export const RedriveExecutionRequest = z.object({
  executionArn: arn,
  clientToken: z.string().min(1).max(64).optional(),
});

export const ListExecutionsRequest = z.object({
  stateMachineArn: arn.optional(),
  mapRunArn: arn.optional(),
  statusFilter: z.enum(EXECUTION_STATUSES).optional(),
  redriveFilter: z.enum(['REDRIVEN', 'NOT_REDRIVEN']).optional(),
  maxResults: z.number().int().min(0).max(1000).optional(),
  nextToken: token.optional(),
});

export const ListStateMachinesRequest = z.object({
  maxResults: z.number().int().min(0).max(1000).optional(),
  nextToken: token.optional(),
});

export const DescribeStateMachineRequest = z.object({ stateMachineArn: arn });

export const GetExecutionHistoryRequest = z.object({
  executionArn: arn,
  maxResults: z.number().int().min(0).max(1000).optional(),
  reverseOrder: z.boolean().optional(),
  nextToken: token.optional(),
  includeExecutionData: z.boolean().optional(),
});

/** Parses a request; a violation answers as AWS does: ValidationException naming the member. */
export function parseRequest<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0];
  const member = first?.path.join('.') || 'request';
  const value = valueAt(input, first?.path ?? []);
  const constraint =
    value === undefined ? 'Member must not be null' : (first?.message ?? 'Member is not valid');
  throw new AwsServiceError(
    'ValidationException',
    `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected: Value ${value === undefined ? 'null' : JSON.stringify(value)} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

// ---- state machines, versions and aliases -------------------------------

const RoutingConfiguration = z
  .array(z.object({ stateMachineVersionArn: arn, weight: z.number() }))
  .min(1)
  .max(2);

export const CreateStateMachineRequest = z.object({
  name: z.string().min(1).max(80),
  definition: z.string().min(1).max(1_048_576),
  roleArn: arn,
  type: z.enum(['STANDARD', 'EXPRESS']).optional(),
  publish: z.boolean().optional(),
  versionDescription: z.string().max(256).optional(),
});

export const UpdateStateMachineRequest = z.object({
  stateMachineArn: arn,
  definition: z.string().min(1).max(1_048_576).optional(),
  roleArn: arn.optional(),
  publish: z.boolean().optional(),
  versionDescription: z.string().max(256).optional(),
});

export const PublishStateMachineVersionRequest = z.object({
  stateMachineArn: arn,
  revisionId: z.string().max(2048).optional(),
  description: z.string().max(256).optional(),
});

export const CreateStateMachineAliasRequest = z.object({
  name: z.string().min(1).max(80),
  description: z.string().max(256).optional(),
  routingConfiguration: RoutingConfiguration,
});

export const StateMachineAliasArnRequest = z.object({ stateMachineAliasArn: arn });

export const UpdateStateMachineAliasRequest = z.object({
  stateMachineAliasArn: arn,
  description: z.string().max(256).optional(),
  routingConfiguration: RoutingConfiguration.optional(),
});

export const ListByStateMachineRequest = z.object({
  stateMachineArn: arn,
  maxResults: z.number().int().min(0).max(1000).optional(),
  nextToken: token.optional(),
});
