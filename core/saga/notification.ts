import '../config/zod-locale';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { SendMessageCommandInput } from '../aws/sqs';
import { deferred } from '../config/deferred-schema';
import { WEBHOOK_EVENT_TYPES } from '../config/webhooks';
import type { PaymentRecord } from '../payments/records';
import type { RefundOutcomeRecord } from '../refunds/outcome';
import type { RefundRecordOutcomeInput } from '../refunds/state';
import type { TopUpOutcomeRecord } from '../topups/outcome';
import type { TopUpRecordOutcomeInput } from '../topups/state';
import type { OutcomeRecord } from './outcome';
import type { NotifyInput, RecordOutcomeInput } from './state';

/**
 * The merchant notifications put on the notification queue: one discriminated
 * union by `kind`, validated by the webhook fan-out (core/webhooks) at the
 * queue boundary. Every kind names its subject (`subjectId`: the paymentId,
 * topUpId or refundId) and the payment or top-up whose front-door client
 * receives its webhooks.
 *
 * Delivery is at-least-once: a crash between SendMessage and saving the
 * step's idempotency record queues it again, so consumers dedupe on
 * `notificationId`, the same for every copy of one subject's outcome.
 */
export const NOTIFICATION_KINDS = WEBHOOK_EVENT_TYPES;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

const NotificationAmount = deferred(() =>
  z.object({ value: z.int(), currency: z.string(), exponent: z.int() }),
);

const Common = {
  notificationId: z.string().check(z.regex(/^ntf_[0-9a-f]{32}$/)),
  /** When the outcome happened (ISO 8601). */
  occurredAt: z.string(),
  executionArn: z.optional(z.string()),
};

export const PaymentSucceededNotification = deferred(() =>
  z.object({
    ...Common,
    kind: z.literal('payment.succeeded'),
    paymentId: z.string(),
    merchantId: z.string(),
    amount: NotificationAmount,
    chargeId: z.string(),
    settledAt: z.string(),
  }),
);
export const PaymentFailedNotification = deferred(() =>
  z.object({
    ...Common,
    kind: z.literal('payment.failed'),
    paymentId: z.string(),
    merchantId: z.string(),
    amount: NotificationAmount,
    reasonCode: z.optional(z.string()),
  }),
);
export const TopUpNotification = deferred(() =>
  z.object({
    ...Common,
    kind: z.enum(['top_up.succeeded', 'top_up.failed']),
    topUpId: z.string(),
    walletId: z.string(),
    amount: NotificationAmount,
    reasonCode: z.optional(z.string()),
  }),
);
/**
 * A refund's outcome, as Stripe's refund object (id, amount, status,
 * failure_reason): `amount` and its parts (`walletAmount` back to the payer's
 * wallet, `gatewayAmount` to the card; minor units) are what the refund was
 * for; on refund.failed nothing was refunded, and `amount` is absent when
 * "everything refundable" was asked and refused before any was reserved.
 */
export const RefundNotification = deferred(() =>
  z.object({
    ...Common,
    kind: z.enum(['refund.succeeded', 'refund.failed']),
    refundId: z.string(),
    paymentId: z.string(),
    merchantId: z.optional(z.string()),
    status: z.enum(['succeeded', 'failed']),
    amount: z.optional(NotificationAmount),
    walletAmount: z.optional(z.int().check(z.nonnegative())),
    gatewayAmount: z.optional(z.int().check(z.nonnegative())),
    /** refund.failed: a code (e.g. payment_not_refundable, card_declined) and what happened. */
    reasonCode: z.optional(z.string()),
    reason: z.optional(z.string().check(z.maxLength(1000))),
  }),
);

export const MerchantNotification = deferred(() =>
  z.union([PaymentSucceededNotification, PaymentFailedNotification, TopUpNotification, RefundNotification]),
);
export type MerchantNotification = z.infer<typeof MerchantNotification>;

/** The id the subject of a notification goes by: its paymentId, topUpId or refundId. */
export function subjectIdOf(notification: MerchantNotification): string {
  if ('refundId' in notification) return notification.refundId;
  if ('topUpId' in notification) return notification.topUpId;
  return notification.paymentId;
}

/** `ntf_` + 32 hex digits of sha256(kind, subject id): one id per subject and outcome, whoever sends it. */
export function notificationId(kind: NotificationKind, subjectId: string): string {
  return `ntf_${createHash('sha256').update(`${kind}\n${subjectId}`).digest('hex').slice(0, 32)}`;
}

/** Notify's notification of a settled payment. */
export function merchantNotification(input: NotifyInput): z.infer<typeof PaymentSucceededNotification> {
  const kind = 'payment.succeeded' as const;
  return {
    notificationId: notificationId(kind, input.payment.paymentId),
    kind,
    occurredAt: input.settle.postedAt,
    paymentId: input.payment.paymentId,
    merchantId: input.payment.merchantId,
    amount: input.payment.amount,
    chargeId: input.charge.chargeId,
    settledAt: input.settle.postedAt,
    executionArn: input.executionArn,
  };
}

/**
 * RecordOutcome's notification of a payment that ended without a charge kept:
 * payment.failed for FAILED (declined, short wallet, compensated). A succeeded
 * payment was notified by Notify; a payment that needs attention is not settled
 * yet (its compensation waits in the DLQ): none. Dated by the recorded terminal
 * time, so a retried RecordOutcome queues the same notification.
 */
