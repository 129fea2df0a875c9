/**
 * The EventBridge envelope of paysaga's events: sources, detail types and the
 * rule patterns. stacks/ and the local runtime both build their rules from here.
 */

/** Outcome and operations events are emitted by paysaga under this source. */
export const PAYSAGA_SOURCE = 'paysaga.saga';
export const PAYSAGA_OPS_SOURCE = 'paysaga.ops';

export const DETAIL_TYPES = {
  paymentRequested: 'PaymentRequested',
  paymentSucceeded: 'PaymentSucceeded',
  paymentFailed: 'PaymentFailed',
  paymentCompensated: 'PaymentCompensated',
  paymentNeedsAttention: 'PaymentNeedsAttention',
  paymentRejected: 'PaymentRejected',
  opsActionPerformed: 'OpsActionPerformed',
  topUpRequested: 'TopUpRequested',
  topUpSucceeded: 'TopUpSucceeded',
  topUpFailed: 'TopUpFailed',
  refundRequested: 'RefundRequested',
  refundSucceeded: 'RefundSucceeded',
  refundFailed: 'RefundFailed',
  refundRejected: 'RefundRejected',
  batchImported: 'BatchImported',
} as const;

export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

export interface EventPattern {
  readonly source?: readonly string[];
  readonly 'detail-type'?: readonly string[];
  readonly detail?: Readonly<Record<string, unknown>>;
}

/**
 * Every PaymentRequested goes to intake, whatever its source or shape: matching
 * on more (a version, a field) would let a malformed request match no rule and
 * vanish. Intake validates and rejects with a reason instead.
 */
export const PAYMENT_REQUESTED_PATTERN: EventPattern = {
  'detail-type': [DETAIL_TYPES.paymentRequested],
};

/** Every TopUpRequested goes to the top-up intake, whatever its shape (it validates and rejects with a reason). */
export const TOP_UP_REQUESTED_PATTERN: EventPattern = {
  'detail-type': [DETAIL_TYPES.topUpRequested],
};

/** Every RefundRequested goes to the refund intake, whatever its shape (it validates and rejects with a reason). */
export const REFUND_REQUESTED_PATTERN: EventPattern = {
  'detail-type': [DETAIL_TYPES.refundRequested],
};

/** Step Functions execution status changes of the saga that end it (for the history archiver). */
export const SAGA_TERMINAL_STATUS_PATTERN = (stateMachineArn: string): EventPattern => ({
  source: ['aws.states'],
  'detail-type': ['Step Functions Execution Status Change'],
  detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [stateMachineArn] },
});
