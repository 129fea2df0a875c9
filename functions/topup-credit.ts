import { CreditInput } from '../core/topups/state';
import { creditTopUp } from '../core/topups/steps';
import { topUpStepDeps } from './commons/topup-deps';
import { topUpStep } from './commons/topup-step';

/** Credit (top-up): deposits the charged amount into the wallet, depositId = topUpId. */
export const handler = topUpStep({
  name: 'topup-credit',
  input: CreditInput,
  run: async (input) => creditTopUp(topUpStepDeps(), input),
});
