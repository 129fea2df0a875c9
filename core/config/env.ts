/**
 * Every environment variable paysaga's functions read, resolved in one place.
 * stacks/ and the local runtime set them from `envFor()` so both agree.
 */
export const ENV_KEYS = {
  stage: 'PAYSAGA_STAGE',
  ledgerTable: 'LEDGER_TABLE',
  paymentsTable: 'PAYMENTS_TABLE',
  idempotencyTable: 'IDEMPOTENCY_TABLE',
  eventBusName: 'EVENT_BUS_NAME',
  stateMachineArn: 'STATE_MACHINE_ARN',
  topUpStateMachineArn: 'TOP_UP_STATE_MACHINE_ARN',
  topUpIntakeDlqUrl: 'TOP_UP_INTAKE_DLQ_URL',
  refundStateMachineArn: 'REFUND_STATE_MACHINE_ARN',
  refundIntakeDlqUrl: 'REFUND_INTAKE_DLQ_URL',
  intakeDlqUrl: 'INTAKE_DLQ_URL',
  notificationQueueUrl: 'NOTIFICATION_QUEUE_URL',
  gatewaySecretId: 'GATEWAY_SECRET_ID',
  holdTtlSeconds: 'HOLD_TTL_SECONDS',
  gatewayTimeoutMs: 'GATEWAY_TIMEOUT_MS',
  gatewayMaxNetworkRetries: 'GATEWAY_MAX_NETWORK_RETRIES',
  apiClients: 'API_CLIENTS',
  webhookDeliveryQueueUrl: 'WEBHOOK_DELIVERY_QUEUE_URL',
  webhookDlqUrl: 'WEBHOOK_DLQ_URL',
  webhookKeyId: 'WEBHOOK_KEY_ID',
  webhookUrlMode: 'WEBHOOK_URL_MODE',
  webhookTimeScale: 'WEBHOOK_TIME_SCALE',
  historyBucket: 'HISTORY_BUCKET',
  paymentRecordTtlDays: 'PAYMENT_RECORD_TTL_DAYS',
  importBucket: 'IMPORT_BUCKET',
  importSources: 'IMPORT_SOURCES',
} as const;

export type EnvKey = keyof typeof ENV_KEYS;

/**
 * What each setting must be. Read with a table of rules rather than zod (the rest of our boundaries): the
 * environment is read at every cold start, and zod's schema for it cost 4-8 ms of each function's init
 * (issue 18 goal 1, `npm run bench:lambda -- --lower-bound`). test/unit/env.test.ts holds it to the zod
 * schema it replaced: the same values accepted, refused and produced.
 */
type Rule =
  /** At least `minLength` UTF-16 units. */
  | { readonly kind: 'text'; readonly minLength: number }
  /** `Number(value)`, finite; a safe integer when `integer`; within the bounds. */
  | {
      readonly kind: 'number';
      readonly integer: boolean;
      readonly above?: number;
      readonly atLeast?: number;
      readonly atMost?: number;
    }
  | { readonly kind: 'oneOf'; readonly values: readonly string[] };

const text = (minLength: number): Rule => ({ kind: 'text', minLength });
const positiveInteger: Rule = { kind: 'number', integer: true, above: 0 };

/** Each setting's rule, and its value when unset (or set to ""); without one it stays undefined. */
const SETTINGS: { readonly [K in EnvKey]: { readonly rule: Rule; readonly unset?: string | number } } = {
  stage: { rule: text(1), unset: 'local' },
  ledgerTable: { rule: text(1) },
  paymentsTable: { rule: text(1) },
  idempotencyTable: { rule: text(1) },
  eventBusName: { rule: text(1) },
  stateMachineArn: { rule: text(1) },
  topUpStateMachineArn: { rule: text(1) },
  topUpIntakeDlqUrl: { rule: text(1) },
  refundStateMachineArn: { rule: text(1) },
  refundIntakeDlqUrl: { rule: text(1) },
  intakeDlqUrl: { rule: text(1) },
  notificationQueueUrl: { rule: text(1) },
  gatewaySecretId: { rule: text(1) },
  /** Holds outlive Step Functions' 14-day redrive window, so a redriven saga still finds its hold. */
  holdTtlSeconds: { rule: positiveInteger, unset: 15 * 24 * 3600 },
  /** How long a gateway call may take before it counts as an ambiguous timeout (retried with the same key). */
  gatewayTimeoutMs: { rule: positiveInteger, unset: 10_000 },
  /** The Stripe HTTP client's own retries (core/gateway/stripe-http.ts; same idempotency key) before the saga's Retry takes over. */
  gatewayMaxNetworkRetries: { rule: { kind: 'number', integer: true, atLeast: 0, atMost: 5 }, unset: 1 },
  /** The front door's clients as JSON: [{ clientId, source }] (core/frontdoor/clients.ts validates it). */
  apiClients: { rule: text(2) },
  webhookDeliveryQueueUrl: { rule: text(1) },
  webhookDlqUrl: { rule: text(1) },
  /** The KMS key that encrypts webhook signing secrets (the stage's key). */
  webhookKeyId: { rule: text(1) },
  /** `aws`: https to public addresses only; `local` (set by the local runtime only) also allows http://127.0.0.1. */
  webhookUrlMode: { rule: { kind: 'oneOf', values: ['aws', 'local'] }, unset: 'aws' },
  /** Multiplies every webhook duration (attempt timeout, back-off, retry window, secret overlap); tests only. */
  webhookTimeScale: { rule: { kind: 'number', integer: false, above: 0, atMost: 1 }, unset: 1 },
  /** The saga history archive's bucket (core/config/history.ts). */
  historyBucket: { rule: text(3) },
  /** Days a settled payment's items stay in the payments table once archived (the stage's history retention). */
  paymentRecordTtlDays: { rule: positiveInteger },
  /** The CSV batch import's bucket (core/config/imports.ts). */
  importBucket: { rule: text(3) },
  /** The sources that may upload under incoming/<source>/, as JSON (core/config/imports.ts parses it). */
  importSources: { rule: text(2) },
};

