import { beforeAll, describe, expect, it } from 'vitest';
import { DLQ_KEYS } from '../../cli/ops/args';
import {
  CONSOLE_ACTION_PLANS,
  CONSOLE_API_PREFIX,
  CONSOLE_CONFIG_FILE,
  CONSOLE_GROUP_NAMES,
  CONSOLE_PASSWORD_POLICY,
  consoleFunctionName,
  consoleResponseHeaders,
  consoleRoleName,
  consoleStageConfig,
} from '../../core/config/console';
import { resourceNames } from '../../core/config/names';
import type { CfnApp, CfnResource } from './cfn';
import { synthesizeCfnApp, TEST_ACCOUNT, TEST_REGION } from './synth-helper';

/**
 * The hosted console (issue 20), as CloudFormation will create it: a private
 * bucket read only by CloudFront through OAC, HTTPS only with strict headers,
 * the people's pool (TOTP MFA required, strong passwords, no self sign-up, the
 * two groups, an authorization-code + PKCE client), and the console API whose
 * every method is behind the pool's authorizer, GET to the read function and
 * POST to the act function. Least privilege: test/infra/iam.test.ts; cdk-nag: nag.test.ts.
 */

type Props = Record<string, unknown>;
type Entry = [string, string, CfnResource];
const props = (resource: CfnResource): Props => resource.Properties ?? {};

