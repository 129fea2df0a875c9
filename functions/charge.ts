import { ChargeInput } from '../core/saga/state';
import { chargePayment } from '../core/saga/steps';
import { paymentLog } from './commons/deps';
import { gateway } from './commons/gateway';
import { sagaStep } from './commons/saga-step';

/**
 * Charge: charges the payment method at the gateway, Idempotency-Key = paymentId. It calls no ledger
 * operation, so it gets the payments log, the clock and the gateway only (ChargeDeps): its bundle holds
 * no ledger (stepDeps() would bring the Ledger and LedgerReader classes, every operation and query).
 */
export const handler = sagaStep({
  name: 'charge',
  input: ChargeInput,
  run: async (input) =>
    chargePayment({ payments: paymentLog(), now: () => new Date(), gateway: await gateway() }, input),
});
