import { parsePaymentId, resolveDlq } from '../../ops/args';
import { listAudit } from '../../ops/audit';
import type { OpsDeps } from '../../ops/deps';
import { listDlqs, peekDlq, planRedrive } from '../../ops/dlq';
import { listFailedSagas } from '../../ops/sagas';
import { dailyVolume } from './finance';
import {
  planResolveFor,
  planResolveRefundFor,
  redriveDlqAudited,
  redriveSagaAudited,
  resolvePaymentAudited,
  resolveRefundAudited,
} from './ops';
import { listPayments, paymentDetail } from './payments';
import type { ConsoleData } from './port';
import { paymentRefunds, refundPaymentAudited } from './refunds';
import { adjustWalletAudited, walletDetail, walletStatementPage } from './wallets';
import { resendWebhookAudited, webhookDeliveries } from './webhooks';

export type { ConsoleData } from './port';

/** The refund a refund saga's compensation message names (`kind: refund-compensation`), for its resolve button. */
function refundIdOf(body: unknown): string | undefined {
  const { kind, refundId } = (typeof body === 'object' && body !== null ? body : {}) as Record<
    string,
    unknown
  >;
  return kind === 'refund-compensation' && typeof refundId === 'string' ? refundId : undefined;
}

/** The console's data over a payctl context: AWS or the local runtime through its SDK clients. */
export function consoleData(deps: OpsDeps): ConsoleData {
  const dlq = (queue: string) => resolveDlq(deps.names, queue);
  return {
    listPayments: (query) => listPayments(deps, query),
    paymentDetail: (paymentId) => paymentDetail(deps, parsePaymentId(paymentId)),
    listDlqs: () => listDlqs(deps),
    peekDlq: async (queue, limit) => {
      // Only this queue: listing every DLQ would sample (receive) all of them again.
      const key = dlq(queue);
      const messages = (await peekDlq(deps, key, { limit })).map((message) => {
        const refundId = refundIdOf(message.body);
        return refundId ? { ...message, refundId } : message;
      });
      return { queue: deps.names.queues[key], messages };
    },
    planDlqRedrive: (queue) => planRedrive(deps, dlq(queue)),
    redriveDlq: (queue, options) => redriveDlqAudited(deps, dlq(queue), options),
    failedSagas: (since) => listFailedSagas(deps, { since }),
    redriveSaga: (paymentId) => redriveSagaAudited(deps, parsePaymentId(paymentId)),
    dailyVolume: (from, to) => dailyVolume(deps, from, to),
    auditLog: async (since) => (await listAudit(deps, since)).reverse(),
    walletDetail: (walletId) => walletDetail(deps, walletId),
    walletStatement: (walletId, request) => walletStatementPage(deps, walletId, request),
    adjustWallet: (walletId, request) => adjustWalletAudited(deps, walletId, request),
    planResolve: (paymentId, request) => planResolveFor(deps, parsePaymentId(paymentId), request),
    resolvePayment: (paymentId, request) => resolvePaymentAudited(deps, parsePaymentId(paymentId), request),
    planResolveRefund: (paymentId, request) => planResolveRefundFor(deps, parsePaymentId(paymentId), request),
    resolveRefund: (paymentId, request) => resolveRefundAudited(deps, parsePaymentId(paymentId), request),
    webhookDeliveries: (subjectId) => webhookDeliveries(deps, subjectId),
    resendWebhook: (eventId, request) => resendWebhookAudited(deps, eventId, request),
    paymentRefunds: (paymentId, amount) => paymentRefunds(deps, parsePaymentId(paymentId), amount),
    refundPayment: (paymentId, request) => refundPaymentAudited(deps, parsePaymentId(paymentId), request),
  };
}
