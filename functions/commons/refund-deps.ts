import { required } from '../../core/config/env';
import { Ledger } from '../../core/ledger';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import type { RefundStepDeps } from '../../core/refunds/steps';
import { documentClient } from './clients/dynamodb';
import { env } from './env';

let deps: RefundStepDeps | undefined;
let store: PaymentRefundStore | undefined;

/** The refund records and reservations (payments table) alone: RecordOutcome and the front door need no ledger. */
export function refundStore(): PaymentRefundStore {
  store ??= new PaymentRefundStore(documentClient, required(env, 'paymentsTable'));
  return store;
}

/** Payments, refunds and ledger adapters of the refund saga, built once per cold start from the environment. */
export function refundStepDeps(): RefundStepDeps {
  deps ??= {
    refunds: refundStore(),
    payments: new PaymentsRepository(documentClient, required(env, 'paymentsTable')),
    ledger: new Ledger({ doc: documentClient, tableName: required(env, 'ledgerTable') }),
    now: () => new Date(),
  };
  return deps;
}
