import { RefundChargeInput } from '../core/saga/state';
import { refundCharge } from '../core/saga/steps';
import { compensationStepDeps } from './commons/deps';
import { gateway } from './commons/gateway';
import { sagaStep } from './commons/saga-step';

/** RefundCharge (compensation): refunds the gateway charge, idempotency key refund:<paymentId>. */
export const handler = sagaStep({
  name: 'refund-charge',
  input: RefundChargeInput,
  run: async (input) => refundCharge({ ...compensationStepDeps(), gateway: await gateway() }, input),
});
