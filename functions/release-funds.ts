import { ReleaseFundsInput } from '../core/saga/state';
import { releaseFunds } from '../core/saga/steps';
import { compensationStepDeps } from './commons/deps';
import { sagaStep } from './commons/saga-step';

/** ReleaseFunds (compensation): voids the payer's hold. */
export const handler = sagaStep({
  name: 'release-funds',
  input: ReleaseFundsInput,
  run: (input) => releaseFunds(compensationStepDeps(), input),
});
