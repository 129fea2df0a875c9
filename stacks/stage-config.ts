import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type HistoryRetention, historyRetention, MIN_PAYMENT_RECORD_TTL_DAYS } from '../core/config/history';
import type { API } from '../core/config/names';

/** Requests per second and burst, as API Gateway throttles them. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * One machine client of the front door: a Cognito app client (client
 * credentials), an API key and its own usage plan. Its requests become
 * PaymentRequested events under `source`, which no other client or producer has.
 */
export interface ApiClientConfig {
  /** Names its app client, API key and usage plan; lower-case, unique per stage. */
  readonly name: string;
  /** The EventBridge source its requests are published under (reverse-DNS, never `paysaga.*`). */
  readonly source: string;
  readonly scopes: readonly (keyof typeof API.scopes)[];
  /** Default: API.defaultThrottle. */
  readonly throttle?: Throttle;
  /** Requests per day before API Gateway answers 429 until midnight UTC. */
  readonly dailyQuota: number;
}

/** An upstream system that puts PaymentRequested on the bus itself, under its own sources only. */
export interface EventProducerConfig {
  /** An IAM role ARN (the bus policy names it in aws:PrincipalArn, which is a role's ARN, not its account's). */
  readonly principal: string;
  readonly sources: readonly string[];
  /**
   * Also may put RefundRequested under its sources (issue 16: refunds from producers). The refund intake
   * checks the payment and what is refundable, not who asked: give it only to the merchant's own systems.
   */
  readonly refunds?: boolean;
}

/**
 * Everything that differs between stages, in one typed place. `dev` is the
 * default for any stage that is not `prod` (personal stages, CI, previews).
 */
export interface StageConfig {
  /** IAM principals (role or account ARNs) allowed to assume the operations role. */
  readonly opsPrincipals: readonly string[];
  /** IAM principals allowed to assume the read-only finance role. */
  readonly financePrincipals: readonly string[];
  /** Where alarm notifications go; none means subscribe to the topic some other way. */
  readonly alarmEmail?: string;
  /** What happens to stateful resources (tables, key, secret, queues) when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** DynamoDB deletion protection: a table cannot be deleted, even by CloudFormation, until it is turned off. */
  readonly deletionProtection: boolean;
  readonly logRetention: RetentionDays;
  readonly logLevel: 'DEBUG' | 'INFO';
  /** Intake backpressure: at most this many concurrent intake Lambdas (SQS maximumConcurrency, 2-1000). */
  readonly intakeMaxConcurrency: number;
  /** The front door's clients (stacks/Api.ts): each gets an app client, an API key and a usage plan. */
  readonly apiClients: readonly ApiClientConfig[];
  /** Cognito hosted domain prefix: the token endpoint is https://<prefix>.auth.<region>.amazoncognito.com/oauth2/token. Globally unique per region. */
  readonly apiAuthDomainPrefix: string;
  /** Every method of the API stage, all clients together: the cap behind the per-client usage plans. */
  readonly apiStageThrottle: Throttle;
  /** WAF rate-based rule: requests from one IP in any 5 minutes before it is blocked. */
  readonly apiRateLimitPer5MinPerIp: number;
  /** Alarm when the API's p99 latency (API Gateway, ms) is above this for 5 minutes. */
  readonly apiLatencyP99AlarmMs: number;
  /** Upstream systems allowed to put events on the bus (stacks/bus-policy.ts). */
  readonly eventProducers: readonly EventProducerConfig[];
  /** The payments table's TTL for settled, archived payments and the history archive's Object Lock retention. */
  readonly history: HistoryRetention;
}

/** Account that owns the principals below; replace with your organisation's before the first deploy. */
const OPERATIONS_ACCOUNT = '111111111111';

const DEV: StageConfig = {
  opsPrincipals: [`arn:aws:iam::${OPERATIONS_ACCOUNT}:role/paysaga-dev-operators`],
  financePrincipals: [`arn:aws:iam::${OPERATIONS_ACCOUNT}:role/paysaga-dev-finance`],
  removalPolicy: RemovalPolicy.DESTROY,
  deletionProtection: false,
  logRetention: RetentionDays.TWO_WEEKS,
  logLevel: 'DEBUG',
  intakeMaxConcurrency: 2,
  apiClients: [
    {
      name: 'example-partner',
      source: 'partner.example',
      scopes: ['write', 'read', 'walletsWrite', 'walletsRead'],
      throttle: { rateLimit: 10, burstLimit: 20 },
      dailyQuota: 10_000,
    },
  ],
  // Cognito domain prefixes are unique per region across all AWS accounts: change it if it is taken.
  apiAuthDomainPrefix: 'paysaga-dev-api',
  apiStageThrottle: { rateLimit: 50, burstLimit: 100 },
  // 5 minutes at 10 requests/s, the example client's rate.
  apiRateLimitPer5MinPerIp: 3_000,
  apiLatencyP99AlarmMs: 3_000,
  history: historyRetention('dev'),
  eventProducers: [
    {
      principal: `arn:aws:iam::${OPERATIONS_ACCOUNT}:role/paysaga-dev-checkout`,
      sources: ['com.example.checkout'],
    },
  ],
};

