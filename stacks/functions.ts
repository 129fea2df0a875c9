import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { Function as SstFunction } from 'sst/constructs';
import { ENV_KEYS, type EnvKey } from '../core/config/env';
import { FUNCTIONS, type FunctionKey, resourceNames } from '../core/config/names';
import { handlerOf, NODEJS_BUNDLING } from './bundling';
import { allow } from './permissions';

export interface PaysagaFunctionOptions {
  readonly stage: string;
  /** The paysaga settings this function reads (names from core/config/env.ts). */
  readonly env: Partial<Record<EnvKey, string>>;
  /** Everything the function may do besides writing its own logs and traces. */
  readonly statements: readonly PolicyStatement[];
  readonly logRetention: RetentionDays;
  readonly logLevel: string;
  readonly removalPolicy: RemovalPolicy;
}

export interface PaysagaFunction {
  readonly fn: SstFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
}

const pascal = (key: string): string => `${key.charAt(0).toUpperCase()}${key.slice(1)}`;

/** Powertools settings shared by every function; the event is never logged (it may carry payment data). */
function powertoolsEnvironment(logLevel: string): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: 'paysaga',
    POWERTOOLS_LOG_LEVEL: logLevel,
    POWERTOOLS_LOGGER_LOG_EVENT: 'false',
    POWERTOOLS_METRICS_NAMESPACE: 'paysaga',
  };
}

function paysagaEnvironment(stage: string, env: Partial<Record<EnvKey, string>>): Record<string, string> {
  const values: Partial<Record<EnvKey, string>> = { stage, ...env };
  return Object.fromEntries(
    (Object.entries(values) as [EnvKey, string][]).map(([key, value]) => [ENV_KEYS[key], value]),
  );
}

/**
 * A paysaga Lambda: nodejs22.x on arm64, memory and timeout from names.ts,
 * X-Ray tracing, its own log group with retention, and its own role that may
 * write only that log group plus the statements it is given.
 */
export function paysagaFunction(
  scope: Construct,
  key: FunctionKey,
  options: PaysagaFunctionOptions,
): PaysagaFunction {
  const spec = FUNCTIONS[key];
  const functionName = resourceNames(options.stage).functions[key];
  const id = pascal(key);
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    logGroupName: `/aws/lambda/${functionName}`,
    retention: options.logRetention,
    removalPolicy: options.removalPolicy,
  });
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `paysaga ${key} function (${options.stage})`,
  });
  // logGroupArn ends in ":*": the log streams of this one group.
  role.addToPolicy(allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [logGroup.logGroupArn]));
  for (const statement of options.statements) role.addToPolicy(statement);
  const fn = new SstFunction(scope, `${id}Function`, {
    functionName,
    handler: handlerOf(spec.entry),
    runtime: 'nodejs22.x',
    architecture: 'arm_64',
    memorySize: spec.memoryMb,
    timeout: spec.timeoutSeconds,
    tracing: 'active',
    role,
    logGroup,
    nodejs: NODEJS_BUNDLING,
    // No SST `bind` between functions: no SSM parameter per function, no generated types.
    _doNotAllowOthersToBind: true,
    environment: {
      ...powertoolsEnvironment(options.logLevel),
      ...paysagaEnvironment(options.stage, options.env),
    },
  });
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords only accept Resource "*"; log stream ARNs of its own group end in ":*"; GSI ARNs of its tables end in "/index/*"',
        appliesTo: ['Resource::*', { regex: '/^Resource::.*(:\\*|/index/\\*)$/g' }],
      },
    ],
    true,
  );
  return { fn, role, logGroup };
}

export const durationOf = (key: FunctionKey): Duration => Duration.seconds(FUNCTIONS[key].timeoutSeconds);
