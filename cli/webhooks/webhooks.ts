import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { EventLog } from '../../core/webhooks/delivery-store';
import { WebhookDeliveryStore } from '../../core/webhooks/delivery-store';
import { WebhookEndpointStore } from '../../core/webhooks/endpoint-store';
import type { DeliveryMessage, WebhookEndpointRecord } from '../../core/webhooks/model';
import { eventLogsOf, resendEvent, WebhookEventNotFoundError } from '../../core/webhooks/resend';
import { CliError, EXIT } from '../errors';
import { recordOpsAction } from '../ops/audit';
import type { OpsDeps } from '../ops/deps';

/** What payctl webhooks (and the console) show of an endpoint: never its secrets, only how many sign. */
export interface EndpointView {
  readonly endpointId: string;
  readonly clientId: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly createdAt: string;
  readonly rotatedAt?: string;
  readonly signingSecrets: number;
}

const view = (record: WebhookEndpointRecord): EndpointView => ({
  endpointId: record.endpointId,
  clientId: record.clientId,
  url: record.url,
  events: record.events,
  createdAt: record.createdAt,
  ...(record.rotatedAt && { rotatedAt: record.rotatedAt }),
  signingSecrets: record.secrets.length,
});

const endpointStore = (deps: OpsDeps) =>
  new WebhookEndpointStore(deps.clients.doc, deps.names.tables.payments);
const deliveryStore = (deps: OpsDeps) =>
  new WebhookDeliveryStore(deps.clients.doc, deps.names.tables.payments);

export async function listEndpoints(deps: OpsDeps): Promise<EndpointView[]> {
  return (await endpointStore(deps).list()).map(view);
}

export async function showEndpoint(deps: OpsDeps, endpointId: string): Promise<EndpointView> {
  const record = await endpointStore(deps).find(endpointId);
  if (!record) throw new CliError(`no webhook endpoint ${endpointId}`, EXIT.usage);
  return view(record);
}

/** The delivery log of a payment (or top-up, refund) by its id, or of one event by its ntf_ id. */
export async function deliveriesOf(deps: OpsDeps, id: string): Promise<EventLog[]> {
  return eventLogsOf(deliveryStore(deps), id);
}

export interface ResendResult {
  readonly eventId: string;
  readonly endpoints: readonly string[];
  readonly auditId?: string;
}

/** Resends an event (audited: an audit record and OpsActionPerformed, action webhooks.resend). */
export async function resendWebhook(
  deps: OpsDeps,
  eventId: string,
  endpointId?: string,
): Promise<ResendResult> {
  const actor = await deps.identity();
  const queueUrl = await deps.queueUrl('webhookDelivery');
  const enqueue = async (messages: readonly DeliveryMessage[]) => {
    for (let i = 0; i < messages.length; i += 10) {
      const { Failed = [] } = await deps.clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages
            .slice(i, i + 10)
            .map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(message) })),
        }),
      );
      if (Failed.length > 0) throw new CliError(`${Failed.length} resend message(s) were refused by SQS`);
    }
  };
  let endpoints: string[];
  try {
    endpoints = await resendEvent(
      { deliveries: deliveryStore(deps), endpoints: endpointStore(deps), enqueue },
      eventId,
      actor,
      endpointId,
    );
  } catch (error) {
    if (error instanceof WebhookEventNotFoundError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  const recorded = await recordOpsAction(deps, {
    action: 'webhooks.resend',
    target: endpointId ? `${eventId} -> ${endpointId}` : eventId,
    count: endpoints.length,
    outcome: endpoints.length > 0 ? 'succeeded' : 'failed',
    ...(endpoints.length === 0 && { message: 'no endpoint of its client is subscribed to its type' }),
  });
  return { eventId, endpoints, auditId: recorded.entry.auditId };
}
