import { DETAIL_TYPES } from '../../events/envelope';
import { type TopUpRequested, TopUpRequestedV1 } from '../../events/top-ups.v1';
import { canonicalJson } from '../canonical-json';
import { stripeAmountProblem } from '../gateway/stripe-units';
import { decodeBusRequest, MAX_BUS_REASON_LENGTH, safeReason } from '../intake/bus-request';
import { money } from '../money';

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

/** The top-up saga's input, canonical so a duplicate request compares equal to the running execution's. */
export function topUpSagaInput(topUp: TopUpRequested): string {
  return canonicalJson({ topUp });
}

export const MAX_TOP_UP_REASON_LENGTH = MAX_BUS_REASON_LENGTH;

type Rejection = Extract<TopUpIntakeDecision, { kind: 'reject' }>;

function rejection(
  reasonCode: Rejection['reasonCode'],
  reason: string,
  ids: { topUpId?: string | undefined; eventId?: string | undefined } = {},
): Rejection {
  return {
    kind: 'reject',
    reasonCode,
    reason: safeReason(reason),
    ...(ids.topUpId !== undefined && { topUpId: ids.topUpId }),
    ...(ids.eventId !== undefined && { eventId: ids.eventId }),
  };
}

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
  const decoded = decodeBusRequest(
    body,
    { detailType: DETAIL_TYPES.topUpRequested, name: 'TopUpRequested v1', schema: TopUpRequestedV1 },
    'topUpId',
  );
  if (!decoded.ok) {
    return rejection(decoded.reasonCode, decoded.reason, { topUpId: decoded.id, eventId: decoded.eventId });
  }
  const topUp = decoded.detail;
  // Refused here, before any charge: an amount the gateway cannot take would otherwise fail at Charge.
  const amountProblem = stripeAmountProblem(money(topUp.amount.value, topUp.amount.currency));
  if (amountProblem) {
    return rejection('invalid_event', `TopUpRequested v1 is invalid: amount: ${amountProblem}`, {
      topUpId: topUp.topUpId,
      eventId: decoded.eventId,
    });
  }
  return { kind: 'start', topUp, executionName: topUp.topUpId, input: topUpSagaInput(topUp) };
}
