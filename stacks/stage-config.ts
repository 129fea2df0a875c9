import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

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
};

export function stageConfig(stage: string): StageConfig {
  return stage === 'prod' ? PROD : DEV;
}
