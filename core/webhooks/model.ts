import '../config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../config/deferred-schema';
import { WEBHOOK_EVENT_TYPES } from '../config/webhooks';

/** The event types a webhook endpoint may subscribe to: the notification kinds, one list (core/config/webhooks.ts). */
export const WebhookEventType = deferred(() => z.enum(WEBHOOK_EVENT_TYPES));
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const StoredSecret = deferred(() =>
  z.object({
    /** KMS ciphertext (base64) of the signing secret; the plain secret is never stored or logged. */
    ciphertext: z.string(),
    createdAt: z.string(),
    /** Set on the previous secret by a rotation: it signs alongside the new one until then. */
    expiresAt: z.optional(z.string()),
  }),
);
export type StoredSecret = z.infer<typeof StoredSecret>;

export const WebhookEndpointRecord = deferred(() =>
  z.object({
    endpointId: z.string(),
    clientId: z.string(),
    url: z.string(),
    events: z.array(WebhookEventType),
    /** Newest first: [current] or, during a rotation's overlap, [current, previous]. */
    secrets: z.array(StoredSecret).check(z.minLength(1)),
    createdAt: z.string(),
    rotatedAt: z.optional(z.string()),
  }),
);
export type WebhookEndpointRecord = z.infer<typeof WebhookEndpointRecord>;

/**
 * An endpoint's recent failures and its attempts in flight: while failing, its
 * deliveries wait for its back-off, one probe at a time; at most
 * WEBHOOKS.isolation.slotsPerEndpoint attempts hold a slot at once.
 */
export const EndpointHealth = deferred(() =>
  z.object({
    endpointId: z.string(),
    consecutiveFailures: z._default(z.number().check(z.int()), 0),
    nextAttemptAt: z.optional(z.string()),
    /** The slots' leases by slot number: `<until ISO>#<token>` (an expired one is free). */
    leases: z._default(z.record(z.string(), z.string()), {}),
  }),
);
export type EndpointHealth = z.infer<typeof EndpointHealth>;

export const WebhookEventRecord = deferred(() =>
  z.object({
    eventId: z.string(),
    type: WebhookEventType,
    clientId: z.string(),
    /** paymentId, topUpId or refundId. */
    subjectId: z.string(),
    /** The exact body every attempt sends (so retries are byte-identical). */
    body: z.string(),
    createdAt: z.string(),
  }),
);
export type WebhookEventRecord = z.infer<typeof WebhookEventRecord>;

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'dead', 'cancelled'] as const;

export const DeliveryRecord = deferred(() =>
  z.object({
    eventId: z.string(),
    endpointId: z.string(),
    url: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().check(z.int()),
    updatedAt: z.string(),
    lastStatusCode: z.optional(z.number().check(z.int())),
    lastError: z.optional(z.string()),
    deliveredAt: z.optional(z.string()),
  }),
);
export type DeliveryRecord = z.infer<typeof DeliveryRecord>;

export const AttemptRecord = deferred(() =>
  z.object({
    eventId: z.string(),
    endpointId: z.string(),
    attempt: z.number().check(z.int()),
    at: z.string(),
    latencyMs: z.number().check(z.int()),
    statusCode: z.optional(z.number().check(z.int())),
    error: z.optional(z.string()),
    /** At most WEBHOOKS.responseBodyMaxBytes of the receiver's answer. */
    responseBody: z.optional(z.string()),
    /** Set on attempts an operator asked for (payctl webhooks resend). */
    resentBy: z.optional(z.string()),
  }),
);
export type AttemptRecord = z.infer<typeof AttemptRecord>;

/** One message of the delivery queue: one (event, endpoint) pair, with its own attempt count and back-off. */
export const DeliveryMessage = deferred(() =>
  z.object({
    eventId: z.string(),
    endpointId: z.string(),
    clientId: z.string(),
    /** Attempts made so far. */
    attempt: z.number().check(z.int(), z.gte(0)),
    /** When this round of attempts began; the retry window counts from it. */
    firstAttemptAt: z.optional(z.string()),
    /** Not before this time (a back-off longer than SQS's 15-minute delay is waited in hops). */
    notBefore: z.optional(z.string()),
    /** An operator's resend: attempted even if delivered before. */
    resentBy: z.optional(z.string()),
    /** Set when the message went to the webhook DLQ; a redrive starts a new round. */
    deadLetter: z.optional(z.object({ reason: z.string(), at: z.string() })),
  }),
);
export type DeliveryMessage = z.infer<typeof DeliveryMessage>;

export class WebhookEndpointNotFoundError extends Error {
  override readonly name = 'WebhookEndpointNotFoundError';
}
