import '../config/zod-locale';
import * as z from 'zod/mini';
import { RESERVED_KEYS, reservedKeyPaths } from '../../events/common';
import { containsPan, findPanPaths, redactPans } from '../pan';
import { boundedText, sqsSafeText } from './safe-text';

/**
 * Decodes one queued EventBridge event that asks for something (TopUpRequested,
 * RefundRequested), the way intake validates PaymentRequested: card data first
 * (reported by path only, never echoed), then the envelope, the detail type,
 * reserved keys, and the strict contract. Only the checks every request kind
 * shares live here; each intake adds its own (amount rules, the payment's state).
 */
export type BusRequestDecoding<T> =
  | { readonly ok: true; readonly detail: T; readonly source?: string; readonly eventId?: string }
  | {
      readonly ok: false;
      readonly reasonCode: 'invalid_event' | 'card_data_refused';
      readonly reason: string;
      /** The request's own id (e.g. refundId) when readable and safe to echo. */
      readonly id?: string;
      readonly eventId?: string;
    };

export const MAX_BUS_REASON_LENGTH = 1000;
const MAX_ECHOED_ID = 200;

const Envelope = z.object({
  id: z.optional(z.string()),
  'detail-type': z.string(),
  source: z.optional(z.string()),
  detail: z.unknown(),
});

/** A field of the detail as a safe, bounded string to echo in a rejection (card numbers masked). */
export function readableField(detail: unknown, field: string): string | undefined {
  if (!detail || typeof detail !== 'object') return undefined;
  const value = (detail as Record<string, unknown>)[field];
  if (typeof value !== 'string' || value === '' || value.length > MAX_ECHOED_ID) return undefined;
  return boundedText(sqsSafeText(redactPans(value)), MAX_ECHOED_ID);
}

const readableEventId = (id: string | undefined): string | undefined =>
  id !== undefined && /^[A-Za-z0-9-]{1,64}$/.test(id) && !containsPan(id) ? id : undefined;

/** A rejection's reason, bounded and safe for an SQS attribute. */
export const safeReason = (reason: string): string => boundedText(sqsSafeText(reason), MAX_BUS_REASON_LENGTH);

export function decodeBusRequest<T>(
  body: string,
  contract: { readonly detailType: string; readonly name: string; readonly schema: z.ZodMiniType<T> },
  idField: string,
): BusRequestDecoding<T> {
  const refuse = (
    reasonCode: 'invalid_event' | 'card_data_refused',
    reason: string,
    ids: { id?: string | undefined; eventId?: string | undefined } = {},
  ): BusRequestDecoding<T> => ({
    ok: false,
    reasonCode,
    reason: safeReason(reason),
    ...(ids.id !== undefined && { id: ids.id }),
    ...(ids.eventId !== undefined && { eventId: ids.eventId }),
  });
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(body);
  } catch {
    return refuse('invalid_event', 'message body is not JSON');
  }
  const panPaths = findPanPaths(parsedBody);
  const envelope = Envelope.safeParse(parsedBody);
  const ids = envelope.success
    ? { id: readableField(envelope.data.detail, idField), eventId: readableEventId(envelope.data.id) }
    : {};
  if (panPaths.length > 0 || containsPan(body)) {
    const where = panPaths.length > 0 ? panPaths.join(', ') : 'the message text';
    return refuse(
      'card_data_refused',
      `card number (PAN) found in ${where}; send a gateway payment-method token (pm_...) instead`,
      ids,
    );
  }
  if (!envelope.success) {
    return refuse('invalid_event', `not an EventBridge event: ${z.prettifyError(envelope.error)}`);
  }
  if (envelope.data['detail-type'] !== contract.detailType) {
    return refuse(
      'invalid_event',
      `detail-type ${JSON.stringify(envelope.data['detail-type'])} is not ${contract.detailType}`,
      ids,
    );
  }
  const reserved = reservedKeyPaths(envelope.data.detail);
  if (reserved.length > 0) {
    return refuse(
      'invalid_event',
      `${contract.name} is invalid: ${RESERVED_KEYS.join(', ')} are not accepted as keys (found in ${reserved.join(', ')})`,
      ids,
    );
  }
  const detail = contract.schema.safeParse(envelope.data.detail);
  if (!detail.success) {
    return refuse('invalid_event', `${contract.name} is invalid: ${z.prettifyError(detail.error)}`, ids);
  }
  return {
    ok: true,
    detail: detail.data,
    ...(envelope.data.source !== undefined && { source: envelope.data.source }),
    ...(ids.eventId !== undefined && { eventId: ids.eventId }),
  };
}