describe.each(['prod', 'dev'])('Console stack (stage %s)', (stage) => {
  const config = consoleStageConfig(stage);
  let cfn: CfnApp;
  const all = (type: string): Entry[] => cfn.resourcesOfType(type).filter(([s]) => s === 'Console');
  const one = (type: string): Entry => {
    const found = all(type);
    if (found.length !== 1) throw new Error(`${found.length} ${type} in the Console stack`);
    return found[0] as Entry;
  };
  const rendered = ([s, , resource]: Entry) => cfn.renderDeep(s, props(resource)) as Props;

  beforeAll(async () => {
    cfn = await synthesizeCfnApp(stage);
  }, 240_000);

  describe('Hosting', () => {
    it('keeps the app bucket private: all public access blocked, no ACLs, TLS only, encrypted, logged', () => {
      // Act
      const buckets = all('AWS::S3::Bucket').map(rendered);
      const app = buckets.find((b) => String(b.BucketName).includes('console-app'));
      const policies = all('AWS::S3::BucketPolicy').map(rendered);
      // Assess
      expect(app).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        BucketEncryption: expect.anything(),
        LoggingConfiguration: expect.anything(),
      });
      for (const bucket of buckets) expect(bucket.PublicAccessBlockConfiguration).toBeDefined();
      const statements = policies.flatMap((p) => (p.PolicyDocument as { Statement: Props[] }).Statement);
      // Nobody but CloudFront reads it; every statement but the TLS deny names a service principal.
      for (const s of statements.filter((x) => x.Effect === 'Allow')) {
        expect(s.Principal).not.toEqual('*');
        expect(s.Principal).not.toEqual({ AWS: '*' });
      }
      const reads = statements.filter((s) => s.Effect === 'Allow' && s.Action === 's3:GetObject');
      expect(reads).toHaveLength(1);
      expect(reads[0]).toMatchObject({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.stringContaining(':distribution/') } },
      });
      expect(statements.filter((s) => s.Effect === 'Deny')).not.toHaveLength(0);
    });

    it('serves through CloudFront with origin access control, HTTPS only, WAF as the stage says', () => {
      // Act
      // Raw properties: origins name the buckets' and API's domains by GetAtt, which need not be rendered here.
      const distribution = props(one('AWS::CloudFront::Distribution')[2]).DistributionConfig as Props;
      const oac = rendered(one('AWS::CloudFront::OriginAccessControl')).OriginAccessControlConfig as Props;
      const behaviors = [
        distribution.DefaultCacheBehavior as Props,
        ...((distribution.CacheBehaviors as Props[]) ?? []),
      ];
      const origins = distribution.Origins as Props[];
      // Assess
      expect(oac).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' });
      const s3Origins = origins.filter((o) => o.S3OriginConfig !== undefined);
      expect(s3Origins.length).toBeGreaterThan(0);
      for (const origin of s3Origins) {
        expect(origin.OriginAccessControlId).toBeDefined();
        expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
      }
      for (const origin of origins.filter((o) => o.CustomOriginConfig !== undefined))
        expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });
      for (const behavior of behaviors) expect(behavior.ViewerProtocolPolicy).toBe('https-only');
      expect(behaviors.map((b) => b.PathPattern ?? 'default').sort()).toEqual(
        ['/api/*', `/${CONSOLE_CONFIG_FILE}`, 'default'].sort(),
      );
      expect(distribution.WebACLId).toBe(config.webAclArn);
      expect(distribution.Logging).toBeDefined();
    });

    it('sends a CSP without unsafe-inline, HSTS and frame-ancestors none on every behavior', () => {
      // Act
      const policy = rendered(one('AWS::CloudFront::ResponseHeadersPolicy')).ResponseHeadersPolicyConfig as {
        SecurityHeadersConfig: Record<string, Props>;
      };
      const distribution = (one('AWS::CloudFront::Distribution')[2].Properties as Props)
        .DistributionConfig as Props;
      const behaviors = [
        distribution.DefaultCacheBehavior as Props,
        ...((distribution.CacheBehaviors as Props[]) ?? []),
      ];
      const headers = policy.SecurityHeadersConfig;
      const csp = String(headers.ContentSecurityPolicy?.ContentSecurityPolicy);
      // Assess
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain(`https://${config.authDomainPrefix}.auth.`);
      expect(headers.StrictTransportSecurity).toMatchObject({
        AccessControlMaxAgeSec: 730 * 86_400,
        IncludeSubdomains: true,
        Override: true,
      });
      expect(headers.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
      // Exactly the headers the browser test serves (core/config/console.ts consoleResponseHeaders).
      const served = consoleResponseHeaders(
        `https://${config.authDomainPrefix}.auth.${TEST_REGION}.amazoncognito.com`,
      );
      expect(csp).toBe(served['content-security-policy']);
      expect(served['strict-transport-security']).toBe(
        `max-age=${headers.StrictTransportSecurity?.AccessControlMaxAgeSec}; includeSubDomains; preload`,
      );
      expect([
        headers.FrameOptions?.FrameOption,
        headers.ReferrerPolicy?.ReferrerPolicy,
        headers.ContentTypeOptions?.Override,
      ]).toEqual([served['x-frame-options'], served['referrer-policy'], true]);
      for (const behavior of behaviors) expect(behavior.ResponseHeadersPolicyId).toBeDefined();
    });
  });

  describe('People', () => {
    it('is a pool apart from the API clients: TOTP MFA required, strong passwords, admins create users', () => {
      // Act
      const pools = cfn.resourcesOfType('AWS::Cognito::UserPool');
      const pool = rendered(one('AWS::Cognito::UserPool'));
      // Assess
      expect(pools.map(([s]) => s).sort()).toEqual(['Api', 'Console']);
      expect(pool).toMatchObject({
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        Policies: {
          PasswordPolicy: {
            MinimumLength: CONSOLE_PASSWORD_POLICY.minLength,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
            TemporaryPasswordValidityDays: CONSOLE_PASSWORD_POLICY.tempPasswordValidityDays,
          },
        },
      });
      const expectedMode = config.threatProtection;
      expect((pool.UserPoolAddOns as Props | undefined)?.AdvancedSecurityMode ?? 'OFF').toBe(expectedMode);
    });

    it('has exactly the groups operations and finance', () => {
      // Act
      const groups = all('AWS::Cognito::UserPoolGroup').map((e) => rendered(e).GroupName);
      // Assess
      expect(groups.sort()).toEqual([...CONSOLE_GROUP_NAMES].sort());
    });

    it('signs the app in with the authorization code flow only (PKCE: a public client, no secret)', () => {
      // Act
      const client = props(one('AWS::Cognito::UserPoolClient')[2]);
      // Assess
      expect(client).toMatchObject({
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['openid'],
        GenerateSecret: false,
        SupportedIdentityProviders: ['COGNITO'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
      });
      // Back to the distribution's own https:// address only.
      expect(client.CallbackURLs).toEqual([
        {
          'Fn::Join': [
            '',
            [
              'https://',
              { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleDistribution/), 'DomainName'] },
              '/',
            ],
          ],
        },
      ]);
      expect(client.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    });
  });

  describe('Console API', () => {
    /** "/api/payments/{paymentId}/resolve" of a method, walking its resource's parents up to the API's root. */
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

    it('authorizes every method with the people pool, GET to the read function, POST and action plans to act', () => {
      // Act
      const [, authorizerId] = one('AWS::ApiGateway::Authorizer');
      const authorizer = rendered(one('AWS::ApiGateway::Authorizer'));
      const methods = all('AWS::ApiGateway::Method').map(([s, , m]) => ({
        method: String(props(m).HttpMethod),
        path: resourcePath(s, props(m).ResourceId),
        auth: props(m).AuthorizationType,
        authorizer: props(m).AuthorizerId,
        target: JSON.stringify(cfn.renderDeep(s, (props(m).Integration as Props | undefined)?.Uri)),
      }));
      const guarded = methods.filter((m) => m.path.startsWith(`${CONSOLE_API_PREFIX}/`));
      const open = methods.filter((m) => m.auth === 'NONE');
      const served = (access: 'read' | 'act') =>
        guarded
          .filter((m) => m.target.includes(`function:${consoleFunctionName(stage, access)}/`))
          .map((m) => `${m.method} ${m.path}`)
          .sort();
      // Assess
      expect(authorizer).toMatchObject({
        Type: 'COGNITO_USER_POOLS',
        IdentitySource: 'method.request.header.Authorization',
      });
      const [poolStack, poolId] = one('AWS::Cognito::UserPool');
      expect(JSON.stringify(authorizer.ProviderARNs)).toContain(`userpool/${poolId}`);
      expect(poolStack).toBe('Console');
      for (const m of guarded) {
        expect(m.auth).toBe('COGNITO_USER_POOLS');
        expect(m.authorizer).toEqual({ Ref: authorizerId });
      }
      // The one method without the authorizer: the public sign-in settings, from the read function.
      expect(open.map((m) => `${m.method} ${m.path}`)).toEqual([`GET /${CONSOLE_CONFIG_FILE}`]);
      expect(open[0]?.target).toContain(consoleFunctionName(stage, 'read'));
      // /api/{proxy+} takes every route; each action plan's path (and each resource on the way) is its own.
      const tree = ['/api/{proxy+}', '/api/payments', '/api/payments/{paymentId}']
        .concat(['/api/payments/{paymentId}/{proxy+}', '/api/dlqs', '/api/dlqs/{queue}'])
        .concat(['/api/dlqs/{queue}/{proxy+}']);
      const plans = CONSOLE_ACTION_PLANS.map((plan) => `${CONSOLE_API_PREFIX}${plan}`);
      expect(plans).toEqual([
        '/api/payments/{paymentId}/resolve',
        '/api/payments/{paymentId}/resolve-refund',
        '/api/dlqs/{queue}/plan',
      ]);
      expect(served('read')).toEqual(tree.map((path) => `GET ${path}`).sort());
      expect(served('act')).toEqual(
        [
          ...tree.map((path) => `POST ${path}`),
          ...plans.flatMap((path) => [`GET ${path}`, `POST ${path}`]),
        ].sort(),
      );
      expect(guarded).toHaveLength(served('read').length + served('act').length);
    });

    it('lets both functions reach every DLQ the console lists (payctl dlq list: every queue with a deadLetter spec)', () => {
      // Prepare
      const names = resourceNames(stage);
      const dlqArns = DLQ_KEYS.map(
        (key) => `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:${names.queues[key]}`,
      );
      // Act
      const reachable = (access: 'read' | 'act') => {
        const role = all('AWS::IAM::Role').find(
          ([, , r]) => props(r).RoleName === consoleRoleName(stage, access),
        );
        const policies = all('AWS::IAM::Policy').filter(([, , p]) =>
          JSON.stringify(props(p).Roles).includes(`"${role?.[1]}"`),
        );
        return policies
          .flatMap((p) => (rendered(p).PolicyDocument as { Statement: Props[] }).Statement)
          .filter((st) => JSON.stringify(st.Action).includes('sqs:ReceiveMessage'))
          .flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]));
      };
      // Assess
      expect(DLQ_KEYS).toContain('refundIntakeDlq');
      for (const access of ['read', 'act'] as const)
        expect(reachable(access)).toEqual(expect.arrayContaining(dlqArns));
    });

    it('tells each function its access, the pool and the app client, and nothing to any other', () => {
      // Act
      const functions = all('AWS::Lambda::Function').map(rendered);
      // Assess
      expect(functions.map((f) => f.FunctionName).sort()).toEqual(
        [consoleFunctionName(stage, 'act'), consoleFunctionName(stage, 'read')].sort(),
      );
      for (const fn of functions) {
        const variables = (fn.Environment as { Variables: Record<string, string> }).Variables;
        expect(variables.CONSOLE_ACCESS).toBe(String(fn.FunctionName).endsWith('-read') ? 'read' : 'act');
        expect(variables.CONSOLE_USER_POOL_ID).toBeDefined();
        expect(variables.CONSOLE_CLIENT_ID).toBeDefined();
        expect(variables.CONSOLE_AUTHORITY).toMatch(/^https:\/\/.+\.auth\..+\.amazoncognito\.com$/);
      }
    });

    it('outputs the console URL, the pool and the client for the README steps', () => {
      // Act
      const outputs = Object.keys(cfn.templates.Console?.Outputs ?? {});
      // Assess
      expect(outputs).toEqual(
        expect.arrayContaining([
          'ConsoleUrl',
          'ConsoleUserPoolId',
          'ConsoleAppClientId',
          'ConsoleBucketName',
        ]),
      );
    });
  });
});
