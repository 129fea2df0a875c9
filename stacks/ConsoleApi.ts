import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { UserPool } from 'aws-cdk-lib/aws-cognito';
import { type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { Function as SstFunction } from 'sst/constructs';
import {
  CONSOLE_API_ENTRY,
  CONSOLE_API_PREFIX,
  CONSOLE_CONFIG_FILE,
  CONSOLE_ENV,
  CONSOLE_FUNCTIONS,
  CONSOLE_ROUTE_ACCESS,
  type ConsoleAccess,
  consoleFunctionName,
  consoleRoleName,
} from '../core/config/console';
import { ENV_KEYS } from '../core/config/env';
import { ACCESS_LOG_FIELDS } from './api-access-log';
import { handlerOf, NODEJS_BUNDLING } from './bundling';
import { allow } from './permissions';

/**
 * The hosted console's JSON API: a REST API whose only resource is
 * /api/{proxy+}, every method behind the people pool's Cognito authorizer
 * (an ID token), GET to the read function and POST to the act function. Each
 * function checks the token again and the route's group (core/config/console.ts)
 * and has only its own access's rights: finance's reads can reach no write.
 */

export interface ConsoleApiOptions {
  readonly stage: string;
  readonly apiName: string;
  readonly userPool: UserPool;
  /** The console app client: the `aud` of the ID tokens the functions accept. */
  readonly clientId: string;
  /** The pool's hosted-UI base URL (https://<prefix>.auth.<region>.amazoncognito.com). */
  readonly authority: string;
  /** What each function may do besides writing its logs. */
  readonly statements: Readonly<Record<ConsoleAccess, readonly PolicyStatement[]>>;
  readonly logRetention: RetentionDays;
  readonly logLevel: string;
  readonly removalPolicy: RemovalPolicy;
}

export interface ConsoleApiFunction {
  readonly fn: SstFunction;
  readonly role: Role;
}

export interface ConsoleApi {
  readonly api: RestApi;
  readonly functions: Readonly<Record<ConsoleAccess, ConsoleApiFunction>>;
}

/** Who asked and what happened, never a path segment, query or body (they may name payments). */
const CONSOLE_ACCESS_LOG = JSON.stringify({
  ...Object.fromEntries(
    Object.entries(ACCESS_LOG_FIELDS).filter(
      ([key]) => !['clientId', 'apiKeyId', 'errorMessage'].includes(key),
    ),
  ),
  sub: '$context.authorizer.claims.sub',
});

/** The act role's ARN by its name, for the bus policy (audit records go on the bus under paysaga.ops). */
export const consoleActRoleArn = (stage: string): string =>
  `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${consoleRoleName(stage, 'act')}`;

function consoleFunction(
  scope: Construct,
  access: ConsoleAccess,
  options: ConsoleApiOptions,
): ConsoleApiFunction {
  const spec = CONSOLE_FUNCTIONS[access];
  const functionName = consoleFunctionName(options.stage, access);
  const id = `ConsoleApi${access === 'read' ? 'Read' : 'Act'}`;
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    logGroupName: `/aws/lambda/${functionName}`,
    retention: options.logRetention,
    removalPolicy: options.removalPolicy,
  });
  const role = new Role(scope, `${id}Role`, {
    roleName: consoleRoleName(options.stage, access),
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `paysaga console API, ${access} routes (${options.stage})`,
  });
  role.addToPolicy(allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [logGroup.logGroupArn]));
  for (const statement of options.statements[access]) role.addToPolicy(statement);
  const fn = new SstFunction(scope, `${id}Function`, {
    functionName,
    handler: handlerOf(CONSOLE_API_ENTRY),
    runtime: 'nodejs22.x',
    architecture: 'arm_64',
    memorySize: spec.memoryMb,
    timeout: spec.timeoutSeconds,
    tracing: 'active',
    role,
    logGroup,
    nodejs: NODEJS_BUNDLING,
    _doNotAllowOthersToBind: true,
    environment: {
      POWERTOOLS_SERVICE_NAME: 'paysaga',
      POWERTOOLS_LOG_LEVEL: options.logLevel,
      POWERTOOLS_LOGGER_LOG_EVENT: 'false',
      [ENV_KEYS.stage]: options.stage,
      [CONSOLE_ENV.access]: access,
      [CONSOLE_ENV.userPoolId]: options.userPool.userPoolId,
      [CONSOLE_ENV.clientId]: options.clientId,
      [CONSOLE_ENV.authority]: options.authority,
    },
  });
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'X-Ray takes Resource "*"; log streams of its own group end in ":*"; saga executions are named by paymentId (execution:<saga>:*); GSI queries need /index/*',
        appliesTo: ['Resource::*', { regex: '/^Resource::.*(:\\*|/index/\\*)$/g' }],
      },
    ],
    true,
  );
  return { fn, role };
}

