import { required } from '../../core/config/env';
import { Ledger, LedgerReader } from '../../core/ledger';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import type { StepDeps } from '../../core/saga/steps';
import { documentClient } from './clients/dynamodb';
import { env } from './env';
import { observer } from './metrics';

let deps: StepDeps | undefined;
let payments: DynamoPaymentLog | undefined;

/** The payments log alone (every step records its timeline; not every step touches the ledger). */
export function paymentLog(): DynamoPaymentLog {
  payments ??= new DynamoPaymentLog(documentClient, required(env, 'paymentsTable'), undefined, observer);
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