export interface PaysagaEnv {
  readonly stage: string;
  readonly ledgerTable?: string;
  readonly paymentsTable?: string;
  readonly idempotencyTable?: string;
  readonly eventBusName?: string;
  readonly stateMachineArn?: string;
  readonly topUpStateMachineArn?: string;
  readonly topUpIntakeDlqUrl?: string;
  readonly refundStateMachineArn?: string;
  readonly refundIntakeDlqUrl?: string;
  readonly intakeDlqUrl?: string;
  readonly notificationQueueUrl?: string;
  readonly gatewaySecretId?: string;
  readonly holdTtlSeconds: number;
  readonly gatewayTimeoutMs: number;
  readonly gatewayMaxNetworkRetries: number;
  readonly apiClients?: string;
  readonly webhookDeliveryQueueUrl?: string;
  readonly webhookDlqUrl?: string;
  readonly webhookKeyId?: string;
  readonly webhookUrlMode: 'aws' | 'local';
  readonly webhookTimeScale: number;
  readonly historyBucket?: string;
  readonly paymentRecordTtlDays?: number;
  readonly importBucket?: string;
  readonly importSources?: string;
}

/** Every variable of ENV_KEYS has its setting here (tsc fails on one that does not). */
const EVERY_KEY_TYPED: [Exclude<EnvKey, keyof PaysagaEnv>] extends [never] ? true : never = true;
void EVERY_KEY_TYPED;

function numberProblem(rule: Extract<Rule, { kind: 'number' }>, value: number): string | undefined {
  if (!Number.isFinite(value)) return 'a number';
  if (rule.integer && !Number.isSafeInteger(value)) return 'an integer';
  if (rule.above !== undefined && !(value > rule.above)) return `greater than ${rule.above}`;
  if (rule.atLeast !== undefined && !(value >= rule.atLeast)) return `at least ${rule.atLeast}`;
  if (rule.atMost !== undefined && !(value <= rule.atMost)) return `at most ${rule.atMost}`;
  return undefined;
}

/** The setting's value, or what it must be instead. */
function readSetting(rule: Rule, value: string): { value: string | number } | { mustBe: string } {
  switch (rule.kind) {
    case 'text':
      return value.length >= rule.minLength
        ? { value }
        : { mustBe: `at least ${rule.minLength} characters long` };
    case 'oneOf':
      return rule.values.includes(value) ? { value } : { mustBe: `one of ${rule.values.join(', ')}` };
    case 'number': {
      const number = Number(value);
      const problem = numberProblem(rule, number);
      return problem === undefined ? { value: number } : { mustBe: problem };
    }
  }
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Every setting read from `source` (an empty variable counts as unset); all that are wrong in one error. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): PaysagaEnv {
  const env: Record<string, string | number | undefined> = {};
  const problems: string[] = [];
  for (const key of Object.keys(ENV_KEYS) as EnvKey[]) {
    const name = ENV_KEYS[key];
    const { rule, unset } = SETTINGS[key];
    const value = source[name] || undefined;
    if (value === undefined) {
      env[key] = unset;
      continue;
    }
    const read = readSetting(rule, value);
    if ('value' in read) env[key] = read.value;
    else problems.push(`${name} must be ${read.mustBe} (it is ${JSON.stringify(value.slice(0, 100))})`);
  }
  if (problems.length > 0) throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
  return env as unknown as PaysagaEnv;
}

/** The value of a setting a function cannot run without; says which variable to set when missing. */
export function required<K extends keyof PaysagaEnv>(env: PaysagaEnv, key: K): NonNullable<PaysagaEnv[K]> {
  const value = env[key];
  if (value === undefined || value === null) {
    throw new ConfigurationError(
      `${ENV_KEYS[key as EnvKey]} is not set; it names the resource this function uses`,
    );
  }
  return value as NonNullable<PaysagaEnv[K]>;
}
