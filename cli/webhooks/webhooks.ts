import type { EventLog } from '../../core/webhooks/delivery-store';
import { WebhookDeliveryStore } from '../../core/webhooks/delivery-store';
import { WebhookEndpointStore } from '../../core/webhooks/endpoint-store';
import type { WebhookEndpointRecord } from '../../core/webhooks/model';
import { eventLogsOf } from '../../core/webhooks/resend';
import { CliError, EXIT } from '../errors';
import type { AuditNote } from '../ops/actions/audited';
import { resendWebhookAction, type WebhookResendResult } from '../ops/actions/webhook-resend';
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

export interface ResendResult extends WebhookResendResult {
  readonly auditId?: string;
  readonly audit: AuditNote;
}

/** Resends an event: the audited action (cli/ops/actions/webhook-resend.ts), as the console's button calls it. */
export async function resendWebhook(
  deps: OpsDeps,
  eventId: string,
  endpointId?: string,
): Promise<ResendResult> {
  const { result, audit } = await resendWebhookAction(deps, eventId, endpointId);
  return { ...result, ...(audit.auditId && { auditId: audit.auditId }), audit };
}
