import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '../../core/aws/dynamodb';
import { isTransient } from '../../core/errors';
import type { PaymentGateway } from '../../core/gateway/port';
import type { Ledger } from '../../core/ledger';
import { money } from '../../core/money';
import { paymentKey } from '../../core/payments/keys';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import type { PostReversalOutput, ReserveRefundOutput } from '../../core/refunds/state';
import type { RefundStepDeps } from '../../core/refunds/steps';
import { postReversal, refundAtGateway, releaseRefund, reserveRefund } from '../../core/refunds/steps';
import type { RefundRequested } from '../../events/refunds.v1';
import type { LocalDynamo } from './dynalite';
import { fundedWallet, paymentRequest } from './payments';

/**
 * Refund test fixtures: SUCCEEDED payments seeded straight into the ledger,
 * the gateway and the payments table (legacy: held and charged in full;
 * split: the wallet part held and settled, the card part charged), refund
 * requests, and a runner of the refund saga's steps in their ASL order
 * (RefundAtGateway retried on transient errors; ReleaseRefund on a final one).
 */

export interface SeededPayment {
  readonly paymentId: string;
  readonly walletId: string;
  readonly merchantId: string;
  readonly amount: number;
  readonly walletAmount: number;
  readonly gatewayAmount: number;
  readonly chargeId?: string;
}

export interface SeedOptions {
  /** Wallet part (held + settled) and card part (charged); omit both for a legacy record. */
  readonly walletAmount?: number;
  readonly gatewayAmount?: number;
  readonly amount?: number;
  readonly paymentMethod?: string;
  /** The wallet's balance before the payment (default: the wallet part + 10,000). */
  readonly funds?: number;
}

export async function seedSucceededPayment(
  dynamo: LocalDynamo,
  ledger: Ledger,
  gateway: PaymentGateway,
  options: SeedOptions = {},
): Promise<SeededPayment> {
  const legacy = options.walletAmount === undefined && options.gatewayAmount === undefined;
  const amount = legacy
    ? (options.amount ?? 1250)
    : (options.walletAmount ?? 0) + (options.gatewayAmount ?? 0);
  const walletAmount = legacy ? amount : (options.walletAmount ?? 0);
  const gatewayAmount = legacy ? amount : (options.gatewayAmount ?? 0);
  const walletId = await fundedWallet(ledger, options.funds ?? walletAmount + 10_000);
  const request = paymentRequest(walletId, {
    amount: { value: amount, currency: 'EUR', exponent: 2 },
    paymentMethod: options.paymentMethod ?? 'pm_card_visa',
  });
  const { paymentId, merchantId } = request;
  if (walletAmount > 0) {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    await ledger.reserve({ paymentId, walletId, amount: walletAmount, expiresAt });
    await ledger.settle({ paymentId, walletId, merchantId, amount: walletAmount });
  }
  const charge =
    gatewayAmount > 0
      ? await gateway.charge({
          paymentId,
          amount: money(gatewayAmount, 'EUR'),
          paymentMethod: request.paymentMethod,
        })
      : undefined;
  const log = new DynamoPaymentLog(dynamo.doc, dynamo.tables.payments);
  await log.open(request, `arn:aws:states:us-east-1:000000000000:execution:payment-saga:${paymentId}`);
  await log.advance(paymentId, 'CHARGED', { ...(charge && { chargeId: charge.chargeId }) });
  await log.advance(paymentId, 'SUCCEEDED', {});
  if (!legacy) {
    await dynamo.doc.send(
      new UpdateCommand({
        TableName: dynamo.tables.payments,
        Key: paymentKey(paymentId),
        UpdateExpression: 'SET walletAmount = :w, gatewayAmount = :g',
        ExpressionAttributeValues: { ':w': walletAmount, ':g': gatewayAmount },
      }),
    );
  }
  return {
    paymentId,
    walletId,
    merchantId,
    amount,
    walletAmount,
    gatewayAmount,
    ...(charge && { chargeId: charge.chargeId }),
  };
}

