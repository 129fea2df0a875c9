import { TopUpChargeInput } from '../core/topups/state';
import { chargeTopUp } from '../core/topups/steps';
import { gateway } from './commons/gateway';
import { topUpGatewayStepDeps } from './commons/topup-deps';
import { topUpStep } from './commons/topup-step';

/** Charge (top-up): charges the payment method at the gateway, Idempotency-Key topup:<topUpId>. */
export const handler = topUpStep({
  name: 'topup-charge',
  input: TopUpChargeInput,
  run: async (input) => chargeTopUp({ ...topUpGatewayStepDeps(), gateway: await gateway() }, input),
});
