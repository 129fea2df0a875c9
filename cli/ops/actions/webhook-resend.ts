import { SendMessageBatchCommand } from '../../../core/aws/sqs';
import { WebhookDeliveryStore } from '../../../core/webhooks/delivery-store';
import { WebhookEndpointStore } from '../../../core/webhooks/endpoint-store';
import type { DeliveryMessage } from '../../../core/webhooks/model';
import { resendEvent, WebhookEventNotFoundError } from '../../../core/webhooks/resend';
import { CliError, EXIT } from '../../errors';
import type { OpsDeps } from '../deps';
import { type Audited, runAudited } from './audited';

/**
 * The webhook resend as one audited action (payctl webhooks resend, the
 * console's resend button): queues a delivery of the event to every
 * subscribed endpoint of its client (or one), then the audit record
 * webhooks.resend; an unknown event or a refused send is audited as failed.
 */

export interface WebhookResendResult {
  readonly eventId: string;
  readonly endpoints: readonly string[];
}

function enqueuer(deps: OpsDeps, queueUrl: string) {
  return async (messages: readonly DeliveryMessage[]) => {
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
}

export function resendWebhookAction(
  deps: OpsDeps,
  eventId: string,
  endpointId?: string,
): Promise<Audited<WebhookResendResult>> {
  const target = endpointId ? `${eventId} -> ${endpointId}` : eventId;
  return runAudited(deps, { action: 'webhooks.resend', target }, async () => {
    const actor = await deps.identity();
    const enqueue = enqueuer(deps, await deps.queueUrl('webhookDelivery'));
    const stores = {
      deliveries: new WebhookDeliveryStore(deps.clients.doc, deps.names.tables.payments),
      endpoints: new WebhookEndpointStore(deps.clients.doc, deps.names.tables.payments),
    };
    let endpoints: string[];
    try {
      endpoints = await resendEvent({ ...stores, enqueue }, eventId, actor, endpointId);
    } catch (error) {
      if (error instanceof WebhookEventNotFoundError) throw new CliError(error.message, EXIT.usage);
      throw error;
    }
    return {
      result: { eventId, endpoints },
      outcome: endpoints.length > 0 ? 'succeeded' : 'failed',
      count: endpoints.length,
      ...(endpoints.length === 0 && { message: 'no endpoint of its client is subscribed to its type' }),
    };
  });
}
