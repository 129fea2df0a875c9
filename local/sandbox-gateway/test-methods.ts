/**
 * The sandbox's deterministic test payment methods. Saga tests and the demo import this table, so a
 * scenario is named once. Fault schedules count attempts per (API key, idempotency key): the same
 * paymentId retried by the SDK or the saga walks through the schedule, a new paymentId starts over.
 */

export type SandboxBehaviour =
  | { readonly kind: 'approve' }
  | { readonly kind: 'decline'; readonly declineCode: string; readonly message: string }
  /** 503 before anything is done (not stored for idempotency); `times` undefined = always. */
  | { readonly kind: 'unavailable'; readonly times: number | undefined }
  /** 429 before anything is done. */
  | { readonly kind: 'ratelimited'; readonly times: number | undefined }
  /** Does the work, then holds the answer until the client gives up (its timeout). Ambiguous. */
  | { readonly kind: 'timeout'; readonly times: number | undefined }
  /** Does the work, then destroys the socket without answering. Ambiguous. */
  | { readonly kind: 'dropresponse'; readonly times: number | undefined }
  /** Waits `delayMs` (the sandbox's slowMs when undefined), then approves. */
  | { readonly kind: 'slow'; readonly delayMs: number | undefined }
  /** Charges fine; every refund of the charge fails with a 500. */
  | { readonly kind: 'refundfail' }
  /** Charges fine; a refund of the charge is done, then the connection is closed without answering `times` times. */
  | { readonly kind: 'refunddrop'; readonly times: number | undefined }
  /**
   * Another request with the same idempotency key is still running (as after a crashed attempt): the first
   * `times` attempts answer 409 while that request charges; later attempts replay its charge.
   */
  | { readonly kind: 'inprogress'; readonly times: number | undefined }
  /** Declines (402), yet `charges` charges stand for the payment, made by requests the caller never saw. */
  | { readonly kind: 'declinecharged'; readonly charges: number }
  /** Answers the charge `processing`, and `reads` more reads of the intent (retrieve) too, then it succeeds. */
  | { readonly kind: 'processing'; readonly reads: number };

export interface SandboxPaymentMethod {
  /** The token, or its pattern with `<n>` (attempt count) / `<ms>` placeholders. */
  readonly paymentMethod: string;
  readonly outcome: string;
  /** The paysaga error the Stripe adapter turns the outcome into (after the SDK's own retries). */
  readonly adapterResult: string;
}

export const SANDBOX_PAYMENT_METHODS: readonly SandboxPaymentMethod[] = [
  { paymentMethod: 'pm_card_visa', outcome: 'approved', adapterResult: 'ChargeResult (succeeded)' },
  {
    paymentMethod: 'pm_card_chargeDeclined',
    outcome: '402 card_error, code card_declined, decline_code generic_decline',
    adapterResult: 'CardDeclinedError (reasonCode card_declined)',
  },
  {
    paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds',
    outcome: '402 card_error, code card_declined, decline_code insufficient_funds',
    adapterResult: 'CardDeclinedError (reasonCode insufficient_funds)',
  },
  {
    paymentMethod: 'pm_sandbox_unavailable_<n>',
    outcome: 'first n attempts 503 api_error (nothing done), then approved; without _<n>: always 503',
    adapterResult: 'GatewayUnavailableError until the schedule is through',
  },
  {
    paymentMethod: 'pm_sandbox_ratelimited_<n>',
    outcome: 'first n attempts 429 rate_limit (nothing done), then approved; without _<n>: always 429',
    adapterResult: 'ThrottlingError until the schedule is through',
  },
  {
    paymentMethod: 'pm_sandbox_timeout_<n>',
    outcome: 'charges, then withholds the answer past the client timeout n times; without _<n>: always',
    adapterResult: 'GatewayTimeoutError; a retry with the same key replays the one charge',
  },
  {
    paymentMethod: 'pm_sandbox_dropresponse_<n>',
    outcome: 'charges, then closes the connection without answering n times; without _<n>: always',
    adapterResult: 'GatewayTimeoutError; a retry with the same key replays the one charge',
  },
  {
    paymentMethod: 'pm_sandbox_slow',
    outcome: "approved after the sandbox's slowMs (pm_sandbox_slow_<ms>ms for a given delay)",
    adapterResult: 'ChargeResult, or GatewayTimeoutError if slower than the client timeout',
  },
  {
    paymentMethod: 'pm_sandbox_refundfail',
    outcome: 'approved; every refund of this charge fails with 500 api_error',
    adapterResult: 'refund(): GatewayUnavailableError, forever (the compensation DLQ case)',
  },
  {
    paymentMethod: 'pm_sandbox_refunddrop_<n>',
    outcome:
      'approved; a refund of this charge is made, then the connection closes without an answer n times; without _<n>: always',
    adapterResult: 'refund(): GatewayTimeoutError; a retry with the same key replays the one refund',
  },
  {
    paymentMethod: 'pm_sandbox_inprogress_<n>',
    outcome:
      '409 idempotency_error (idempotency_key_in_use) n times while an earlier request with the same key charges; then its charge is replayed; without _<n>: always 409',
    adapterResult: 'GatewayTimeoutError (retryable) until the schedule is through, then the one charge',
  },
  {
    paymentMethod: 'pm_sandbox_declinecharged_<n>',
    outcome:
      '402 card_error (card_declined), yet n succeeded charges (default 1) stand for the same paymentId (metadata)',
    adapterResult: 'CardDeclinedError; findChargeByPaymentId finds the charge (n = 1) or fails (n > 1)',
  },
  {
    paymentMethod: 'pm_sandbox_processing_<n>',
    outcome:
      'the charge answers status processing (so does its idempotent replay), and the next n retrieves of the intent too (default 1); then it is succeeded',
    adapterResult:
      'GatewayTimeoutError (retryable) while the intent reads processing, then ChargeResult (succeeded)',
  },
  {
    paymentMethod: 'anything else',
    outcome: '400 invalid_request_error, code resource_missing (No such PaymentMethod)',
    adapterResult: 'InvalidPaymentError',
  },
];

