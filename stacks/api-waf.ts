import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';

export interface ApiWebAclOptions {
  readonly name: string;
  /** The API stage the ACL protects (arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>). */
  readonly stageArn: string;
  readonly rateLimitPer5MinPerIp: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** AWS managed rule groups in front of the API, in evaluation order after the rate limit. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;
export const RATE_LIMIT_RULE = 'RateLimitPerIp';
/** Headers WAF logs would otherwise write in full: the bearer token and the API key. */
export const REDACTED_HEADERS = ['authorization', 'x-api-key'] as const;

/**
 * Sampled requests stay off: the WAF console would show them with their
 * Authorization and x-api-key headers; the logs below redact both.
 */
const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: false,
});

/**
 * A regional WAF web ACL on the API stage: allow by default, block an IP
 * above the rate limit, then AWS's common rule set (OWASP-style: bad bots,
 * oversize bodies, XSS, path traversal) and known bad inputs (Log4Shell,
 * Java deserialization, ...). Its logs go to a log group with the stage's
 * retention, credentials redacted.
 */
export function apiWebAcl(scope: Construct, options: ApiWebAclOptions): CfnWebACL {
  const rateLimit: CfnWebACL.RuleProperty = {
    name: RATE_LIMIT_RULE,
    priority: 0,
    action: { block: {} },
    statement: {
      rateBasedStatement: {
        limit: options.rateLimitPer5MinPerIp,
        aggregateKeyType: 'IP',
        evaluationWindowSec: 300,
      },
    },
    visibilityConfig: visibility(`${options.name}-${RATE_LIMIT_RULE}`),
  };
  const managed = MANAGED_RULE_GROUPS.map(
    (name, index): CfnWebACL.RuleProperty => ({
      name,
      priority: index + 1,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(`${options.name}-${name}`),
    }),
  );
  const webAcl = new CfnWebACL(scope, 'ApiWebAcl', {
    name: options.name,
    description: 'paysaga API: per-IP rate limit and AWS managed rules',
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility(options.name),
    rules: [rateLimit, ...managed],
  });
  new CfnWebACLAssociation(scope, 'ApiWebAclAssociation', {
    resourceArn: options.stageArn,
    webAclArn: webAcl.attrArn,
  });

  // WAF delivers only to a log group whose name starts with aws-waf-logs-, given by its ARN without ":*".
  const logGroupName = `aws-waf-logs-${options.name}`;
  const logGroup = new LogGroup(scope, 'ApiWafLogs', {
    logGroupName,
    retention: options.logRetention,
    removalPolicy: options.removalPolicy,
  });
  const logging = new CfnLoggingConfiguration(scope, 'ApiWafLogging', {
    resourceArn: webAcl.attrArn,
    logDestinationConfigs: [
      Stack.of(scope).formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ],
    redactedFields: REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })),
  });
  logging.node.addDependency(logGroup);
  return webAcl;
}
