import { ReserveRefundInput } from '../core/refunds/state';
import { reserveRefund } from '../core/refunds/steps';
import { refundRecordDeps } from './commons/refund-deps';
import { refundStep } from './commons/refund-step';

/** ReserveRefund: reserves the refundable amount on the payment (one conditional write per refundId). */
export const handler = refundStep({
  name: 'refund-reserve',
  input: ReserveRefundInput,
  run: (input) => reserveRefund(refundRecordDeps(), input),
});