export function consoleApi(scope: Construct, options: ConsoleApiOptions): ConsoleApi {
  const functions = {
    read: consoleFunction(scope, 'read', options),
    act: consoleFunction(scope, 'act', options),
  };
  const accessLogs = new LogGroup(scope, 'ConsoleApiAccessLogs', {
    logGroupName: `/aws/apigateway/${options.apiName}/access`,
    retention: options.logRetention,
    removalPolicy: options.removalPolicy,
  });
  const api = new RestApi(scope, 'ConsoleApi', {
    restApiName: options.apiName,
    description: `paysaga ${options.stage}: the hosted console's JSON API (people, Cognito MFA)`,
    endpointConfiguration: { types: [EndpointType.REGIONAL] },
    cloudWatchRole: false,
    deployOptions: {
      stageName: options.stage,
      tracingEnabled: true,
      loggingLevel: MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      throttlingRateLimit: 20,
      throttlingBurstLimit: 40,
      accessLogDestination: new LogGroupLogDestination(accessLogs),
      accessLogFormat: AccessLogFormat.custom(CONSOLE_ACCESS_LOG),
    },
  });
  const executionLogs = new LogGroup(scope, 'ConsoleApiExecutionLogs', {
    logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${options.stage}`,
    retention: options.logRetention,
    removalPolicy: options.removalPolicy,
  });
  api.deploymentStage.node.addDependency(executionLogs);

  const authorizer = new CognitoUserPoolsAuthorizer(scope, 'ConsoleApiAuthorizer', {
    authorizerName: `${options.apiName}-people`,
    cognitoUserPools: [options.userPool],
    resultsCacheTtl: Duration.minutes(5),
  });
  const validator = new RequestValidator(scope, 'ConsoleApiRequestValidator', {
    restApi: api,
    requestValidatorName: 'required-parameters',
    validateRequestParameters: true,
    validateRequestBody: true,
  });
  const proxy = api.root.addResource(CONSOLE_API_PREFIX.slice(1)).addResource('{proxy+}');
  for (const [method, access] of Object.entries(CONSOLE_ROUTE_ACCESS)) {
    if (method === 'HEAD') continue;
    proxy.addMethod(method, new LambdaIntegration(functions[access].fn, { allowTestInvoke: false }), {
      authorizationType: AuthorizationType.COGNITO,
      authorizer,
      requestValidator: validator,
      requestParameters: { 'method.request.header.Authorization': true },
    });
  }
  // The app's sign-in settings, before anyone is signed in: public by nature (any OAuth public client's are).
  const config = api.root
    .addResource(CONSOLE_CONFIG_FILE)
    .addMethod('GET', new LambdaIntegration(functions.read.fn, { allowTestInvoke: false }), {
      authorizationType: AuthorizationType.NONE,
      requestValidator: validator,
    });
  NagSuppressions.addResourceSuppressions(config, [
    {
      id: 'AwsSolutions-APIG4',
      reason:
        'Returns only the public sign-in settings (the pool domain and the public app client id) the app needs before sign-in',
    },
    {
      id: 'AwsSolutions-COG4',
      reason:
        'Returns only the public sign-in settings (the pool domain and the public app client id) the app needs before sign-in',
    },
  ]);
  NagSuppressions.addResourceSuppressions(api.deploymentStage, [
    {
      id: 'AwsSolutions-APIG3',
      reason:
        'Reached only through the console distribution, which carries the optional per-stage WAF; the API itself answers only ID tokens of the people pool',
    },
    {
      id: 'PCI.DSS.321-APIGWAssociatedWithWAF',
      reason:
        'Reached only through the console distribution, which carries the optional per-stage WAF; the API itself answers only ID tokens of the people pool',
    },
    {
      id: 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted',
      reason:
        'No cache: the console must read payments and queues fresh, and an action must reach the handler every time',
    },
    {
      id: 'PCI.DSS.321-APIGWSSLEnabled',
      reason:
        'A client certificate authenticates API Gateway to an HTTP backend; the only backends are Lambda proxy integrations, invoked over AWS APIs with IAM',
    },
  ]);
  return { api, functions };
}
