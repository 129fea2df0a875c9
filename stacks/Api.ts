import { CfnOutput } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  ApiKeySourceType,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { type StackContext, use } from 'sst/constructs';
import type { EnvKey } from '../core/config/env';
import { API, apiScope, resourceNames } from '../core/config/names';
import { DETAIL_TYPES } from '../events/envelope';
import { accessLogFormat } from './api-access-log';
import { apiAuth, pascal } from './api-auth';
import { addGatewayProblems } from './api-gateway-responses';
import { apiOutbox } from './api-outbox';
import { clientApiKeys, clientUsagePlans } from './api-usage-plans';
import { apiWebAcl } from './api-waf';
import { attachBusPolicy, busPolicyStatements } from './bus-policy';
import { consoleActRoleArn } from './ConsoleApi';
import { Data } from './Data';
import { type PaysagaFunction, paysagaFunction } from './functions';
import { Imports } from './Imports';
import { Intake } from './Intake';
import { ACTIONS, allow, keyStatement, tableResources } from './permissions';
import { Refund } from './Refund';
import { refundStateMachineArn } from './refund-arns';
import { roleArn } from './roles';
import { Saga } from './Saga';
import { stageConfig } from './stage-config';
import { TopUp } from './TopUp';

type RouteKey = keyof typeof API.routes;
type ApiFunctionKey = (typeof API.routes)[RouteKey]['function'];

