import type { EventLog } from '../../../core/webhooks/delivery-store';
import { resendWebhookAction } from '../../ops/actions/webhook-resend';
import type { OpsDeps } from '../../ops/deps';
import { deliveriesOf } from '../../webhooks/webhooks';
import type { ActionResult } from '../api-types';

/**
 * The payment page's webhook panel: the delivery log (payctl webhooks
 * deliveries) and the resend button, which calls the same audited action as
 * payctl webhooks resend (cli/ops/actions/webhook-resend.ts).
 */

export function webhookDeliveries(deps: OpsDeps, subjectId: string): Promise<EventLog[]> {
  return deliveriesOf(deps, subjectId);
}

export async function resendWebhookAudited(
  deps: OpsDeps,
  eventId: string,
  request: { endpointId?: string },
): Promise<ActionResult> {
  const { result, outcome, audit } = await resendWebhookAction(deps, eventId, request.endpointId);
  if (audit.problem) throw new Error(audit.problem);
  return {
    ok: outcome === 'succeeded',
    summary:
      result.endpoints.length > 0
        ? `${eventId}: queued to ${result.endpoints.join(', ')}`
        : `${eventId}: no endpoint of its client is subscribed to its type`,
    detail: {
      queued: result.endpoints.length,
      ...(audit.auditId && { auditId: audit.auditId }),
      ...(audit.warning && { warning: audit.warning }),
    },
  };
}
