import { parsePaymentId, resolveDlq } from '../../ops/args';
import type { OpsDeps } from '../../ops/deps';
import {
  planRedrive,
  planResolveFor,
  planResolveRefundFor,
  redriveDlqAudited,
  redriveSagaAudited,
  resolvePaymentAudited,
  resolveRefundAudited,
} from './ops';
import type { ConsoleActData } from './port';
import { refundPaymentAudited } from './refunds';
import { adjustWalletAudited } from './wallets';
import { resendWebhookAudited } from './webhooks';

/** What the console does (the audited actions and their plans), over a payctl context: the act function's. */
export function consoleActData(deps: OpsDeps): ConsoleActData {
  const dlq = (queue: string) => resolveDlq(deps.names, queue);
  return {
    planDlqRedrive: (queue) => planRedrive(deps, dlq(queue)),
    redriveDlq: (queue, options) => redriveDlqAudited(deps, dlq(queue), options),
    redriveSaga: (paymentId) => redriveSagaAudited(deps, parsePaymentId(paymentId)),
    adjustWallet: (walletId, request) => adjustWalletAudited(deps, walletId, request),
    planResolve: (paymentId, request) => planResolveFor(deps, parsePaymentId(paymentId), request),
    resolvePayment: (paymentId, request) => resolvePaymentAudited(deps, parsePaymentId(paymentId), request),
    planResolveRefund: (paymentId, request) => planResolveRefundFor(deps, parsePaymentId(paymentId), request),
    resolveRefund: (paymentId, request) => resolveRefundAudited(deps, parsePaymentId(paymentId), request),
    resendWebhook: (eventId, request) => resendWebhookAudited(deps, eventId, request),
    refundPayment: (paymentId, request) => refundPaymentAudited(deps, parsePaymentId(paymentId), request),
  };
}
