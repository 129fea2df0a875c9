import { SettleInput } from '../core/saga/state';
import { settlePayment } from '../core/saga/steps';
import { settleStepDeps } from './commons/deps';
import { sagaStepWithoutRecord } from './commons/payment-step';

/** Settle: posts the hold to the merchant; the payment has succeeded once this returns. */
export const handler = sagaStepWithoutRecord({
  name: 'settle',
  input: SettleInput,
  run: (input) => settlePayment(settleStepDeps(), input),
});