const DECLINES: Readonly<Record<string, SandboxBehaviour>> = {
  pm_card_chargeDeclined: {
    kind: 'decline',
    declineCode: 'generic_decline',
    message: 'Your card was declined.',
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    kind: 'decline',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
};

const COUNTED = /^pm_sandbox_(unavailable|ratelimited|timeout|dropresponse|inprogress)(?:_(\d{1,4}))?$/;
const DECLINE_CHARGED = /^pm_sandbox_declinecharged(?:_([1-9]))?$/;
const SLOW = /^pm_sandbox_slow(?:_(\d{1,6})ms)?$/;
const REFUND_DROP = /^pm_sandbox_refunddrop(?:_(\d{1,4}))?$/;
const PROCESSING = /^pm_sandbox_processing(?:_(\d{1,4}))?$/;

/** The behaviour of a payment method, or undefined when the sandbox does not know it. */
export function behaviourOf(paymentMethod: string): SandboxBehaviour | undefined {
  if (paymentMethod === 'pm_card_visa') return { kind: 'approve' };
  if (paymentMethod === 'pm_sandbox_refundfail') return { kind: 'refundfail' };
  const decline = DECLINES[paymentMethod];
  if (decline) return decline;
  const counted = COUNTED.exec(paymentMethod);
  if (counted) {
    const kind = counted[1] as 'unavailable' | 'ratelimited' | 'timeout' | 'dropresponse' | 'inprogress';
    return { kind, times: counted[2] === undefined ? undefined : Number(counted[2]) };
  }
  const refundDrop = REFUND_DROP.exec(paymentMethod);
  if (refundDrop) {
    return { kind: 'refunddrop', times: refundDrop[1] === undefined ? undefined : Number(refundDrop[1]) };
  }
  const declineCharged = DECLINE_CHARGED.exec(paymentMethod);
  if (declineCharged) return { kind: 'declinecharged', charges: Number(declineCharged[1] ?? 1) };
  const processing = PROCESSING.exec(paymentMethod);
  if (processing) return { kind: 'processing', reads: Number(processing[1] ?? 1) };
  const slow = SLOW.exec(paymentMethod);
  if (slow) return { kind: 'slow', delayMs: slow[1] === undefined ? undefined : Number(slow[1]) };
  return undefined;
}

/** Whether attempt number `attempt` (1-based) of a counted fault still fails. */
export function faultApplies(times: number | undefined, attempt: number): boolean {
  return times === undefined || attempt <= times;
}
