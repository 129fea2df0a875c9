import { PaymentId } from '../../events/common';
import { PaymentRequestedV1 } from '../../events/payment-requested.v1';
import type { ApiRequestRecord, ApiRequestStore } from '../frontdoor/api-request-store';
import { type HttpResponse, problem } from '../frontdoor/http';
import { requestHash } from '../payments/payment-log';
import type { PaymentRecord } from '../payments/records';

/**
 * A payment as a front-door client may refund or read it: only one it
 * submitted itself (its API request record, PAYMENT#<id> / API#REQUEST). A
 * payment another client submitted, or one that came from the bus, is not
 * found, exactly like an unknown id (as GET /v1/payments/{paymentId} answers).
 */

export interface OwnedPaymentDeps {
  readonly requests: Pick<ApiRequestStore, 'get'>;
  readonly payments: { get(paymentId: string): Promise<PaymentRecord | undefined> };
}

export type OwnedPayment =
  /** `record`: the saga's record of this very request; absent before the saga starts. */
  | { readonly kind: 'owned'; readonly request: ApiRequestRecord; readonly record?: PaymentRecord }
  /** The saga under this id runs someone else's request (sent to the bus directly): not this client's. */
  | { readonly kind: 'rejected'; readonly request: ApiRequestRecord };

// The id is not echoed: a path segment is caller input and could be anything, card numbers included.
export const paymentNotFound = (): HttpResponse =>
  problem(
    404,
    'payment_not_found',
    'Payment not found',
    'no payment with this id was submitted by this client',
  );

/** The caller's payment, or undefined when it is not theirs (or no such payment, or a malformed id). */
export async function ownedPayment(
  deps: OwnedPaymentDeps,
  clientId: string,
  paymentId: string,
): Promise<OwnedPayment | undefined> {
  if (!PaymentId.safeParse(paymentId).success) return undefined;
  const request = await deps.requests.get(paymentId);
  if (!request || request.clientId !== clientId) return undefined;
  const record = await deps.payments.get(paymentId);
  if (!record) return { kind: 'owned', request };
  const asked = PaymentRequestedV1.parse(JSON.parse(request.detail));
  if (record.requestHash !== requestHash(asked)) return { kind: 'rejected', request };
  return { kind: 'owned', request, record };
}
