import './zod-locale';
import * as z from 'zod/mini';

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

const EnvSchema = z.object({
  stage: z._default(z.string().check(z.minLength(1)), 'local'),
  ledgerTable: z.optional(z.string().check(z.minLength(1))),
  paymentsTable: z.optional(z.string().check(z.minLength(1))),
  idempotencyTable: z.optional(z.string().check(z.minLength(1))),
  eventBusName: z.optional(z.string().check(z.minLength(1))),
  stateMachineArn: z.optional(z.string().check(z.minLength(1))),
  topUpStateMachineArn: z.optional(z.string().check(z.minLength(1))),
  topUpIntakeDlqUrl: z.optional(z.string().check(z.minLength(1))),
  refundStateMachineArn: z.optional(z.string().check(z.minLength(1))),
  refundIntakeDlqUrl: z.optional(z.string().check(z.minLength(1))),
  intakeDlqUrl: z.optional(z.string().check(z.minLength(1))),
  notificationQueueUrl: z.optional(z.string().check(z.minLength(1))),
  gatewaySecretId: z.optional(z.string().check(z.minLength(1))),
  /** Holds outlive Step Functions' 14-day redrive window, so a redriven saga still finds its hold. */
  holdTtlSeconds: z._default(z.coerce.number().check(z.int(), z.positive()), 15 * 24 * 3600),
  /** How long a gateway call may take before it counts as an ambiguous timeout (retried with the same key). */
  gatewayTimeoutMs: z._default(z.coerce.number().check(z.int(), z.positive()), 10_000),
  /** The Stripe HTTP client's own retries (core/gateway/stripe-http.ts; same idempotency key) before the saga's Retry takes over. */
  gatewayMaxNetworkRetries: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(5)), 1),
  /** The front door's clients as JSON: [{ clientId, source }] (core/frontdoor/clients.ts validates it). */
  apiClients: z.optional(z.string().check(z.minLength(2))),
  webhookDeliveryQueueUrl: z.optional(z.string().check(z.minLength(1))),
  webhookDlqUrl: z.optional(z.string().check(z.minLength(1))),
  /** The KMS key that encrypts webhook signing secrets (the stage's key). */
  webhookKeyId: z.optional(z.string().check(z.minLength(1))),
  /** `aws`: https to public addresses only; `local` (set by the local runtime only) also allows http://127.0.0.1. */
  webhookUrlMode: z._default(z.enum(['aws', 'local']), 'aws'),
  /** Multiplies every webhook duration (attempt timeout, back-off, retry window, secret overlap); tests only. */
  webhookTimeScale: z._default(z.coerce.number().check(z.positive(), z.lte(1)), 1),
  /** The saga history archive's bucket (core/config/history.ts). */
  historyBucket: z.optional(z.string().check(z.minLength(3))),
  /** Days a settled payment's items stay in the payments table once archived (the stage's history retention). */
  paymentRecordTtlDays: z.optional(z.coerce.number().check(z.int(), z.positive())),
  /** The CSV batch import's bucket (core/config/imports.ts). */
  importBucket: z.optional(z.string().check(z.minLength(3))),
  /** The sources that may upload under incoming/<source>/, as JSON (core/config/imports.ts parses it). */
  importSources: z.optional(z.string().check(z.minLength(2))),
});

export type PaysagaEnv = z.infer<typeof EnvSchema>;

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function readEnv(source: NodeJS.ProcessEnv = process.env): PaysagaEnv {
  const raw = Object.fromEntries(
    Object.entries(ENV_KEYS).map(([key, name]) => [key, source[name] || undefined]),
  );
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigurationError(`invalid environment: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
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
