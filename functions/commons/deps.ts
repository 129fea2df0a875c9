import { required } from '../../core/config/env';
import { gatewayFromSecret } from '../../core/gateway/credentials';
import type { PaymentGateway } from '../../core/gateway/port';
import { Ledger, LedgerReader } from '../../core/ledger';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import type { StepDeps } from '../../core/saga/steps';
import { documentClient } from './clients';
import { env } from './env';

let deps: StepDeps | undefined;
let payments: DynamoPaymentLog | undefined;

/** The payments log alone (every step records its timeline; not every step touches the ledger). */
export function paymentLog(): DynamoPaymentLog {
  payments ??= new DynamoPaymentLog(documentClient, required(env, 'paymentsTable'));
  return payments;
}

/** Ledger and payments adapters, built once per cold start from the environment. */
export function stepDeps(): StepDeps {
  if (!deps) {
    const ledgerTable = required(env, 'ledgerTable');
    deps = {
      ledger: new Ledger({ doc: documentClient, tableName: ledgerTable }),
      ledgerReader: new LedgerReader(documentClient, ledgerTable),
      payments: paymentLog(),
      now: () => new Date(),
      holdTtlSeconds: env.holdTtlSeconds,
    };
  }
  return deps;
}

/** The gateway adapter; its API key is read from Secrets Manager (cached), never from a plain variable. */
export function gateway(): Promise<PaymentGateway> {
  return gatewayFromSecret({
    secretId: required(env, 'gatewaySecretId'),
    timeoutMs: env.gatewayTimeoutMs,
    maxNetworkRetries: env.gatewayMaxNetworkRetries,
  });
}
