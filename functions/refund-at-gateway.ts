import { RefundAtGatewayInput } from '../core/refunds/state';
import { refundAtGateway } from '../core/refunds/steps';
import { gateway } from './commons/gateway';
import { refundRecordDeps } from './commons/refund-deps';
import { refundStep } from './commons/refund-step';

/** RefundAtGateway: the card part back at the gateway, Idempotency-Key refund:<paymentId>:<refundId>. */
export const handler = refundStep({
  name: 'refund-at-gateway',
  input: RefundAtGatewayInput,
  run: async (input) => refundAtGateway({ ...refundRecordDeps(), gateway: await gateway() }, input),
});
