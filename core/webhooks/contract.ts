import * as z from 'zod';
import { WEBHOOKS } from '../config/webhooks';
import { WebhookEventType } from './model';

/** POST /v1/webhook-endpoints body. */
export const CreateWebhookEndpointBody = z.strictObject({
  url: z.string().min(1).max(2048),
  events: z
    .array(WebhookEventType)
    .min(1)
    .max(WebhookEventType.options.length)
    .refine((events) => new Set(events).size === events.length, 'events must not repeat'),
});
export type CreateWebhookEndpointBody = z.infer<typeof CreateWebhookEndpointBody>;

export const WebhookEndpointResponse = z.strictObject({
  id: z.string(),
  url: z.string(),
  events: z.array(WebhookEventType),
  createdAt: z.string(),
  rotatedAt: z.string().optional(),
  /** When the previous secret stops signing (set during a rotation's overlap). */
  previousSecretExpiresAt: z.string().optional(),
});
export type WebhookEndpointResponse = z.infer<typeof WebhookEndpointResponse>;

/** The answer of create and rotate-secret: the only time the secret is shown. */
export const WebhookEndpointWithSecretResponse = WebhookEndpointResponse.extend({
  secret: z
    .string()
    .describe(
      `the signing secret, shown once: verify ${WEBHOOKS.headers.signature} with it (README "Verifying a webhook")`,
    ),
});
export type WebhookEndpointWithSecretResponse = z.infer<typeof WebhookEndpointWithSecretResponse>;

export const WebhookEndpointId = z.string().regex(/^we_[a-z0-9]{20}$/);
