import { ReserveInput } from '../core/saga/state';
import { reserveFunds } from '../core/saga/steps';
import { reserveStepDeps } from './commons/deps';
import { sagaStepWithoutRecord } from './commons/payment-step';

/** Reserve: places the pending hold on the payer's wallet. */
export const handler = sagaStepWithoutRecord({
  name: 'reserve',
  input: ReserveInput,
  run: (input) => reserveFunds(reserveStepDeps(), input),
});
