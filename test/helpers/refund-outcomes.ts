import type { PaymentGateway } from '../../core/gateway/port';
import type { Ledger } from '../../core/ledger';
import { recordRefundOutcome } from '../../core/refunds/outcome';
import type { RefundStepDeps } from '../../core/refunds/steps';
import type { RefundRequested } from '../../events/refunds.v1';
import type { LocalDynamo } from './dynalite';
import { notificationRecorder } from './notifications';
import { runRefundSteps, type SeededPayment, type SeedOptions, seedSucceededPayment } from './refunds';

/** The execution ARN the refund step runner records (test/helpers/refunds.ts runRefundSteps). */
export const refundExecutionArnOf = (refundId: string): string =>
  `arn:aws:states:us-east-1:000000000000:execution:refund-saga:${refundId}`;

/**
 * A SUCCEEDED payment as the payment saga leaves it (seedSucceededPayment), with its card part also
 * credited to the merchant (settle_card, as Settle posts it): what finance reads as settled.
 */
export async function seedSettledPayment(
  dynamo: LocalDynamo,
  ledger: Ledger,
  gateway: PaymentGateway,
  options: SeedOptions,
): Promise<SeededPayment> {
  const payment = await seedSucceededPayment(dynamo, ledger, gateway, options);
  if (payment.gatewayAmount > 0) {
    await ledger.settleCard({
      paymentId: payment.paymentId,
      walletId: payment.walletId,
      merchantId: payment.merchantId,
      amount: { value: payment.gatewayAmount, currency: 'EUR' },
    });
  }
  return payment;
}

/**
 * A whole successful refund as the refund saga writes it: the steps (runRefundSteps), then
 * RecordSuccess on the refund record (recordRefundOutcome). Throws when the steps did not succeed.
 */
export async function succeedRefund(
  deps: RefundStepDeps & { readonly gateway: Pick<PaymentGateway, 'refund' | 'findRefund'> },
  refund: RefundRequested,
): Promise<void> {
  const run = await runRefundSteps(deps, refund);
  if (run.outcome !== 'succeeded') throw new Error(`refund ${refund.refundId} ${run.outcome}`);
  await recordRefundOutcome(
    deps.refunds,
    {
      outcome: 'succeeded',
      executionArn: refundExecutionArnOf(refund.refundId),
      saga: { refund, reserve: run.reserve, gatewayRefund: { status: 'succeeded' }, reversal: run.reversal },
    },
    { eventBusName: 'bus', compensationDlqName: 'dlq' },
    deps.now(),
    notificationRecorder().queue,
  );
}
