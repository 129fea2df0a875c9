import { required } from '../../core/config/env';
import { gatewayFromSecret } from '../../core/gateway/credentials';
import type { PaymentGateway } from '../../core/gateway/port';
import { env } from './env';

/**
 * The gateway adapter for the functions that talk to the gateway (charge,
 * refund-charge, topup-charge, topup-refund, refund-at-gateway); kept apart so
 * the others do not bundle the Stripe HTTP client (core/gateway/stripe-http.ts).
 * Its API key is read from Secrets Manager (core/aws/secrets-manager.ts,
 * cached), never from a plain variable.
 */
export function gateway(): Promise<PaymentGateway> {
  return gatewayFromSecret({
    secretId: required(env, 'gatewaySecretId'),
    timeoutMs: env.gatewayTimeoutMs,
    maxNetworkRetries: env.gatewayMaxNetworkRetries,
  });
}
