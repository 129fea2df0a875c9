import '../config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../config/deferred-schema';
import { WEBHOOKS } from '../config/webhooks';
import { WebhookEventType } from './model';

/** POST /v1/webhook-endpoints body. */
export const CreateWebhookEndpointBody = deferred(() =>
  z.strictObject({
    url: z.string().check(z.minLength(1), z.maxLength(2048)),
    events: z.array(WebhookEventType).check(
      z.minLength(1),
      z.maxLength(WebhookEventType.options.length),
      z.refine((events) => new Set(events).size === events.length, 'events must not repeat'),
    ),
  }),
);
export type CreateWebhookEndpointBody = z.infer<typeof CreateWebhookEndpointBody>;

export const WebhookEndpointResponse = deferred(() =>
  z.strictObject({
    id: z.string(),
    url: z.string(),
    events: z.array(WebhookEventType),
    createdAt: z.string(),
    rotatedAt: z.optional(z.string()),
    /** When the previous secret stops signing (set during a rotation's overlap). */
    previousSecretExpiresAt: z.optional(z.string()),
  }),
);
export type WebhookEndpointResponse = z.infer<typeof WebhookEndpointResponse>;

/** The answer of create and rotate-secret: the only time the secret is shown. */
export const WebhookEndpointWithSecretResponse = deferred(() =>
  z.extend(WebhookEndpointResponse, {
    secret: z
      .string()
      .check(
        z.describe(
          `the signing secret, shown once: verify ${WEBHOOKS.headers.signature} with it (README "Verifying a webhook")`,
        ),
      ),
  }),
);
export type WebhookEndpointWithSecretResponse = z.infer<typeof WebhookEndpointWithSecretResponse>;

export const WebhookEndpointId = deferred(() => z.string().check(z.regex(/^we_[a-z0-9]{20}$/)));
