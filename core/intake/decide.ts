import { z } from 'zod';
import { DETAIL_TYPES } from '../../events/envelope';
import { type PaymentRequested, PaymentRequestedV1 } from '../../events/payment-requested.v1';
import { canonicalJson } from '../canonical-json';
import { findPanPaths, redactPans } from '../pan';

/** What intake does with one queued EventBridge event. */
export type IntakeDecision =
  | {
      readonly kind: 'start';
      readonly payment: PaymentRequested;
      readonly executionName: string;
      readonly input: string;
    }
  | {
      readonly kind: 'reject';
      readonly reasonCode: 'invalid_event' | 'card_data_refused';
      readonly reason: string;
      readonly paymentId?: string;
      readonly eventId?: string;
    };

/** The EventBridge envelope as the rule's SQS target delivers it. */
const Envelope = z.object({
  id: z.string().optional(),
  'detail-type': z.string(),
  source: z.string().optional(),
  detail: z.unknown(),
});

/** The saga's input: only the validated request, serialized canonically so duplicates compare equal. */
export function sagaInput(payment: PaymentRequested): string {
  return canonicalJson({ payment });
}

/** The execution name is the paymentId: a duplicate request can never start a second saga. */
export function executionNameFor(paymentId: string): string {
  return paymentId;
}

/** Fields EventBridge fills in itself; only what the caller sent can carry card data. */
const GENERATED_ENVELOPE_FIELDS = ['version', 'id', 'account', 'time', 'region', 'resources'];

function callerSupplied(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => !GENERATED_ENVELOPE_FIELDS.includes(key)));
}

function readablePaymentId(detail: unknown): string | undefined {
  if (!detail || typeof detail !== 'object') return undefined;
  const id = (detail as Record<string, unknown>).paymentId;
  return typeof id === 'string' && id.length <= 200 ? redactPans(id) : undefined;
}

/**
 * Validates one message body. `previousRejection` is the reasonCode attribute a
 * rejected message carries when operations redrive it from the intake DLQ. Card data is checked first and reported by field
 * path only, so the number itself never reaches an error message or a log line.
 */
export function decideIntake(body: string, previousRejection?: string): IntakeDecision {
  if (previousRejection === 'card_data_refused') {
    // Its stored copy has the card number masked, so it would now validate: it must never start a payment
    // that upstream was told was refused.
    return {
      kind: 'reject',
      reasonCode: 'card_data_refused',
      reason:
        'this request was refused for card data and its stored copy is masked; upstream must send a new request with a payment-method token',
    };
  }
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(body);
  } catch {
    return { kind: 'reject', reasonCode: 'invalid_event', reason: 'message body is not JSON' };
  }
  const panPaths = findPanPaths(callerSupplied(parsedBody));
  const envelope = Envelope.safeParse(parsedBody);
  const eventId = envelope.success ? envelope.data.id : undefined;
  const paymentId = envelope.success ? readablePaymentId(envelope.data.detail) : undefined;
  if (panPaths.length > 0) {
    return {
      kind: 'reject',
      reasonCode: 'card_data_refused',
      reason: `card number (PAN) found in ${panPaths.join(', ')}; send a gateway payment-method token (pm_...) instead`,
      paymentId,
      eventId,
    };
  }
  if (!envelope.success) {
    return {
      kind: 'reject',
      reasonCode: 'invalid_event',
      reason: `not an EventBridge event: ${z.prettifyError(envelope.error)}`,
    };
  }
  if (envelope.data['detail-type'] !== DETAIL_TYPES.paymentRequested) {
    return {
      kind: 'reject',
      reasonCode: 'invalid_event',
      reason: `detail-type ${JSON.stringify(envelope.data['detail-type'])} is not ${DETAIL_TYPES.paymentRequested}`,
      paymentId,
      eventId,
    };
  }
  const payment = PaymentRequestedV1.safeParse(envelope.data.detail);
  if (!payment.success) {
    return {
      kind: 'reject',
      reasonCode: 'invalid_event',
      reason: `PaymentRequested v1 is invalid: ${z.prettifyError(payment.error)}`,
      paymentId,
      eventId,
    };
  }
  return {
    kind: 'start',
    payment: payment.data,
    executionName: executionNameFor(payment.data.paymentId),
    input: sagaInput(payment.data),
  };
}
