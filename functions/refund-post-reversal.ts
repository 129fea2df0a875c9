import { PostReversalInput } from '../core/refunds/state';
import { postReversal } from '../core/refunds/steps';
import { refundStepDeps } from './commons/refund-deps';
import { refundStep } from './commons/refund-step';

/** PostReversal: one refund_part journal entry (merchant back to wallet and gateway), then the reservation is refunded. */
export const handler = refundStep({
  name: 'refund-post-reversal',
  input: PostReversalInput,
  run: (input) => postReversal(refundStepDeps(), input),
});