const PROD: StageConfig = {
  opsPrincipals: [`arn:aws:iam::${OPERATIONS_ACCOUNT}:role/paysaga-prod-operators`],
  financePrincipals: [`arn:aws:iam::${OPERATIONS_ACCOUNT}:role/paysaga-prod-finance`],
  alarmEmail: 'payments-oncall@example.com',
  removalPolicy: RemovalPolicy.RETAIN,
  deletionProtection: true,
  // PCI DSS 10.7: keep audit logs at least one year.
  logRetention: RetentionDays.ONE_YEAR,
  logLevel: 'INFO',
  intakeMaxConcurrency: 20,
  // PLACEHOLDER clients: replace with your real partners (one entry per client) before the first deploy.
  apiClients: [
    {
      name: 'placeholder-partner',
      source: 'partner.placeholder',
      scopes: ['write', 'read', 'walletsWrite', 'walletsRead'],
      dailyQuota: 1_000_000,
    },
    {
      name: 'placeholder-reporting',
      source: 'partner.placeholder-reporting',
      scopes: ['read', 'walletsRead'],
      throttle: { rateLimit: 5, burstLimit: 10 },
      dailyQuota: 100_000,
    },
  ],
  apiAuthDomainPrefix: 'paysaga-prod-api',
  apiStageThrottle: { rateLimit: 500, burstLimit: 1_000 },
  // Twice the default client rate (50/s) over 5 minutes: a client behind one NAT address is not blocked.
  apiRateLimitPer5MinPerIp: 30_000,
  apiLatencyP99AlarmMs: 2_000,
  history: historyRetention('prod'),
  // PLACEHOLDER producer: replace with the roles of the systems that put PaymentRequested themselves.
  eventProducers: [
    {
      principal: `arn:aws:iam::${OPERATIONS_ACCOUNT}:role/paysaga-prod-checkout`,
      sources: ['com.example.checkout'],
    },
  ],
};

export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

const SOURCE = /^[a-z0-9][a-z0-9.-]{1,127}$/;
const CLIENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * Refuses a configuration that would weaken the bus policy or the API's
 * bookkeeping: a source shared by two emitters (one could publish as the
 * other), a `paysaga.*` source (paysaga's own events), a producer that is not
 * a role, duplicate client names, a client without scopes or a quota.
 */
export function validateStageConfig(config: StageConfig): StageConfig {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  const claim = (source: string, owner: string) => {
    if (!SOURCE.test(source))
      problems.push(`${owner}: source "${source}" is not a lower-case reverse-DNS name`);
    if (source.startsWith('paysaga.'))
      problems.push(`${owner}: source "${source}" belongs to paysaga itself`);
    const previous = owners.get(source);
    if (previous) problems.push(`source "${source}" is claimed by both ${previous} and ${owner}`);
    owners.set(source, owner);
  };
  const names = new Set<string>();
  for (const client of config.apiClients) {
    if (!CLIENT_NAME.test(client.name))
      problems.push(`API client name "${client.name}" is not lower-case kebab`);
    if (names.has(client.name)) problems.push(`API client name "${client.name}" appears twice`);
    names.add(client.name);
    if (client.scopes.length === 0) problems.push(`API client ${client.name} has no scope`);
    if (!(client.dailyQuota > 0)) problems.push(`API client ${client.name} has no daily quota`);
    claim(client.source, `API client ${client.name}`);
  }
  for (const producer of config.eventProducers) {
    if (!ROLE_ARN.test(producer.principal)) problems.push(`producer ${producer.principal} is not a role ARN`);
    if (producer.sources.length === 0) problems.push(`producer ${producer.principal} has no source`);
    for (const source of producer.sources) claim(source, `producer ${producer.principal}`);
  }
  if (config.history.paymentRecordTtlDays < MIN_PAYMENT_RECORD_TTL_DAYS)
    problems.push(
      `history.paymentRecordTtlDays ${config.history.paymentRecordTtlDays} is under Step Functions' ${MIN_PAYMENT_RECORD_TTL_DAYS}-day retention`,
    );
  if (!(config.history.objectLockDays >= 1)) problems.push('history.objectLockDays must be at least 1');
  if (problems.length > 0) throw new StageConfigError(`invalid stage config: ${problems.join('; ')}`);
  return config;
}

export function stageConfig(stage: string): StageConfig {
  return validateStageConfig(stage === 'prod' ? PROD : DEV);
}
