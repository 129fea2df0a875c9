import '../config/zod-locale';
import * as z from 'zod/mini';
import { SecretsProvider } from '../aws/secrets-manager';
import type { FindChargeOptions, PaymentGateway } from './port';
import { createStripeGateway, type StripeGatewayOptions } from './stripe-adapter';
import { GatewayKeyRejectedError } from './stripe-errors';

/**
 * The gateway secret in Secrets Manager (JSON). `apiBase` is only set for the local sandbox;
 * production reaches api.stripe.com. The key never lives in code or in a plain env variable.
 */
export const GatewaySecret = z.object({
  apiKey: z
    .string()
    .check(
      z.regex(/^(?:sk|rk)_(?:test|live)_[A-Za-z0-9_]+$/, 'apiKey must be a Stripe secret or restricted key'),
    ),
  apiBase: z.optional(z.url({ protocol: /^https?$/, error: 'apiBase must be an http(s) URL' })),
});
export type GatewaySecret = z.infer<typeof GatewaySecret>;

/** The secret is missing, unreadable or malformed. Not retryable by itself: fix the secret, then redrive. */
export class GatewayCredentialsError extends Error {
  override readonly name = 'GatewayCredentialsError';
}

/** Seconds a read secret is reused; a rotated key is picked up within this time, without a cold start. */
export const SECRET_MAX_AGE_SECONDS = 300;

export interface GatewayFromSecretOptions {
  /** Secrets Manager id of the gateway secret (env GATEWAY_SECRET_ID). */
  readonly secretId: string;
  /** Injected in tests and the local runtime; defaults to one built on the default client chain. */
  readonly secretsProvider?: SecretsProvider;
  readonly maxAgeSeconds?: number;
  readonly timeoutMs?: StripeGatewayOptions['timeoutMs'];
  readonly maxNetworkRetries?: StripeGatewayOptions['maxNetworkRetries'];
}

let defaultProvider: SecretsProvider | undefined;
const memo = new WeakMap<SecretsProvider, Map<string, SecretBackedGateway>>();

/** Reads and validates the secret; the message names the secret id, never its content. */
export async function readGatewaySecret(
  provider: SecretsProvider,
  secretId: string,
  maxAgeSeconds = SECRET_MAX_AGE_SECONDS,
  forceFetch = false,
): Promise<GatewaySecret> {
  let raw: unknown;
  try {
    raw = await provider.get(secretId, { transform: 'json', maxAge: maxAgeSeconds, forceFetch });
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'unknown error';
    throw new GatewayCredentialsError(
      `cannot read gateway secret ${secretId} (${reason}); check that it exists, holds JSON, and that the function may read it`,
    );
  }
  const parsed = GatewaySecret.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new GatewayCredentialsError(`gateway secret ${secretId} is malformed: ${fields.join('; ')}`);
  }
  return parsed.data;
}

/**
 * A PaymentGateway whose credentials come from Secrets Manager through core/aws/secrets-manager.ts
 * (SecretsProvider, the lean client's cache). Each call re-reads the secret through that cache (one
 * GetSecretValue per maxAge), and a new Stripe HTTP client (core/gateway/stripe-http.ts) is built only when
 * the key or base changes, so rotation needs no redeploy.
 */
class SecretBackedGateway implements PaymentGateway {
  private current: { fingerprint: string; gateway: PaymentGateway } | undefined;
  /** Set after a malformed secret or a rejected key: the next read bypasses the cache. */
  private stale = false;

  private ready: Promise<void> | undefined;

  constructor(private readonly options: GatewayFromSecretOptions & { secretsProvider: SecretsProvider }) {}

  /** The first successful read; a failed one is forgotten, so the next cold-start attempt reads again. */
  whenReady(): Promise<void> {
    this.ready ??= this.resolve().then(
      () => undefined,
      (error: unknown) => {
        this.ready = undefined;
        throw error;
      },
    );
    return this.ready;
  }

  async resolve(): Promise<PaymentGateway> {
    const { secretsProvider, secretId, maxAgeSeconds, timeoutMs, maxNetworkRetries } = this.options;
    let secret: GatewaySecret;
    try {
      secret = await readGatewaySecret(secretsProvider, secretId, maxAgeSeconds, this.stale);
      this.stale = false;
    } catch (error) {
      this.stale = true;
      throw error;
    }
    const fingerprint = `${secret.apiKey}\n${secret.apiBase ?? ''}`;
    if (this.current?.fingerprint !== fingerprint) {
      const gateway = createStripeGateway({ ...secret, timeoutMs, maxNetworkRetries });
      this.current = { fingerprint, gateway };
    }
    return this.current.gateway;
  }

  /** Runs a call; a rejected key marks the secret stale so a fixed secret is used on the next call. */
  private async noting<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof GatewayKeyRejectedError) this.stale = true;
      throw error;
    }
  }

  async charge(...args: Parameters<PaymentGateway['charge']>) {
    return this.noting((await this.resolve()).charge(...args));
  }
  async refund(...args: Parameters<PaymentGateway['refund']>) {
    return this.noting((await this.resolve()).refund(...args));
  }
  async findRefund(...args: Parameters<PaymentGateway['findRefund']>) {
    return this.noting((await this.resolve()).findRefund(...args));
  }
  async findChargeByPaymentId(paymentId: string, options?: FindChargeOptions) {
    return this.noting((await this.resolve()).findChargeByPaymentId(paymentId, options));
  }
  async *listCharges(...args: Parameters<PaymentGateway['listCharges']>) {
    yield* (await this.resolve()).listCharges(...args);
  }
  async *listRefunds(...args: Parameters<PaymentGateway['listRefunds']>) {
    yield* (await this.resolve()).listRefunds(...args);
  }
}

/**
 * The gateway for a Lambda: call once per cold start (memoized per provider and secret id).
 * Resolves only once the secret has been read and validated, so a bad secret fails fast.
 */
export async function gatewayFromSecret(options: GatewayFromSecretOptions): Promise<PaymentGateway> {
  if (!options.secretsProvider && !defaultProvider) defaultProvider = new SecretsProvider();
  const provider = options.secretsProvider ?? (defaultProvider as SecretsProvider);
  let bySecret = memo.get(provider);
  if (!bySecret) {
    bySecret = new Map();
    memo.set(provider, bySecret);
  }
  let gateway = bySecret.get(options.secretId);
  if (!gateway) {
    gateway = new SecretBackedGateway({ ...options, secretsProvider: provider });
    bySecret.set(options.secretId, gateway);
  }
  await gateway.whenReady();
  return gateway;
}