export function paymentOutcomeNotification(
  input: RecordOutcomeInput,
  outcome: Pick<OutcomeRecord, 'status' | 'reasonCode'>,
  at: string,
): z.infer<typeof PaymentFailedNotification> | undefined {
  if (outcome.status !== 'FAILED') return undefined;
  const { payment } = input.saga;
  const kind = 'payment.failed' as const;
  return {
    notificationId: notificationId(kind, payment.paymentId),
    kind,
    occurredAt: at,
    paymentId: payment.paymentId,
    merchantId: payment.merchantId,
    amount: payment.amount,
    ...(outcome.reasonCode && { reasonCode: outcome.reasonCode }),
    executionArn: input.executionArn,
  };
}

/** The top-up's RecordOutcome notification: top_up.succeeded, or top_up.failed (as TopUpFailed: also when its refund failed). */
export function topUpOutcomeNotification(
  input: TopUpRecordOutcomeInput,
  outcome: Pick<TopUpOutcomeRecord, 'status' | 'reasonCode'>,
  at: string,
): z.infer<typeof TopUpNotification> {
  const { topUp } = input.saga;
  const kind = outcome.status === 'SUCCEEDED' ? ('top_up.succeeded' as const) : ('top_up.failed' as const);
  return {
    notificationId: notificationId(kind, topUp.topUpId),
    kind,
    occurredAt: at,
    topUpId: topUp.topUpId,
    walletId: topUp.walletId,
    amount: topUp.amount,
    ...(outcome.reasonCode && { reasonCode: outcome.reasonCode }),
    executionArn: input.executionArn,
  };
}

/**
 * The refund saga's RecordOutcome notification: refund.succeeded or
 * refund.failed; none for NEEDS_ATTENTION (the gateway may have refunded, the
 * ledger not: a person finishes it). Dated by the refund's recorded terminal
 * time, so a retried RecordOutcome queues the same notification.
 */
export function refundOutcomeNotification(
  input: RefundRecordOutcomeInput,
  outcome: Pick<RefundOutcomeRecord, 'status' | 'reasonCode' | 'reason'>,
  at: string,
): z.infer<typeof RefundNotification> | undefined {
  if (outcome.status === 'NEEDS_ATTENTION') return undefined;
  const { refund, reserve } = input.saga;
  const succeeded = outcome.status === 'SUCCEEDED';
  const kind = succeeded ? ('refund.succeeded' as const) : ('refund.failed' as const);
  const amount = reserve
    ? { value: reserve.amount, currency: reserve.currency, exponent: reserve.exponent }
    : refund.amount;
  return {
    notificationId: notificationId(kind, refund.refundId),
    kind,
    occurredAt: at,
    refundId: refund.refundId,
    paymentId: refund.paymentId,
    ...(reserve && { merchantId: reserve.merchantId }),
    status: succeeded ? 'succeeded' : 'failed',
    ...(amount && { amount }),
    ...(reserve && { walletAmount: reserve.walletAmount, gatewayAmount: reserve.gatewayAmount }),
    ...(!succeeded && outcome.reasonCode && { reasonCode: outcome.reasonCode }),
    ...(!succeeded && outcome.reason && { reason: outcome.reason.slice(0, 1000) }),
    executionArn: input.executionArn,
  };
}

/**
 * The outcome of a payment that needed attention, once operations resolved it
 * (`payctl payments resolve`): payment.failed when the customer's money was
 * given back (--refund, --release, or by hand), payment.succeeded when the
 * charge was kept and the payment settled by hand (--mark-resolved --outcome
 * succeeded; `chargeId` the standing charge, '' when the wallet paid it all).
 * The same notificationId a RecordOutcome or Notify would have queued; dated
 * by the resolution.
 */
export function resolvedPaymentNotification(
  payment: Pick<
    PaymentRecord,
    'paymentId' | 'merchantId' | 'amount' | 'currency' | 'exponent' | 'reasonCode'
  >,
  resolvedAt: string,
  outcome: { readonly kind: 'failed' } | { readonly kind: 'succeeded'; readonly chargeId: string } = {
    kind: 'failed',
  },
): z.infer<typeof PaymentFailedNotification> | z.infer<typeof PaymentSucceededNotification> {
  const common = {
    occurredAt: resolvedAt,
    paymentId: payment.paymentId,
    merchantId: payment.merchantId,
    amount: { value: payment.amount, currency: payment.currency, exponent: payment.exponent },
  };
  if (outcome.kind === 'succeeded') {
    const kind = 'payment.succeeded' as const;
    return {
      notificationId: notificationId(kind, payment.paymentId),
      kind,
      ...common,
      chargeId: outcome.chargeId,
      settledAt: resolvedAt,
    };
  }
  const kind = 'payment.failed' as const;
  return {
    notificationId: notificationId(kind, payment.paymentId),
    kind,
    ...common,
    ...(payment.reasonCode && { reasonCode: payment.reasonCode }),
  };
}

/** The message attributes a queued notification carries: its subject and id, for consumers to dedupe on. */
export function notificationAttributes(notification: MerchantNotification): Record<string, string> {
  const subject: Record<string, string> =
    'topUpId' in notification
      ? { topUpId: notification.topUpId }
      : 'refundId' in notification
        ? { paymentId: notification.paymentId, refundId: notification.refundId }
        : { paymentId: notification.paymentId };
  return { ...subject, notificationId: notification.notificationId };
}

/** The SendMessage of a notification on the notification queue (the saga steps and payctl send the same). */
export function notificationMessage(
  queueUrl: string,
  notification: MerchantNotification,
): SendMessageCommandInput {
  return {
    QueueUrl: queueUrl,
    MessageBody: JSON.stringify(notification),
    MessageAttributes: Object.fromEntries(
      Object.entries(notificationAttributes(notification)).map(([name, value]) => [
        name,
        { DataType: 'String', StringValue: value },
      ]),
    ),
  };
}

/** Puts a notification on the notification queue: the port the steps in core/ are given. */
export type QueueNotification = (notification: MerchantNotification) => Promise<unknown>;
