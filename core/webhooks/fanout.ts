import type { MerchantNotification } from '../saga/notification';
import type { WebhookDeliveryStore } from './delivery-store';
import type { WebhookEndpointStore } from './endpoint-store';
import { webhookEvent } from './event';
import type { DeliveryMessage } from './model';

/**
 * Whose webhooks an outcome goes to: the front-door client that submitted
 * the payment (a refund: its payment) or the top-up. A payment or top-up put
 * on the bus by a producer directly has no client: the producer already reads
 * the outcome events on the bus, and nothing is sent.
 */
export interface ClientLookup {
  paymentClient(paymentId: string): Promise<string | undefined>;
  topUpClient(topUpId: string): Promise<string | undefined>;
}

export function clientOf(
  lookup: ClientLookup,
  notification: MerchantNotification,
): Promise<string | undefined> {
  if ('topUpId' in notification) return lookup.topUpClient(notification.topUpId);
  return lookup.paymentClient(notification.paymentId);
}

export interface FanOutDeps {
  readonly clients: ClientLookup;
  readonly endpoints: Pick<WebhookEndpointStore, 'list'>;
  readonly deliveries: Pick<WebhookDeliveryStore, 'putEvent' | 'openDelivery' | 'getDelivery'>;
  /** Puts delivery messages on the delivery queue (no delay). */
  readonly enqueue: (messages: readonly DeliveryMessage[]) => Promise<void>;
  readonly now: () => Date;
}

export interface FanOutResult {
  readonly clientId?: string;
  /** Endpoints a delivery message was queued for. */
  readonly queued: readonly string[];
}

/**
 * One notification -> one delivery message per subscribed endpoint of its
 * client, each then retried on its own (core/webhooks/deliver.ts). Idempotent:
 * a redelivered notification finds the event recorded and each delivery
 * opened, and queues again only deliveries never attempted (a crash may have
 * lost their message; a second message is deduplicated at delivery).
 */
export async function fanOut(deps: FanOutDeps, notification: MerchantNotification): Promise<FanOutResult> {
  const clientId = await clientOf(deps.clients, notification);
  if (!clientId) return { queued: [] };
  const now = deps.now();
  const event = await deps.deliveries.putEvent(webhookEvent(notification, clientId, now));
  const subscribed = (await deps.endpoints.list(clientId)).filter((endpoint) =>
    endpoint.events.includes(event.type),
  );
  const queued: string[] = [];
  for (const endpoint of subscribed) {
    const opened = await deps.deliveries.openDelivery(
      event.eventId,
      endpoint.endpointId,
      endpoint.url,
      now.toISOString(),
    );
    if (!opened) {
      const delivery = await deps.deliveries.getDelivery(event.eventId, endpoint.endpointId);
      if (delivery && (delivery.status !== 'pending' || delivery.attempts > 0)) continue;
    }
    queued.push(endpoint.endpointId);
  }
  await deps.enqueue(
    queued.map((endpointId) => ({ eventId: event.eventId, endpointId, clientId, attempt: 0 })),
  );
  return { clientId, queued };
}
