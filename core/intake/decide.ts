import '../config/zod-locale';
import * as z from 'zod/mini';
import { RESERVED_KEYS, reservedKeyPaths } from '../../events/common';
import { DETAIL_TYPES } from '../../events/envelope';
import { type PaymentRequested, PaymentRequestedV1 } from '../../events/payment-requested.v1';
import { canonicalJson } from '../canonical-json';
import { stripeAmountProblem } from '../gateway/stripe-units';
import { money } from '../money';
import { containsPan, findPanPaths, redactPans } from '../pan';
import { boundedText, sqsSafeText } from './safe-text';

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
  id: z.optional(z.string()),
  'detail-type': z.string(),
  source: z.optional(z.string()),
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

/** PaymentRejected's bound on `paymentId`; longer ones are not worth echoing. */
const MAX_ECHOED_PAYMENT_ID = 200;
/** The rejection's reason is stored as an SQS attribute and sent in PaymentRejected (reason: at most 2000). */
export const MAX_REASON_LENGTH = 1000;

function readablePaymentId(detail: unknown): string | undefined {
  if (!detail || typeof detail !== 'object') return undefined;
  const id = (detail as Record<string, unknown>).paymentId;
  if (typeof id !== 'string' || id === '' || id.length > MAX_ECHOED_PAYMENT_ID) return undefined;
  return boundedText(sqsSafeText(redactPans(id)), MAX_ECHOED_PAYMENT_ID);
}

/** EventBridge's ids are UUIDs; whatever else a sender wrote into `id` is not echoed. */
function readableEventId(id: string | undefined): string | undefined {
  return id !== undefined && /^[A-Za-z0-9-]{1,64}$/.test(id) && !containsPan(id) ? id : undefined;
}

type Rejection = Extract<IntakeDecision, { kind: 'reject' }>;

/** Every rejection leaves here: its texts fit an SQS attribute and PaymentRejected, whatever the input was. */
function rejection(
  reasonCode: Rejection['reasonCode'],
  reason: string,
  ids: { paymentId?: string | undefined; eventId?: string | undefined } = {},
): Rejection {
  return {
    kind: 'reject',
    reasonCode,
    reason: boundedText(sqsSafeText(reason), MAX_REASON_LENGTH),
    ...(ids.paymentId !== undefined && { paymentId: ids.paymentId }),
    ...(ids.eventId !== undefined && { eventId: ids.eventId }),
  };
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
    return rejection(
      'card_data_refused',
      'this request was refused for card data and its stored copy is masked; upstream must send a new request with a payment-method token',
    );
  }
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(body);
  } catch {
    return rejection('invalid_event', 'message body is not JSON');
  }
  // Every field counts, the envelope's too: whoever may send to the queue can write them all. The raw text is
  // scanned as well, for what parsing loses (a shadowed duplicate key, a number past 2^53).
  const panPaths = findPanPaths(parsedBody);
  const envelope = Envelope.safeParse(parsedBody);
  const ids = envelope.success
    ? { paymentId: readablePaymentId(envelope.data.detail), eventId: readableEventId(envelope.data.id) }
    : {};
  if (panPaths.length > 0 || containsPan(body)) {
    const where = panPaths.length > 0 ? panPaths.join(', ') : 'the message text';
    return rejection(
      'card_data_refused',
      `card number (PAN) found in ${where}; send a gateway payment-method token (pm_...) instead`,
      ids,
    );
  }
  if (!envelope.success) {
    return rejection('invalid_event', `not an EventBridge event: ${z.prettifyError(envelope.error)}`);
  }
  if (envelope.data['detail-type'] !== DETAIL_TYPES.paymentRequested) {
    return rejection(
      'invalid_event',
      `detail-type ${JSON.stringify(envelope.data['detail-type'])} is not ${DETAIL_TYPES.paymentRequested}`,
      ids,
    );
  }
  const reserved = reservedKeyPaths(envelope.data.detail);
  if (reserved.length > 0) {
    return rejection(
      'invalid_event',
      `PaymentRequested v1 is invalid: ${RESERVED_KEYS.join(', ')} are not accepted as keys (found in ${reserved.join(', ')})`,
      ids,
    );
  }
  const payment = PaymentRequestedV1.safeParse(envelope.data.detail);
  if (!payment.success) {
    return rejection(
      'invalid_event',
      `PaymentRequested v1 is invalid: ${z.prettifyError(payment.error)}`,
      ids,
    );
  }
  // Refused here, before any hold: an amount the gateway cannot take would otherwise fail at Charge.
  const amountProblem = stripeAmountProblem(money(payment.data.amount.value, payment.data.amount.currency));
  if (amountProblem) {
    return rejection('invalid_event', `PaymentRequested v1 is invalid: amount: ${amountProblem}`, ids);
  }
  return {
    kind: 'start',
    payment: payment.data,
    executionName: executionNameFor(payment.data.paymentId),
    input: sagaInput(payment.data),
  };
}