/** `/v1/payments/{paymentId}` -> ['paymentId']. */
export const pathParameters = (path: string): string[] =>
  [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');

/**
 * The HTTP front door: a REST API (API Gateway v1) whose methods are Lambda
 * proxy integrations of api-submit and api-read, authorized by Cognito access
 * tokens (client credentials, a scope per method) plus a per-client API key,
 * behind a WAF web ACL.
 *
 * A REST API rather than an HTTP API because only REST APIs take a WAF web
 * ACL and usage plans (per-client throttles and quotas on API keys), and have
 * request validation; HTTP APIs are cheaper and a little faster but would
 * need CloudFront in front for WAF and could only throttle per route.
 */
export function Api({ stack }: StackContext) {
  const { key, tables } = use(Data);
  const { bus, intake } = use(Intake);
  const { stateMachine } = use(Saga);
  const imports = use(Imports);
  const topUp = use(TopUp);
  const refund = use(Refund);
  const config = stageConfig(stack.stage);
  const names = resourceNames(stack.stage);

  const auth = apiAuth(stack, {
    userPoolName: names.apiUserPool,
    domainPrefix: config.apiAuthDomainPrefix,
    clients: config.apiClients,
    removalPolicy: config.removalPolicy,
    deletionProtection: config.deletionProtection,
  });

  const apiKeys = clientApiKeys(stack, names.api, config.apiClients);
  // What the handlers need to know about a caller: its app client id, the source its requests go under, and
  // its API key's id (a token of one client with another client's key would spend the other's usage plan).
  const apiClients = stack.toJsonString(
    config.apiClients.map((client) => ({
      clientId: auth.appClients.get(client.name)?.userPoolClientId,
      source: client.source,
      apiKeyId: apiKeys.get(client.name)?.keyId,
    })),
  );
  const functionOptions = {
    stage: stack.stage,
    logRetention: config.logRetention,
    logLevel: config.logLevel,
    removalPolicy: config.removalPolicy,
  };
  const sources = config.apiClients.map((client) => client.source);
  /** PutEvents of one detail type, under the clients' own sources only (none when there is no client). */
  const putUnderClientSources = (detailType: string): PolicyStatement[] =>
    sources.length === 0
      ? []
      : [
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: [...ACTIONS.putEvents],
            resources: [bus.eventBusArn],
            conditions: { StringEquals: { 'events:source': sources, 'events:detail-type': detailType } },
          }),
        ];
  const submitEnv = {
    paymentsTable: tables.payments.tableName,
    eventBusName: bus.eventBusName,
    apiClients,
  } satisfies Partial<Record<EnvKey, string>>;
  const functions: Record<ApiFunctionKey, PaysagaFunction> = {
    apiSubmit: paysagaFunction(stack, 'apiSubmit', {
      ...functionOptions,
      env: submitEnv,
      statements: [
        // The client's request record: read it, create it once (conditional put), record its event.
        allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [tables.payments.tableArn]),
        keyStatement(key, true),
        ...putUnderClientSources(DETAIL_TYPES.paymentRequested),
      ],
    }),
    apiRead: paysagaFunction(stack, 'apiRead', {
      ...functionOptions,
      env: { paymentsTable: tables.payments.tableName, apiClients },
      // The payment's request record and its STEP# items: one GetItem, one Query on the base table.
      statements: [allow(ACTIONS.tableRead, [tables.payments.tableArn]), keyStatement(key, false)],
    }),
    apiWalletsWrite: paysagaFunction(stack, 'apiWalletsWrite', {
      ...functionOptions,
      env: { ledgerTable: tables.ledger.tableName, paymentsTable: tables.payments.tableName, apiClients },
      statements: [
        // The owner and key records (pk WALLET#/APIKEY#): read, create once (conditional puts).
        allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [tables.payments.tableArn]),
        // Ledger.openWallet: a conditional put of the wallet item, read back when it already exists.
        allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [tables.ledger.tableArn]),
        keyStatement(key, true),
      ],
    }),
    apiWalletsRead: paysagaFunction(stack, 'apiWalletsRead', {
      ...functionOptions,
      env: { ledgerTable: tables.ledger.tableName, paymentsTable: tables.payments.tableName, apiClients },
      statements: [
        // The owner record: one GetItem.
        allow(['dynamodb:GetItem'], [tables.payments.tableArn]),
        // The wallet item and the statement's pages of its journal (a Query on the base table or an index).
        allow(ACTIONS.tableRead, tableResources(tables.ledger)),
        keyStatement(key, false),
      ],
    }),
    apiTopUpSubmit: paysagaFunction(stack, 'apiTopUpSubmit', {
      ...functionOptions,
      env: submitEnv,
      statements: [
        // The wallet's owner record (GetItem); the top-up record: read, create once, record its event.
        allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [tables.payments.tableArn]),
        keyStatement(key, true),
        ...putUnderClientSources(DETAIL_TYPES.topUpRequested),
      ],
    }),
    apiRefunds: paysagaFunction(stack, 'apiRefunds', {
      ...functionOptions,
      // The refund record names its saga's execution: the refund state machine's ARN (a name, not a grant).
      env: { ...submitEnv, refundStateMachineArn: refundStateMachineArn(stack) },
      statements: [
        // The caller's API request record, the payment (refundable?) and the refund record: read, create once.
        allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [tables.payments.tableArn]),
        keyStatement(key, true),
        ...putUnderClientSources(DETAIL_TYPES.refundRequested),
      ],
    }),
    apiTopUpRead: paysagaFunction(stack, 'apiTopUpRead', {
      ...functionOptions,
      env: { paymentsTable: tables.payments.tableName, apiClients },
      // The wallet's owner record and the top-up record: two GetItems.
      statements: [allow(['dynamodb:GetItem'], [tables.payments.tableArn]), keyStatement(key, false)],
    }),
    apiWebhooks: paysagaFunction(stack, 'apiWebhooks', {
      ...functionOptions,
      env: { paymentsTable: tables.payments.tableName, apiClients, webhookKeyId: key.keyArn },
      statements: [
        // The client's endpoints (pk WEBHOOK#ENDPOINTS): read, list, create once, rotate, delete.
        allow(
          [
            'dynamodb:GetItem',
            'dynamodb:Query',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
          ],
          [tables.payments.tableArn],
        ),
        // Signing secrets are encrypted with the stage's key (never decrypted here: shown once, at creation).
        allow(['kms:Encrypt'], [key.keyArn]),
        keyStatement(key, true),
      ],
    }),
  };

  // A recorded request is published even if api-submit died before publishing it (core/frontdoor/outbox.ts).
  const outbox = apiOutbox(stack, {
    ...functionOptions,
    key,
    table: tables.payments,
    bus,
    sources,
  });

  // The bus policy lives here, not in Intake: it names the roles that may publish, and this stack is the
  // first that can reference them all (intake, saga, api-submit; operations by its fixed name) without a
  // cycle. Deployed after Saga, so it never denies a role that a running saga still uses.
  attachBusPolicy(
    stack,
    bus,
    busPolicyStatements({
      busArn: bus.eventBusArn,
      producers: config.eventProducers,
      // The CSV import puts each valid row as PaymentRequested under its producer's source.
      paymentRequesters: [
        functions.apiSubmit.role.roleArn,
        outbox.publisher.role.roleArn,
        imports.importer.role.roleArn,
      ],
      // The hosted console's refund action asks as operations do (payctl payments refund).
      refundRequesters: [
        functions.apiRefunds.role.roleArn,
        roleArn(stack.stage, 'operations'),
        consoleActRoleArn(stack.stage),
      ],
      paysagaPublishers: [
        intake.role.roleArn,
        stateMachine.role.roleArn,
        topUp.stateMachine.role.roleArn,
        // BatchImported, the CSV import's summary.
        imports.importer.role.roleArn,
        // RefundRejected from the refund intake; the refund saga's outcomes.
        refund.functions.refundIntake.role.roleArn,
        refund.stateMachine.role.roleArn,
        roleArn(stack.stage, 'operations'),
        // The hosted console's act function records its audited actions on the bus, as payctl does.
        consoleActRoleArn(stack.stage),
      ],
    }),
  );

  const accessLogs = new LogGroup(stack, 'ApiAccessLogs', {
    logGroupName: `/aws/apigateway/${names.api}/access`,
    retention: config.logRetention,
    removalPolicy: config.removalPolicy,
  });

  const api = new RestApi(stack, 'Api', {
    restApiName: names.api,
    description: `paysaga ${stack.stage}: submit and read payments`,
    endpointConfiguration: { types: [EndpointType.REGIONAL] },
    apiKeySourceType: ApiKeySourceType.HEADER,
    // API Gateway's logging role is an account-wide setting (README "Deploy to AWS"), not this stack's to own.
    cloudWatchRole: false,
    deployOptions: {
      stageName: stack.stage,
      tracingEnabled: true,
      // Errors only, and never request or response bodies: a body may carry card data.
      loggingLevel: MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      // Every method, all clients together; the usage plans below limit each client.
      throttlingRateLimit: config.apiStageThrottle.rateLimit,
      throttlingBurstLimit: config.apiStageThrottle.burstLimit,
      accessLogDestination: new LogGroupLogDestination(accessLogs),
      accessLogFormat: AccessLogFormat.custom(accessLogFormat()),
    },
  });

  // API Gateway would create the execution log group itself, kept forever: create it first with retention.
  const executionLogs = new LogGroup(stack, 'ApiExecutionLogs', {
    logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${stack.stage}`,
    retention: config.logRetention,
    removalPolicy: config.removalPolicy,
  });
  api.deploymentStage.node.addDependency(executionLogs);
  addGatewayProblems(api);

  const authorizer = new CognitoUserPoolsAuthorizer(stack, 'ApiAuthorizer', {
    authorizerName: `${names.api}-clients`,
    cognitoUserPools: [auth.userPool],
  });
  // Body validation has no model to check against (the handler validates with zod); the flag is for cdk-nag.
  const validator = new RequestValidator(stack, 'ApiRequestValidator', {
    restApi: api,
    requestValidatorName: 'required-parameters',
    validateRequestParameters: true,
    validateRequestBody: true,
  });
  const integrations = Object.fromEntries(
    Object.entries(functions).map(([fnKey, { fn }]) => [
      fnKey,
      new LambdaIntegration(fn, { allowTestInvoke: false }),
    ]),
  ) as Record<ApiFunctionKey, LambdaIntegration>;

  for (const [routeKey, route] of Object.entries(API.routes) as [RouteKey, (typeof API.routes)[RouteKey]][]) {
    const requestParameters = Object.fromEntries([
      ...pathParameters(route.path).map((name) => [`method.request.path.${name}`, true]),
      ...(route.method === 'POST' ? [[`method.request.header.${API.idempotencyHeader}`, true]] : []),
    ]) as Record<string, boolean>;
    api.root.resourceForPath(route.path).addMethod(route.method, integrations[route.function], {
      authorizationType: AuthorizationType.COGNITO,
      authorizer,
      authorizationScopes: [apiScope(API.routes[routeKey].scope)],
      apiKeyRequired: true,
      requestValidator: validator,
      requestParameters,
    });
  }

  const usagePlans = clientUsagePlans(stack, api, names.api, config.apiClients, apiKeys);

  apiWebAcl(stack, {
    name: names.apiWebAcl,
    stageArn: api.deploymentStage.stageArn,
    rateLimitPer5MinPerIp: config.apiRateLimitPer5MinPerIp,
    logRetention: config.logRetention,
    removalPolicy: config.removalPolicy,
  });

  NagSuppressions.addResourceSuppressions(api.deploymentStage, [
    {
      id: 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted',
      reason:
        'No cache: a payment status must be read fresh, and a POST must reach the handler every time; nothing is cached, so nothing to encrypt',
    },
    {
      id: 'PCI.DSS.321-APIGWSSLEnabled',
      reason:
        'A client certificate authenticates API Gateway to an HTTP backend; the only backends are Lambda proxy integrations, invoked over AWS APIs with IAM',
    },
  ]);

  new CfnOutput(stack, 'ApiUrl', {
    value: api.url,
    description: 'Base URL of the paysaga API (append v1/...)',
  });
  new CfnOutput(stack, 'TokenEndpoint', {
    value: auth.tokenEndpoint,
    description: 'OAuth 2.0 token endpoint (client credentials grant)',
  });
  for (const client of config.apiClients) {
    const id = pascal(client.name);
    const appClient = auth.appClients.get(client.name);
    const plan = usagePlans.get(client.name);
    if (!appClient || !plan) throw new Error(`API client ${client.name} was not created`);
    new CfnOutput(stack, `${id}AppClientId`, {
      value: appClient.userPoolClientId,
      description: `${client.name}: Cognito app client id (its secret: aws cognito-idp describe-user-pool-client)`,
    });
    new CfnOutput(stack, `${id}ApiKeyId`, {
      value: plan.apiKey.keyId,
      description: `${client.name}: API key id (its value: aws apigateway get-api-key --include-value)`,
    });
    new CfnOutput(stack, `${id}UsagePlanId`, {
      value: plan.usagePlan.usagePlanId,
      description: `${client.name}: usage plan`,
    });
  }
  new CfnOutput(stack, 'UserPoolId', {
    value: auth.userPool.userPoolId,
    description: 'Cognito user pool of the API clients',
  });

  return {
    api,
    // The route functions and the outbox's publisher (Ops alarms on the errors of each).
    functions: { ...functions, publishOutbox: outbox.publisher },
    deadLetterQueues: { outboxDlq: outbox.deadLetterQueue } satisfies Record<string, IQueue>,
    userPool: auth.userPool,
    appClients: auth.appClients,
    usagePlans,
  };
}
