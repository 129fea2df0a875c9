import { ReleaseRefundInput } from '../core/refunds/state';
import { releaseRefund } from '../core/refunds/steps';
import { refundRecordDeps } from './commons/refund-deps';
import { refundStep } from './commons/refund-step';

/** ReleaseRefund: the gateway refused for good, the reserved amount is refundable again. */
export const handler = refundStep({
  name: 'refund-release',
  input: ReleaseRefundInput,
  run: (input) => releaseRefund(refundRecordDeps(), input),
});
