import { beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../core/config/env';
import { API, apiScope, resourceNames } from '../../core/config/names';
import { problemType } from '../../core/frontdoor/http';
import { GATEWAY_PROBLEMS } from '../../stacks/api-gateway-responses';
import { ALARM_PERIOD } from '../../stacks/Ops';
import { stageConfig } from '../../stacks/stage-config';
import type { CfnApp, CfnResource } from './cfn';
import { synthesizeCfnApp } from './synth-helper';

type Props = Record<string, unknown>;
type Entry = [string, string, CfnResource];
const props = (resource: CfnResource): Props => resource.Properties ?? {};

/** The scope each route needs, as the API contract states it (writes need write; wallets and webhook endpoints their own pair). */
const expectedScope = (route: { method: string; path: string }) => {
  const reads = route.method === 'GET';
  if (route.path.startsWith('/v1/wallets')) return apiScope(reads ? 'walletsRead' : 'walletsWrite');
  if (route.path.startsWith('/v1/webhook-endpoints'))
    return apiScope(reads ? 'webhooksRead' : 'webhooksWrite');
  return apiScope(reads ? 'read' : 'write');
};

describe.each(['prod', 'dev'])('Api stack (stage %s)', (stage) => {
  const n = resourceNames(stage);
  const config = stageConfig(stage);
  let cfn: CfnApp;

  // The hosted console's own REST API, pool and functions are test/infra/console.test.ts's.
  const all = (type: string): Entry[] => cfn.resourcesOfType(type).filter(([stack]) => stack !== 'Console');
  const one = (type: string, predicate: (p: Props) => boolean = () => true): Entry => {
    const matches = all(type).filter(([, , r]) => predicate(props(r)));
    if (matches.length !== 1) throw new Error(`${matches.length} ${type} match`);
    return matches[0] as Entry;
  };
  const refTo = ([, logicalId]: Entry) => ({ Ref: logicalId });
  const rendered = ([stack, , resource]: Entry) => cfn.renderDeep(stack, props(resource)) as Props;

  /** "/v1/payments/{paymentId}" of a method, walking its resource's parents up to the API's root. */
  const resourcePath = (stack: string, resourceRef: unknown): string => {
    const parts: string[] = [];
    let ref = resourceRef as { Ref?: string };
    while (ref.Ref) {
      const resource = props(cfn.resource(stack, ref.Ref));
      parts.unshift(String(resource.PathPart));
      ref = resource.ParentId as { Ref?: string };
    }
    return `/${parts.join('/')}`;
  };
  const methods = () =>
    all('AWS::ApiGateway::Method').map(([stack, id, method]) => ({
      entry: [stack, id, method] as Entry,
      key: `${props(method).HttpMethod} ${resourcePath(stack, props(method).ResourceId)}`,
    }));
  const methodOf = (route: { method: string; path: string }): Entry => {
    const found = methods().filter((m) => m.key === `${route.method} ${route.path}`);
    if (found.length !== 1) throw new Error(`${found.length} methods for ${route.method} ${route.path}`);
    return (found[0] as { entry: Entry }).entry;
  };
  const functionNamed = (name: string) => one('AWS::Lambda::Function', (p) => p.FunctionName === name);
  const restApi = () => one('AWS::ApiGateway::RestApi');
  const apiStage = () => one('AWS::ApiGateway::Stage');

  beforeAll(async () => {
    cfn = await synthesizeCfnApp(stage);
  });

  describe('REST API and routes', () => {
    it('is one regional REST API named from names.ts, with no CloudWatch role or account setting of its own', () => {
      // Act
      const api = restApi();
      // Assess
      expect(props(api[2]).Name).toBe(n.api);
      expect(props(api[2]).EndpointConfiguration).toEqual({ Types: ['REGIONAL'] });
      expect(props(api[2]).ApiKeySourceType).toBe('HEADER');
      expect(all('AWS::ApiGateway::Account')).toEqual([]);
    });

    it('has exactly the methods of API.routes, each a Lambda proxy integration of its function', () => {
      // Prepare
      const routes = Object.values(API.routes);
      // Act
      const keys = methods().map((m) => m.key);
      // Assess
      expect(keys.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
      for (const route of routes) {
        const integration = rendered(methodOf(route)).Integration as Props;
        const fnArn = cfn.arn(
          ...(functionNamed(n.functions[route.function]).slice(0, 2) as [string, string]),
        );
        expect(integration.Type).toBe('AWS_PROXY');
        expect(integration.IntegrationHttpMethod).toBe('POST');
        expect(integration.Uri).toBe(
          `arn:aws:apigateway:${cfn.env.region}:lambda:path/2015-03-31/functions/${fnArn}/invocations`,
        );
      }
    });

    it.each(Object.entries(API.routes))(
      'route %s: Cognito authorizer with its scope, API key required, validated parameters',
      (_key, route) => {
        // Prepare
        const authorizer = one('AWS::ApiGateway::Authorizer');
        const validator = one('AWS::ApiGateway::RequestValidator');
        // Act
        const p = props(methodOf(route)[2]);
        // Assess
        expect(p.AuthorizationType).toBe('COGNITO_USER_POOLS');
        expect(p.AuthorizerId).toEqual(refTo(authorizer));
        expect(p.AuthorizationScopes).toEqual([expectedScope(route)]);
        expect(p.ApiKeyRequired).toBe(true);
        expect(p.RequestValidatorId).toEqual(refTo(validator));
        const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(
          (m) => `method.request.path.${m[1]}`,
        );
        for (const parameter of pathParameters)
          expect(p.RequestParameters).toMatchObject({ [parameter]: true });
      },
    );

    it('sends both refund routes to api-refunds: POST needs payments.write and the key, GET payments.read', () => {
      // Prepare
      const { requestRefund, getRefund } = API.routes;
      const fnArn = cfn.arn(...(functionNamed(n.functions.apiRefunds).slice(0, 2) as [string, string]));
      // Act
      const post = rendered(methodOf(requestRefund));
      const get = rendered(methodOf(getRefund));
      // Assess
      expect([requestRefund.function, getRefund.function]).toEqual(['apiRefunds', 'apiRefunds']);
      expect(post.AuthorizationScopes).toEqual([`${API.resourceServer}/payments.write`]);
      expect(get.AuthorizationScopes).toEqual([`${API.resourceServer}/payments.read`]);
      expect(post.RequestParameters).toEqual({
        'method.request.path.paymentId': true,
        [`method.request.header.${API.idempotencyHeader}`]: true,
      });
      expect(get.RequestParameters).toEqual({
        'method.request.path.paymentId': true,
        'method.request.path.refundId': true,
      });
      for (const method of [post, get])
        expect(JSON.stringify((method.Integration as Props).Uri)).toContain(
          `/functions/${fnArn}/invocations`,
        );
    });

    it(`refuses a POST without the ${API.idempotencyHeader} header (request validator)`, () => {
      // Act
      const post = props(methodOf(API.routes.submitPayment)[2]);
      const validator = props(one('AWS::ApiGateway::RequestValidator')[2]);
      // Assess
      expect(API.routes.submitPayment.method).toBe('POST');
      expect(post.RequestParameters).toEqual({ [`method.request.header.${API.idempotencyHeader}`]: true });
      expect(validator.ValidateRequestParameters).toBe(true);
    });

    it('authorizes with the API user pool, on the Authorization header', () => {
      // Act
      const authorizer = rendered(one('AWS::ApiGateway::Authorizer'));
      // Assess
      expect(authorizer).toMatchObject({
        Type: 'COGNITO_USER_POOLS',
        IdentitySource: 'method.request.header.Authorization',
        ProviderARNs: [cfn.arn(...(one('AWS::Cognito::UserPool').slice(0, 2) as [string, string]))],
      });
    });
  });

  describe('Gateway responses', () => {
    it("answers API Gateway's own refusals as the handlers' problem documents", () => {
      // Act
      const responses = all('AWS::ApiGateway::GatewayResponse').map(([, , r]) => props(r));

      // Assess
      for (const expected of GATEWAY_PROBLEMS) {
        const response = responses.find((r) => r.ResponseType === expected.type.responseType);
        expect(response, expected.type.responseType).toBeDefined();
        expect(response?.StatusCode).toBe(String(expected.status));
        expect(response?.ResponseParameters).toMatchObject({
          'gatewayresponse.header.Content-Type': "'application/problem+json'",
        });
        const template =
          ((response?.ResponseTemplates ?? {}) as Record<string, string>)['application/json'] ?? '';
        const body = JSON.parse(template.replace('$context.error.messageString', '"Unauthorized"')) as Props;
        expect(body).toEqual({
          type: problemType(expected.code),
          title: expected.title,
          status: expected.status,
          detail: 'Unauthorized',
        });
      }
      expect(GATEWAY_PROBLEMS.map((p) => p.status)).toEqual(
        expect.arrayContaining([400, 401, 403, 413, 429]),
      );
    });
  });

  describe('Stage', () => {
    it('logs errors only, never request data, traces, and caps every method', () => {
      // Act
      const p = props(apiStage()[2]);
      // Assess
      expect(p.StageName).toBe(stage);
      expect(p.TracingEnabled).toBe(true);
      expect(p.MethodSettings).toEqual([
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: config.apiStageThrottle.rateLimit,
          ThrottlingBurstLimit: config.apiStageThrottle.burstLimit,
        },
      ]);
      expect(p.CacheClusterEnabled).toBeUndefined();
    });

    it('writes a JSON access line per request with the caller, the route, the status, latencies, WAF and errors', () => {
      // Prepare
      const logGroup = one(
        'AWS::Logs::LogGroup',
        (p) => p.LogGroupName === `/aws/apigateway/${n.api}/access`,
      );
      // Act
      const setting = rendered(apiStage()).AccessLogSetting as { DestinationArn: string; Format: string };
      // API Gateway substitutes each variable; the error message arrives already quoted.
      const line = JSON.parse(
        setting.Format.replace('$context.error.messageString', '"say \\"no\\""'),
      ) as Props;
      // Assess
      expect(setting.DestinationArn).toBe(cfn.arn(...(logGroup.slice(0, 2) as [string, string])));
      expect(props(logGroup[2]).RetentionInDays).toBe(Number(config.logRetention));
      expect(line).toMatchObject({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        clientId: '$context.authorizer.claims.client_id',
        httpMethod: '$context.httpMethod',
        resourcePath: '$context.resourcePath',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationLatencyMs: '$context.integration.latency',
        wafResponse: '$context.wafResponseCode',
        errorMessage: 'say "no"',
      });
      expect(setting.Format).not.toMatch(/requestBody|\$input|\$context\.requestOverride|\$context\.path\b/);
    });

    it('creates the execution log group itself, with the stage retention, before the stage', () => {
      // Prepare
      const api = restApi();
      const [stack, , stageResource] = apiStage();
      // Act
      const [, logId, logGroup] = one('AWS::Logs::LogGroup', (p) =>
        JSON.stringify(p.LogGroupName).includes('API-Gateway-Execution-Logs_'),
      );
      // Assess
      expect(cfn.render(stack, props(logGroup).LogGroupName)).toBe(
        `API-Gateway-Execution-Logs_${cfn.render(stack, refTo(api))}/${stage}`,
      );
      expect(props(logGroup).RetentionInDays).toBe(Number(config.logRetention));
      expect((stageResource as { DependsOn?: string[] }).DependsOn).toContain(logId);
    });
  });

  describe('Per-client limits', () => {
    it('gives each configured client one API key and one usage plan with its throttle and daily quota', () => {
      // Prepare
      const [stack] = restApi();
      // Act
      const plans = all('AWS::ApiGateway::UsagePlan').map(rendered);
      const keys = all('AWS::ApiGateway::ApiKey');
      const planKeys = all('AWS::ApiGateway::UsagePlanKey').map(([, , r]) => props(r));
      // Assess
      expect(config.apiClients.length).toBeGreaterThan(0);
      expect(plans).toHaveLength(config.apiClients.length);
      expect(keys).toHaveLength(config.apiClients.length);
      for (const client of config.apiClients) {
        const throttle = client.throttle ?? API.defaultThrottle;
        const plan = one('AWS::ApiGateway::UsagePlan', (p) => p.UsagePlanName === `${n.api}-${client.name}`);
        const key = one('AWS::ApiGateway::ApiKey', (p) => p.Name === `${n.api}-${client.name}`);
        expect(rendered(plan)).toMatchObject({
          Throttle: { RateLimit: throttle.rateLimit, BurstLimit: throttle.burstLimit },
          Quota: { Limit: client.dailyQuota, Period: 'DAY' },
          ApiStages: [{ ApiId: cfn.render(stack, refTo(restApi())), Stage: stage }],
        });
        expect(props(key[2]).Enabled).toBe(true);
        expect(props(key[2]).Value).toBeUndefined();
        expect(planKeys).toContainEqual({ KeyId: refTo(key), KeyType: 'API_KEY', UsagePlanId: refTo(plan) });
      }
      expect(planKeys).toHaveLength(config.apiClients.length);
    });
  });

  describe('Cognito', () => {
    it('is a user pool without sign-up whose resource server defines the two scopes', () => {
      // Act
      const [, , pool] = one('AWS::Cognito::UserPool');
      const server = props(one('AWS::Cognito::UserPoolResourceServer')[2]);
      const domain = props(one('AWS::Cognito::UserPoolDomain')[2]);
      // Assess
      expect(props(pool).UserPoolName).toBe(n.apiUserPool);
      expect(props(pool).AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
      expect(pool.DeletionPolicy).toBe(stage === 'prod' ? 'Retain' : 'Delete');
      expect(server.Identifier).toBe(API.resourceServer);
      expect((server.Scopes as { ScopeName: string }[]).map((s) => s.ScopeName).sort()).toEqual(
        Object.values(API.scopes).sort(),
      );
      expect(domain.Domain).toBe(config.apiAuthDomainPrefix);
    });

    it('has one app client per configured client: a secret, client credentials only, its scopes', () => {
      // Act
      const clients = all('AWS::Cognito::UserPoolClient');
      // Assess
      expect(clients).toHaveLength(config.apiClients.length);
      for (const client of config.apiClients) {
        const appClient = rendered(one('AWS::Cognito::UserPoolClient', (p) => p.ClientName === client.name));
        expect(appClient).toMatchObject({
          GenerateSecret: true,
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthScopes: client.scopes.map((scope) => apiScope(scope)),
        });
        const flows = (appClient.ExplicitAuthFlows ?? []) as string[];
        expect(flows.filter((flow) => /PASSWORD|SRP|CUSTOM/.test(flow))).toEqual([]);
      }
    });
  });

  describe('Functions', () => {
    it('tells both functions which app client emits under which source (API_CLIENTS)', () => {
      // Prepare
      const expected = config.apiClients.map((client) => {
        const appClient = one('AWS::Cognito::UserPoolClient', (p) => p.ClientName === client.name);
        const apiKey = one('AWS::ApiGateway::ApiKey', (p) => p.Name === `${n.api}-${client.name}`);
        return {
          clientId: cfn.render(appClient[0], refTo(appClient)),
          source: client.source,
          apiKeyId: cfn.render(apiKey[0], refTo(apiKey)),
        };
      });
      // Act
      const envOf = (key: 'apiSubmit' | 'apiRead') =>
        (rendered(functionNamed(n.functions[key])).Environment as { Variables: Record<string, string> })
          .Variables;
      // Assess
      expect(JSON.parse(envOf('apiSubmit')[ENV_KEYS.apiClients] ?? '')).toEqual(expected);
      expect(JSON.parse(envOf('apiRead')[ENV_KEYS.apiClients] ?? '')).toEqual(expected);
      expect(envOf('apiSubmit')).toMatchObject({
        [ENV_KEYS.stage]: stage,
        [ENV_KEYS.paymentsTable]: n.tables.payments,
        [ENV_KEYS.eventBusName]: n.eventBus,
      });
      expect(envOf('apiRead')).toMatchObject({
        [ENV_KEYS.stage]: stage,
        [ENV_KEYS.paymentsTable]: n.tables.payments,
      });
      expect(envOf('apiRead')[ENV_KEYS.eventBusName]).toBeUndefined();
    });

    it('tells api-refunds its clients, the bus for RefundRequested and the refund state machine its records name', () => {
      // Act
      const variables = (
        rendered(functionNamed(n.functions.apiRefunds)).Environment as { Variables: Record<string, string> }
      ).Variables;
      // Assess
      expect(
        (JSON.parse(variables[ENV_KEYS.apiClients] ?? '[]') as { source: string }[]).map((c) => c.source),
      ).toEqual(config.apiClients.map((client) => client.source));
      expect(variables).toMatchObject({
        [ENV_KEYS.paymentsTable]: n.tables.payments,
        [ENV_KEYS.eventBusName]: n.eventBus,
        [ENV_KEYS.refundStateMachineArn]: `arn:aws:states:${cfn.env.region}:${cfn.env.account}:stateMachine:${n.refundStateMachine}`,
      });
    });
  });

  describe('WAF', () => {
    it('puts a regional web ACL with the rate limit and the managed rule sets in front of the stage', () => {
      // Act
      const acl = one('AWS::WAFv2::WebACL');
      const p = props(acl[2]);
      const rules = p.Rules as Props[];
      const association = rendered(one('AWS::WAFv2::WebACLAssociation'));
      // Assess
      expect(p).toMatchObject({ Name: n.apiWebAcl, Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
      expect(rules).toContainEqual(
        expect.objectContaining({
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: {
              AggregateKeyType: 'IP',
              Limit: config.apiRateLimitPer5MinPerIp,
              EvaluationWindowSec: 300,
            },
          },
        }),
      );
      for (const name of ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']) {
        expect(rules).toContainEqual(
          expect.objectContaining({
            OverrideAction: { None: {} },
            Statement: { ManagedRuleGroupStatement: { Name: name, VendorName: 'AWS' } },
          }),
        );
      }
      expect(rules).toHaveLength(3);
      for (const visibility of [p.VisibilityConfig, ...rules.map((r) => r.VisibilityConfig)])
        expect(visibility).toMatchObject({ CloudWatchMetricsEnabled: true });
      expect(association).toEqual({
        ResourceArn: `arn:aws:apigateway:${cfn.env.region}::/restapis/${cfn.render(acl[0], refTo(restApi()))}/stages/${stage}`,
        WebACLArn: cfn.arn(acl[0], acl[1]),
      });
    });

    it('logs to an aws-waf-logs- group with the stage retention, bearer token and API key redacted', () => {
      // Act
      const logging = rendered(one('AWS::WAFv2::LoggingConfiguration'));
      const logGroup = one('AWS::Logs::LogGroup', (p) => p.LogGroupName === `aws-waf-logs-${n.apiWebAcl}`);
      // Assess
      expect(logging.LogDestinationConfigs).toEqual([
        `arn:aws:logs:${cfn.env.region}:${cfn.env.account}:log-group:aws-waf-logs-${n.apiWebAcl}`,
      ]);
      expect(logging.RedactedFields).toEqual([
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'x-api-key' } },
      ]);
      expect(props(logGroup[2]).RetentionInDays).toBe(Number(config.logRetention));
    });
  });

  describe('Alarms and outputs', () => {
    const alarms = () => all('AWS::CloudWatch::Alarm').map(rendered);
    const topicArn = () =>
      cfn.arn(
        ...(one('AWS::SNS::Topic', (p) => p.TopicName === `paysaga-${stage}-alarms`).slice(0, 2) as [
          string,
          string,
        ]),
      );

    it('alarms on any 5XX answer in 5 minutes and on p99 latency above the stage threshold, to the alarm topic', () => {
      // Act
      const apiAlarms = alarms().filter((a) => a.Namespace === 'AWS/ApiGateway');
      // Assess
      expect(apiAlarms.map((a) => a.MetricName).sort()).toEqual(['5XXError', 'Latency']);
      for (const alarm of apiAlarms) {
        expect(alarm.Dimensions).toEqual([{ Name: 'ApiName', Value: n.api }]);
        expect(alarm.Period).toBe(ALARM_PERIOD.toSeconds());
        expect(alarm.AlarmActions).toEqual([topicArn()]);
      }
      expect(apiAlarms.find((a) => a.MetricName === '5XXError')).toMatchObject({
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(apiAlarms.find((a) => a.MetricName === 'Latency')).toMatchObject({
        ExtendedStatistic: 'p99',
        Threshold: config.apiLatencyP99AlarmMs,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('outputs the API URL, the token endpoint and each client ids for operators', () => {
      // Prepare
      const api = cfn.templates.Api;
      if (!api) throw new Error('no Api stack');
      const output = (name: string) => {
        const value = api.Outputs?.[name]?.Value;
        if (value === undefined) throw new Error(`no output ${name}`);
        return cfn.render('Api', value);
      };
      // Act
      const apiId = cfn.render('Api', refTo(restApi()));
      // Assess
      expect(output('ApiUrl')).toBe(`https://${apiId}.execute-api.${cfn.env.region}.amazonaws.com/${stage}/`);
      expect(output('TokenEndpoint')).toBe(
        `https://${config.apiAuthDomainPrefix}.auth.${cfn.env.region}.amazoncognito.com/oauth2/token`,
      );
      for (const client of config.apiClients) {
        const id = client.name
          .split('-')
          .map((part) => `${part.charAt(0).toUpperCase()}${part.slice(1)}`)
          .join('');
        const plan = one('AWS::ApiGateway::UsagePlan', (p) => p.UsagePlanName === `${n.api}-${client.name}`);
        const appClient = one('AWS::Cognito::UserPoolClient', (p) => p.ClientName === client.name);
        const key = one('AWS::ApiGateway::ApiKey', (p) => p.Name === `${n.api}-${client.name}`);
        // Generated ids render as the logical ids of their resources.
        expect(output(`${id}UsagePlanId`)).toBe(plan[1]);
        expect(output(`${id}AppClientId`)).toBe(appClient[1]);
        expect(output(`${id}ApiKeyId`)).toBe(key[1]);
      }
    });
  });
});