/** A valid RefundRequested v1 with a fresh refundId (everything still refundable unless `amount`). */
export function refundRequest(
  paymentId: string,
  overrides: Partial<Omit<RefundRequested, 'amount'>> & { amount?: number } = {},
): RefundRequested {
  const { amount, ...rest } = overrides;
  return {
    schemaVersion: '1',
    refundId: `ref_${randomUUID().slice(0, 12)}`,
    paymentId,
    reason: 'customer asked',
    requestedAt: new Date().toISOString(),
    ...(amount !== undefined && { amount: { value: amount, currency: 'EUR', exponent: 2 } }),
    ...rest,
  };
}

export type RefundRun =
  | {
      readonly outcome: 'succeeded';
      readonly reserve: ReserveRefundOutput;
      readonly reversal: PostReversalOutput;
    }
  | { readonly outcome: 'failed'; readonly error: Error; readonly reserve?: ReserveRefundOutput }
  | { readonly outcome: 'needs_attention'; readonly error: Error; readonly reserve: ReserveRefundOutput }
  /** A transient error outlasted the retries: the execution stops there, the reservation kept (redrive). */
  | { readonly outcome: 'stopped'; readonly error: Error; readonly reserve: ReserveRefundOutput };

export interface RunOptions {
  /** Attempts of each step (its ASL Retry), default 4. */
  readonly attempts?: number;
  /** Which errors a step's Retry takes (default: the transient list). */
  readonly retryable?: (error: unknown) => boolean;
}

/**
 * Runs Reserve -> RefundAtGateway -> PostReversal as the ASL does: each step retried on retryable
 * errors; a final gateway error -> ReleaseRefund; retries run out -> the execution stops there.
 */
export async function runRefundSteps(
  deps: RefundStepDeps & { readonly gateway: Pick<PaymentGateway, 'refund' | 'findRefund'> },
  refund: RefundRequested,
  options: RunOptions = {},
): Promise<RefundRun> {
  const attempts = options.attempts ?? 4;
  const retryable = options.retryable ?? isTransient;
  const executionArn = `arn:aws:states:us-east-1:000000000000:execution:refund-saga:${refund.refundId}`;
  type Step<T> = { ok: true; value: T } | { ok: false; error: Error; retriesRanOut: boolean };
  const step = async <T>(run: () => Promise<T>): Promise<Step<T>> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return { ok: true, value: await run() };
      } catch (error) {
        if (!retryable(error)) return { ok: false, error: error as Error, retriesRanOut: false };
        if (attempt >= attempts) return { ok: false, error: error as Error, retriesRanOut: true };
      }
    }
  };
  const reserved = await step(() => reserveRefund(deps, { refund, executionArn }));
  if (!reserved.ok) return { outcome: 'failed', error: reserved.error };
  const reserve = reserved.value;
  const atGateway = await step(() => refundAtGateway(deps, { refund, executionArn, reserve }));
  if (!atGateway.ok) {
    if (atGateway.retriesRanOut) return { outcome: 'stopped', error: atGateway.error, reserve };
    const error = { Error: atGateway.error.name, Cause: atGateway.error.message };
    const released = await step(() => releaseRefund(deps, { refund, executionArn, reserve, error }));
    if (!released.ok) return { outcome: 'needs_attention', error: released.error, reserve };
    return { outcome: 'failed', error: atGateway.error, reserve };
  }
  const gatewayRefund = atGateway.value;
  const posted = await step(() => postReversal(deps, { refund, executionArn, reserve, gatewayRefund }));
  if (!posted.ok) {
    if (posted.retriesRanOut) return { outcome: 'stopped', error: posted.error, reserve };
    return { outcome: 'needs_attention', error: posted.error, reserve };
  }
  return { outcome: 'succeeded', reserve, reversal: posted.value };
}
