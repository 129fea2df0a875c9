import { ChargeInput } from '../core/saga/state';
import { chargePayment } from '../core/saga/steps';
import { stepDeps } from './commons/deps';
import { gateway } from './commons/gateway';
import { sagaStep } from './commons/saga-step';

/** Charge: charges the payment method at the gateway, Idempotency-Key = paymentId. */
export const handler = sagaStep({
  name: 'charge',
  input: ChargeInput,
  run: async (input) => chargePayment({ ...stepDeps(), gateway: await gateway() }, input),
});
