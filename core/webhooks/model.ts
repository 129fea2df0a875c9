import * as z from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../config/webhooks';

/** The event types a webhook endpoint may subscribe to: the notification kinds, one list (core/config/webhooks.ts). */
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const StoredSecret = z.object({
  /** KMS ciphertext (base64) of the signing secret; the plain secret is never stored or logged. */
  ciphertext: z.string(),
  createdAt: z.string(),
  /** Set on the previous secret by a rotation: it signs alongside the new one until then. */
  expiresAt: z.string().optional(),
});
export type StoredSecret = z.infer<typeof StoredSecret>;

export const WebhookEndpointRecord = z.object({
  endpointId: z.string(),
  clientId: z.string(),
  url: z.string(),
  events: z.array(WebhookEventType),
  /** Newest first: [current] or, during a rotation's overlap, [current, previous]. */
  secrets: z.array(StoredSecret).min(1),
  createdAt: z.string(),
  rotatedAt: z.string().optional(),
});
export type WebhookEndpointRecord = z.infer<typeof WebhookEndpointRecord>;

/**
 * An endpoint's recent failures and its attempts in flight: while failing, its
 * deliveries wait for its back-off, one probe at a time; at most
 * WEBHOOKS.isolation.slotsPerEndpoint attempts hold a slot at once.
 */
export const EndpointHealth = z.object({
  endpointId: z.string(),
  consecutiveFailures: z.number().int().default(0),
  nextAttemptAt: z.string().optional(),
  /** The slots' leases by slot number: `<until ISO>#<token>` (an expired one is free). */
  leases: z.record(z.string(), z.string()).default({}),
});
export type EndpointHealth = z.infer<typeof EndpointHealth>;

export const WebhookEventRecord = z.object({
  eventId: z.string(),
  type: WebhookEventType,
  clientId: z.string(),
  /** paymentId, topUpId or refundId. */
  subjectId: z.string(),
  /** The exact body every attempt sends (so retries are byte-identical). */
  body: z.string(),
  createdAt: z.string(),
});
export type WebhookEventRecord = z.infer<typeof WebhookEventRecord>;

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'dead', 'cancelled'] as const;

export const DeliveryRecord = z.object({
  eventId: z.string(),
  endpointId: z.string(),
  url: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  updatedAt: z.string(),
  lastStatusCode: z.number().int().optional(),
  lastError: z.string().optional(),
  deliveredAt: z.string().optional(),
});
export type DeliveryRecord = z.infer<typeof DeliveryRecord>;

export const AttemptRecord = z.object({
  eventId: z.string(),
  endpointId: z.string(),
  attempt: z.number().int(),
  at: z.string(),
  latencyMs: z.number().int(),
  statusCode: z.number().int().optional(),
  error: z.string().optional(),
  /** At most WEBHOOKS.responseBodyMaxBytes of the receiver's answer. */
  responseBody: z.string().optional(),
  /** Set on attempts an operator asked for (payctl webhooks resend). */
  resentBy: z.string().optional(),
});
export type AttemptRecord = z.infer<typeof AttemptRecord>;

/** One message of the delivery queue: one (event, endpoint) pair, with its own attempt count and back-off. */
export const DeliveryMessage = z.object({
  eventId: z.string(),
  endpointId: z.string(),
  clientId: z.string(),
  /** Attempts made so far. */
  attempt: z.number().int().min(0),
  /** When this round of attempts began; the retry window counts from it. */
  firstAttemptAt: z.string().optional(),
  /** Not before this time (a back-off longer than SQS's 15-minute delay is waited in hops). */
  notBefore: z.string().optional(),
  /** An operator's resend: attempted even if delivered before. */
  resentBy: z.string().optional(),
  /** Set when the message went to the webhook DLQ; a redrive starts a new round. */
  deadLetter: z.object({ reason: z.string(), at: z.string() }).optional(),
});
export type DeliveryMessage = z.infer<typeof DeliveryMessage>;

export class WebhookEndpointNotFoundError extends Error {
  override readonly name = 'WebhookEndpointNotFoundError';
}
