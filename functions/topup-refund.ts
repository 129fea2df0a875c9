import { TopUpRefundInput } from '../core/topups/state';
import { refundTopUp } from '../core/topups/steps';
import { gateway } from './commons/gateway';
import { topUpStepDeps } from './commons/topup-deps';
import { topUpStep } from './commons/topup-step';

/** RefundCharge (top-up compensation): refunds the charge, Idempotency-Key refund:topup:<topUpId>. */
export const handler = topUpStep({
  name: 'topup-refund',
  input: TopUpRefundInput,
  run: async (input) => refundTopUp({ ...topUpStepDeps(), gateway: await gateway() }, input),
});
