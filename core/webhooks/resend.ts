import { NOTIFICATION_KINDS, notificationId } from '../saga/notification';
import type { EventLog, WebhookDeliveryStore } from './delivery-store';
import type { WebhookEndpointStore } from './endpoint-store';
import type { DeliveryMessage } from './model';

export class WebhookEventNotFoundError extends Error {
  override readonly name = 'WebhookEventNotFoundError';
}

/**
 * The webhook events of a subject (paymentId, topUpId, refundId) or of one
 * event id: the event ids are derived from the subject (core/saga/notification.ts),
 * so no index is needed; only recorded events are answered.
 */
export async function eventLogsOf(
  deliveries: Pick<WebhookDeliveryStore, 'log'>,
  id: string,
): Promise<EventLog[]> {
  const eventIds = id.startsWith('ntf_') ? [id] : NOTIFICATION_KINDS.map((kind) => notificationId(kind, id));
  const logs = await Promise.all(eventIds.map((eventId) => deliveries.log(eventId)));
  return logs.filter((log) => log.event !== undefined);
}

/**
 * An operator's resend: one delivery message per endpoint (the one named, or
 * every endpoint of the event's client subscribed to its type), attempted even
 * if delivered before, with a new retry window, its attempts marked with who
 * asked. Answers the endpoints queued; the caller writes the audit record.
 */
export async function resendEvent(
  deps: {
    readonly deliveries: Pick<WebhookDeliveryStore, 'log'>;
    readonly endpoints: Pick<WebhookEndpointStore, 'list'>;
    readonly enqueue: (messages: readonly DeliveryMessage[]) => Promise<void>;
  },
  eventId: string,
  actor: string,
  endpointId?: string,
): Promise<string[]> {
  const { event } = await deps.deliveries.log(eventId);
  if (!event) throw new WebhookEventNotFoundError(`no webhook event ${eventId} is recorded`);
  const endpoints = (await deps.endpoints.list(event.clientId)).filter((endpoint) =>
    endpointId ? endpoint.endpointId === endpointId : endpoint.events.includes(event.type),
  );
  if (endpointId && endpoints.length === 0) {
    throw new WebhookEventNotFoundError(
      `endpoint ${endpointId} does not belong to the client (${event.clientId}) of event ${eventId}`,
    );
  }
  await deps.enqueue(
    endpoints.map((endpoint) => ({
      eventId,
      endpointId: endpoint.endpointId,
      clientId: event.clientId,
      attempt: 0,
      resentBy: actor,
    })),
  );
  return endpoints.map((endpoint) => endpoint.endpointId);
}
