import { parsePaymentId, resolveDlq } from '../../ops/args';
import { listAudit } from '../../ops/audit';
import type { OpsDeps } from '../../ops/deps';
import { listDlqs, peekDlq } from '../../ops/dlq';
import { listFailedSagas } from '../../ops/sagas';
import { dailyVolume } from './finance';
import { listPayments, paymentDetail } from './payments';
import type { ConsoleReadData } from './port';
import { paymentRefunds } from './refunds';
import { walletDetail, walletStatementPage } from './wallets';
import { webhookDeliveries } from './webhooks';

/** The refund a refund saga's compensation message names (`kind: refund-compensation`), for its resolve button. */
function refundIdOf(body: unknown): string | undefined {
  const { kind, refundId } = (typeof body === 'object' && body !== null ? body : {}) as Record<
    string,
    unknown
  >;
  return kind === 'refund-compensation' && typeof refundId === 'string' ? refundId : undefined;
}

/** What the console shows, over a payctl context (the read function's: it imports no action). */
export function consoleReadData(deps: OpsDeps): ConsoleReadData {
  return {
    listPayments: (query) => listPayments(deps, query),
    paymentDetail: (paymentId) => paymentDetail(deps, parsePaymentId(paymentId)),
    listDlqs: () => listDlqs(deps),
    peekDlq: async (queue, limit) => {
      // Only this queue: listing every DLQ would sample (receive) all of them again.
      const key = resolveDlq(deps.names, queue);
      const messages = (await peekDlq(deps, key, { limit })).map((message) => {
        const refundId = refundIdOf(message.body);
        return refundId ? { ...message, refundId } : message;
      });
      return { queue: deps.names.queues[key], messages };
    },
    failedSagas: (since) => listFailedSagas(deps, { since }),
    dailyVolume: (from, to) => dailyVolume(deps, from, to),
    auditLog: async (since) => (await listAudit(deps, since)).reverse(),
    walletDetail: (walletId) => walletDetail(deps, walletId),
    walletStatement: (walletId, request) => walletStatementPage(deps, walletId, request),
    webhookDeliveries: (subjectId) => webhookDeliveries(deps, subjectId),
    paymentRefunds: (paymentId, amount) => paymentRefunds(deps, parsePaymentId(paymentId), amount),
  };
}
