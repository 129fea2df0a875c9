import { required } from '../../core/config/env';
import { type OpContext, opContext } from '../../core/ledger/ops/context';
import { postRefundPart } from '../../core/ledger/ops/refund-part';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import type { RefundRecordDeps, RefundStepDeps } from '../../core/refunds/steps';
import { documentClient } from './clients/dynamodb';
import { env } from './env';

let recordDeps: RefundRecordDeps | undefined;
let deps: RefundStepDeps | undefined;
let store: PaymentRefundStore | undefined;
let context: OpContext | undefined;

/** The refund records and reservations (payments table) alone: RecordOutcome and the front door need no ledger. */
export function refundStore(): PaymentRefundStore {
  store ??= new PaymentRefundStore(documentClient, required(env, 'paymentsTable'));
  return store;
}

/** ReserveRefund, RefundAtGateway and ReleaseRefund: the refund records and the payment, no ledger. */
export function refundRecordDeps(): RefundRecordDeps {
  recordDeps ??= {
    refunds: refundStore(),
    payments: new PaymentsRepository(documentClient, required(env, 'paymentsTable')),
    now: () => new Date(),
  };
  return recordDeps;
}

/**
 * PostReversal: the above and the refund part's posting alone (core/ledger/ops/refund-part.ts, the same call
 * the Ledger facade's refundPart makes), not the Ledger class with every operation (issue 18 goal 1, bundles).
 */
export function refundStepDeps(): RefundStepDeps {
  if (deps) return deps;
  // Required when the step's deps are built, before it does anything: not at its ledger write.
  context ??= opContext({ doc: documentClient, tableName: required(env, 'ledgerTable') });
  const ctx = context;
  deps = {
    ...refundRecordDeps(),
    ledger: {
      refundPart: (request) => postRefundPart(ctx, request),
    },
  };
  return deps;
}
