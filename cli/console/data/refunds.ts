import { type Currency, formatMoney, fromMajorUnits, InvalidMoneyError } from '../../../core/money';
import { UsageError } from '../../errors';
import { listRefunds, planRefund, refundPayment } from '../../ops/actions/refund-payment';
import type { OpsDeps } from '../../ops/deps';
import type { ActionResult, PaymentRefunds, RefundRequestBody } from '../api-types';

/**
 * The payment page's Refunds panel: the payment's refunds (status, amount,
 * parts) and what is still refundable, with the plan of a refund of `amount`
 * (the split the confirmation dialog shows); and the Refund action, the SAME
 * audited action as payctl payments refund (cli/ops/actions/refund-payment.ts),
 * asked by console:<person>. It does not wait: the panel shows the refund's
 * status as the refund saga moves it.
 */

function minorOf(amount: string | undefined, currency: string): number | undefined {
  if (amount === undefined) return undefined;
  try {
    return fromMajorUnits(amount, currency as Currency);
  } catch (error) {
    if (error instanceof InvalidMoneyError) throw new UsageError(`amount: ${error.message}`);
    throw error;
  }
}

export async function paymentRefunds(
  deps: OpsDeps,
  paymentId: string,
  amount?: string,
): Promise<PaymentRefunds> {
  const all = await planRefund(deps, paymentId);
  const minor = minorOf(amount, all.currency);
  const plan = minor === undefined ? all : await planRefund(deps, paymentId, minor);
  const refunds = await listRefunds(deps, paymentId);
  return {
    plan,
    refunds: refunds
      .map((r) => ({
        refundId: r.refundId,
        status: r.status,
        ...(r.amount !== undefined && { amount: r.amount }),
        ...(r.requestedAmount !== undefined && { requestedAmount: r.requestedAmount }),
        ...(r.walletAmount !== undefined && { walletAmount: r.walletAmount }),
        ...(r.gatewayAmount !== undefined && { gatewayAmount: r.gatewayAmount }),
        ...(r.gatewayRefundId !== undefined && { gatewayRefundId: r.gatewayRefundId }),
        currency: r.currency,
        reason: r.reason,
        ...(r.requestedBy !== undefined && { requestedBy: r.requestedBy }),
        requestedAt: r.requestedAt,
        ...(r.failureReason !== undefined && { failureReason: r.failureReason }),
      }))
      .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt)),
  };
}

export async function refundPaymentAudited(
  deps: OpsDeps,
  paymentId: string,
  request: RefundRequestBody,
): Promise<ActionResult> {
  const { currency } = await planRefund(deps, paymentId);
  const amount = minorOf(request.amount, currency);
  const { result, audit } = await refundPayment(
    deps,
    {
      paymentId,
      reason: request.reason,
      ...(amount !== undefined && { amount }),
      ...(request.refundId !== undefined && { refundId: request.refundId }),
    },
    'console',
  );
  if (audit.problem) throw new Error(audit.problem);
  const what =
    amount === undefined ? 'everything still refundable' : formatMoney(amount, currency as Currency);
  return {
    ok: true,
    summary: `refund ${result.refundId} of ${paymentId} (${what}) ${result.replayed ? 'was already requested' : 'requested'}: ${result.status}`,
    detail: {
      refundId: result.refundId,
      status: result.status,
      replayed: result.replayed,
      ...(audit.auditId && { auditId: audit.auditId }),
      ...(audit.warning && { warning: audit.warning }),
    },
  };
}
