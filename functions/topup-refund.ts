import { TopUpRefundInput } from '../core/topups/state';
import { refundTopUp } from '../core/topups/steps';
import { gateway } from './commons/gateway';
import { topUpGatewayStepDeps } from './commons/topup-deps';
import { topUpStep } from './commons/topup-step';

/** RefundCharge (top-up compensation): refunds the charge, Idempotency-Key refund:topup:<topUpId>. */
export const handler = topUpStep({
  name: 'topup-refund',
  input: TopUpRefundInput,
  run: async (input) => refundTopUp({ ...topUpGatewayStepDeps(), gateway: await gateway() }, input),
});
