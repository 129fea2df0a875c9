import type { PaymentRequested } from '../../events/payment-requested.v1';

/**
 * What the saga steps need from the payments store: the payment's status and
 * its step timeline. core/payments implements it on DynamoDB; keeping the
 * saga's view this narrow lets each step say only what it did.
 */
export type PaymentStatus = 'REQUESTED' | 'RESERVED' | 'CHARGED' | 'SUCCEEDED' | 'FAILED' | 'NEEDS_ATTENTION';

export interface StepRecord {
  readonly step: string;
  readonly outcome: 'succeeded' | 'failed' | 'replayed';
  readonly at: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

export interface PaymentFacts {
  readonly holdId?: string;
  /** The split Reserve decided, recorded with RESERVED: the wallet part and the gateway part (minor units). */
  readonly walletAmount?: number;
  readonly gatewayAmount?: number;
  readonly chargeId?: string;
  readonly chargeAttemptedAt?: string;
  /** The latest charge attempt (a retry, a redrive): bounds the gateway lookup after a Charge error. */
  readonly lastChargeAttemptedAt?: string;
  readonly refundId?: string;
  readonly reasonCode?: string;
  readonly reason?: string;
  readonly failedState?: string;
  readonly compensations?: readonly string[];
}

export interface PaymentView extends PaymentFacts {
  readonly paymentId: string;
  readonly status: PaymentStatus;
}

export interface PaymentLog {
  /** Creates the payment record (REQUESTED) the first time the saga sees it; a no-op afterwards. */
  open(payment: PaymentRequested, executionArn: string): Promise<void>;
  /**
   * Moves the payment forward and records facts; never moves a payment backwards (stale retries are no-ops).
   * Undefined when this call moved it; the record as stored when refused as a replay or a stale retry.
   */
  advance(paymentId: string, status: PaymentStatus, facts?: PaymentFacts): Promise<PaymentView | undefined>;
  /** Records facts without a status change (e.g. that a charge is being attempted). */
  note(paymentId: string, facts: PaymentFacts): Promise<void>;
  /** Appends one immutable timeline entry per attempt (attemptId: the invocation's request id). */
  appendStep(paymentId: string, record: StepRecord, attemptId?: string): Promise<void>;
  get(paymentId: string): Promise<PaymentView | undefined>;
}
