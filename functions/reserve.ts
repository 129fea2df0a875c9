import { ReserveInput } from '../core/saga/state';
import { reserveFunds } from '../core/saga/steps';
import { stepDeps } from './commons/deps';
import { sagaStep } from './commons/saga-step';

/** Reserve: places the pending hold on the payer's wallet. */
export const handler = sagaStep({
  name: 'reserve',
  input: ReserveInput,
  run: (input) => reserveFunds(stepDeps(), input),
});
