import { z } from 'zod';
import { RESERVED_KEYS, reservedKeyPaths } from '../../events/common';
import { DETAIL_TYPES } from '../../events/envelope';
import { type TopUpRequested, TopUpRequestedV1 } from '../../events/top-ups.v1';
import { canonicalJson } from '../canonical-json';
import { stripeAmountProblem } from '../gateway/stripe-units';
import { boundedText, sqsSafeText } from '../intake/safe-text';
import { money } from '../money';
import { containsPan, findPanPaths, redactPans } from '../pan';

/** What the top-up intake does with one queued EventBridge event. */
export type TopUpIntakeDecision =
  | {
      readonly kind: 'start';
      readonly topUp: TopUpRequested;
      readonly executionName: string;
      readonly input: string;
    }
  | {
      readonly kind: 'reject';
      readonly reasonCode: 'invalid_event' | 'card_data_refused';
      readonly reason: string;
      readonly topUpId?: string;
      readonly eventId?: string;
    };

const Envelope = z.object({
  id: z.string().optional(),
  'detail-type': z.string(),
  source: z.string().optional(),
  detail: z.unknown(),
});

/** The top-up saga's input, canonical so a duplicate request compares equal to the running execution's. */
export function topUpSagaInput(topUp: TopUpRequested): string {
  return canonicalJson({ topUp });
}

export const MAX_TOP_UP_REASON_LENGTH = 1000;
const MAX_ECHOED_ID = 200;

type Rejection = Extract<TopUpIntakeDecision, { kind: 'reject' }>;

function rejection(
  reasonCode: Rejection['reasonCode'],
  reason: string,
  ids: { topUpId?: string | undefined; eventId?: string | undefined } = {},
): Rejection {
  return {
    kind: 'reject',
    reasonCode,
    reason: boundedText(sqsSafeText(reason), MAX_TOP_UP_REASON_LENGTH),
    ...(ids.topUpId !== undefined && { topUpId: ids.topUpId }),
    ...(ids.eventId !== undefined && { eventId: ids.eventId }),
  };
}

function readableTopUpId(detail: unknown): string | undefined {
  if (!detail || typeof detail !== 'object') return undefined;
  const id = (detail as Record<string, unknown>).topUpId;
  if (typeof id !== 'string' || id === '' || id.length > MAX_ECHOED_ID) return undefined;
  return boundedText(sqsSafeText(redactPans(id)), MAX_ECHOED_ID);
}

const readableEventId = (id: string | undefined): string | undefined =>
  id !== undefined && /^[A-Za-z0-9-]{1,64}$/.test(id) && !containsPan(id) ? id : undefined;

/**
 * Validates one TopUpRequested message body the way intake validates
 * PaymentRequested: card data first (reported by path only), then the
 * envelope, reserved keys, and the strict v1 schema (currency rules included).
 * `previousRejection`: the reasonCode a redriven rejected message carries.
 */
export function decideTopUpIntake(body: string, previousRejection?: string): TopUpIntakeDecision {
  if (previousRejection === 'card_data_refused') {
    return rejection(
      'card_data_refused',
      'this request was refused for card data and its stored copy is masked; the producer must send a new request with a payment-method token',
    );
  }
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(body);
  } catch {
    return rejection('invalid_event', 'message body is not JSON');
  }
  const panPaths = findPanPaths(parsedBody);
  const envelope = Envelope.safeParse(parsedBody);
  const ids = envelope.success
    ? { topUpId: readableTopUpId(envelope.data.detail), eventId: readableEventId(envelope.data.id) }
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
  if (envelope.data['detail-type'] !== DETAIL_TYPES.topUpRequested) {
    return rejection(
      'invalid_event',
      `detail-type ${JSON.stringify(envelope.data['detail-type'])} is not ${DETAIL_TYPES.topUpRequested}`,
      ids,
    );
  }
  const reserved = reservedKeyPaths(envelope.data.detail);
  if (reserved.length > 0) {
    return rejection(
      'invalid_event',
      `TopUpRequested v1 is invalid: ${RESERVED_KEYS.join(', ')} are not accepted as keys (found in ${reserved.join(', ')})`,
      ids,
    );
  }
  const topUp = TopUpRequestedV1.safeParse(envelope.data.detail);
  if (!topUp.success) {
    return rejection('invalid_event', `TopUpRequested v1 is invalid: ${z.prettifyError(topUp.error)}`, ids);
  }
  // Refused here, before any charge: an amount the gateway cannot take would otherwise fail at Charge.
  const amountProblem = stripeAmountProblem(money(topUp.data.amount.value, topUp.data.amount.currency));
  if (amountProblem) {
    return rejection('invalid_event', `TopUpRequested v1 is invalid: amount: ${amountProblem}`, ids);
  }
  return {
    kind: 'start',
    topUp: topUp.data,
    executionName: topUp.data.topUpId,
    input: topUpSagaInput(topUp.data),
  };
}
