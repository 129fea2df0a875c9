import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  Resource,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { UserPool } from 'aws-cdk-lib/aws-cognito';
import { type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { Function as SstFunction } from 'sst/constructs';
import {
  CONSOLE_ACTION_PLANS,
  CONSOLE_API_PREFIX,
  CONSOLE_CONFIG_FILE,
  CONSOLE_ENV,
  CONSOLE_FUNCTIONS,
  CONSOLE_ROUTE_ACCESS,
  type ConsoleAccess,
  consoleFunctionName,
  consoleRoleName,
  consoleRouteAccess,
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
    handler: handlerOf(spec.entry),
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

/** The methods API Gateway sends on (HEAD is a GET to API Gateway's Lambda proxy; never sent). */
const SERVED_METHODS = Object.keys(CONSOLE_ROUTE_ACCESS).filter((method) => method !== 'HEAD');

/**
 * The resources under /api that carry methods: /api/{proxy+} (every route,
 * by its method), and each action plan's path (core/config/console.ts
 * CONSOLE_ACTION_PLANS, whose GET goes to the act function) with every
 * resource on the way to it. API Gateway answers a path from its most
 * specific resource, so every resource on the way serves both methods, and
 * one with static children only also gets its own {proxy+} (a `{variable}`
 * child takes every path below it): every route still reaches its function.
 */
function consoleRouteTree(prefix: Resource): Resource[] {
  for (const plan of CONSOLE_ACTION_PLANS) {
    let resource: IResource = prefix;
    for (const segment of plan.split('/').filter(Boolean))
      resource = resource.getResource(segment) ?? resource.addResource(segment);
  }
  const tree: Resource[] = [];
  const visit = (resource: Resource): void => {
    const children = resource.node.children.filter((c): c is Resource => c instanceof Resource);
    if (resource !== prefix) tree.push(resource);
    if (children.length > 0 && !children.some((child) => /\/\{\w+\}$/.test(child.path))) {
      tree.push(resource.addResource('{proxy+}'));
    }
    for (const child of children) visit(child);
  };
  visit(prefix);
  return tree;
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
  const integrations = {
    read: new LambdaIntegration(functions.read.fn, { allowTestInvoke: false }),
    act: new LambdaIntegration(functions.act.fn, { allowTestInvoke: false }),
  };
  const routeTree = consoleRouteTree(api.root.addResource(CONSOLE_API_PREFIX.slice(1)));
  for (const resource of routeTree) {
    for (const method of SERVED_METHODS) {
      const access = consoleRouteAccess(method, resource.path);
      if (!access) continue;
      resource.addMethod(method, integrations[access], {
        authorizationType: AuthorizationType.COGNITO,
        authorizer,
        requestValidator: validator,
        requestParameters: { 'method.request.header.Authorization': true },
      });
    }
  }
  // The app's sign-in settings, before anyone is signed in: public by nature (any OAuth public client's are).
  const config = api.root.addResource(CONSOLE_CONFIG_FILE).addMethod('GET', integrations.read, {
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
