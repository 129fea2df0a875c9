/**
 * Merchant webhooks: the delivery settings stacks/, local/, the handlers and
 * the tests read (core/webhooks/ uses them; README "Merchant webhooks").
 */

/**
 * The webhook event types, one list: the kinds of notification the sagas queue
 * (core/saga/notification.ts), what an endpoint may subscribe to (the
 * endpoint routes' enum, api/openapi.json) and README's list.
 *   payment.succeeded  Notify (payment saga)
 *   payment.failed     RecordOutcome (payment saga), or `payctl payments resolve` of a payment that needed attention
 *   top_up.*           RecordOutcome (top-up saga)
 *   refund.*           RecordOutcome (refund saga)
 */
export const WEBHOOK_EVENT_TYPES = [
  'payment.succeeded',
  'payment.failed',
  'top_up.succeeded',
  'top_up.failed',
  'refund.succeeded',
  'refund.failed',
] as const;

export const WEBHOOKS = {
  /** One attempt's limit: connect, send, and read the answer. */
  attemptTimeoutMs: 10_000,
  /** What is kept of a receiver's answer in the delivery log. */
  responseBodyMaxBytes: 1024,
  /** Exponential back-off with full jitter per (event, endpoint): base * 2^(attempt-1), capped. */
  retry: {
    baseSeconds: 30,
    maxDelaySeconds: 3600,
    /** A delivery failing for this long (from its first attempt) goes to the webhook DLQ with its reason. */
    windowSeconds: 25 * 3600,
  },
  /** SQS's own limit on DelaySeconds: a longer wait is taken in hops of at most this. */
  maxQueueDelaySeconds: 900,
  /**
   * Isolation per endpoint (README "Retries and isolation"; core/webhooks/admission.ts): at most
   * `slotsPerEndpoint` attempts to one endpoint are in flight at once, each holding a lease slot on
   * the endpoint's health item. A delivery batch holding a hanging attempt is held for the attempt
   * timeout, so H endpoints hanging at once hold at most H x slotsPerEndpoint of the
   * `deliveryBatches` processed at once; the others stay free for every other endpoint:
   *   local: 6 - 1 x 4 = 2 pollers free with one endpoint hanging;
   *   AWS:   up to floor((50 - 1) / 4) = 12 endpoints may hang at once and a batch is still free.
   * The price is a cap per endpoint: at most 4 attempts in flight (a burst to one endpoint goes
   * at about 4 per answer time, the rest requeued); 2 slots made a loaded local runtime requeue
   * even a healthy endpoint's deliveries at 2/s.
   */
  isolation: {
    slotsPerEndpoint: 4,
    /** A slot's lease outlives the attempt timeout by this, so an attempt that crashed frees its slot. */
    leaseMarginSeconds: 5,
    /** A delivery that finds every slot taken is requeued after this, jittered up to twice (not an attempt). */
    busyDelaySeconds: 1,
    /** Delivery batches processed at once: the event source's maximum concurrency on AWS, the local pollers. */
    deliveryBatches: { aws: 50, local: 6 },
  },
  /** After a rotation the previous secret keeps signing, alongside the new one, for this long. */
  secretOverlapSeconds: 24 * 3600,
  /** What the README's verification snippet accepts between `t` and the receiver's clock. */
  signatureToleranceSeconds: 300,
  /** Endpoints per client. */
  maxEndpointsPerClient: 16,
  headers: {
    signature: 'Paysaga-Signature',
    eventId: 'Paysaga-Event-Id',
    eventType: 'Paysaga-Event-Type',
  },
} as const;
