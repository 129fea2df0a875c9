import '../config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../config/deferred-schema';
import { idempotencyKeys } from './port';
import type { FormParams } from './stripe-form';
import type { StripePage } from './stripe-http';

/**
 * The Stripe objects the adapter reads (only the fields it reads; Stripe's other fields are dropped), and the
 * requests it sends: their paths, parameters and idempotency keys, in one place so the adapter and the test
 * that compares our wire format with the stripe SDK's (test/unit/gateway-stripe-form.test.ts) send the same.
 */

const Metadata = deferred(() => z.nullish(z.record(z.string(), z.string())));

export const PaymentIntent = deferred(() =>
  z.object({
    id: z.string(),
    amount: z.number().check(z.int()),
    currency: z.string(),
    status: z.string(),
    created: z.number().check(z.int()),
    metadata: Metadata,
  }),
);
export type PaymentIntent = z.infer<typeof PaymentIntent>;

export const Refund = deferred(() =>
  z.object({
    id: z.string(),
    amount: z.number().check(z.int()),
    currency: z.string(),
    status: z.nullish(z.string()),
    created: z.number().check(z.int()),
    metadata: Metadata,
    payment_intent: z.nullish(z.union([z.string(), z.object({ id: z.string() })])),
  }),
);
export type Refund = z.infer<typeof Refund>;

const pageOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({ data: z.array(item), has_more: z.boolean(), next_page: z.nullish(z.string()) });

export const PaymentIntentPage: z.ZodMiniType<StripePage<PaymentIntent>> = deferred(() =>
  pageOf(PaymentIntent),
);
export const RefundPage: z.ZodMiniType<StripePage<Refund>> = deferred(() => pageOf(Refund));

/** Page size of every list and search: Stripe's maximum. */
export const PAGE_SIZE = 100;

export const STRIPE_PATHS = {
  paymentIntents: '/v1/payment_intents',
  paymentIntent: (id: string) => `/v1/payment_intents/${encodeURIComponent(id)}`,
  searchPaymentIntents: '/v1/payment_intents/search',
  refunds: '/v1/refunds',
} as const;

export interface ChargeParamsInput {
  readonly paymentId: string;
  /** In Stripe's units (stripe-units.ts). */
  readonly stripeAmount: number;
  readonly currency: string;
  readonly paymentMethod: string;
  readonly description?: string | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
}

/** The PaymentIntent a charge creates and confirms, with its key: the paymentId (never charge twice). */
export function chargeRequest(input: ChargeParamsInput): { params: FormParams; idempotencyKey: string } {
  const { paymentId, stripeAmount, currency, paymentMethod, description, metadata } = input;
  return {
    params: {
      amount: stripeAmount,
      currency: currency.toLowerCase(),
      payment_method: paymentMethod,
      // Cards only, and no customer in the loop: a payment that needs 3-D Secure fails as a decline
      // instead of waiting in requires_action for an authentication nobody will perform.
      allowed_payment_method_types: ['card'],
      confirm: true,
      error_on_requires_action: true,
      ...(description ? { description } : {}),
      // paymentId last: caller metadata cannot overwrite the key reconciliation relies on.
      metadata: { ...metadata, paymentId },
    },
    idempotencyKey: idempotencyKeys.charge(paymentId),
  };
}

export interface RefundParamsInput {
  readonly paymentId: string;
  readonly chargeId: string;
  readonly stripeAmount: number;
  readonly refundId?: string | undefined;
}

/** A refund, keyed refund:<paymentId> (compensation) or refund:<paymentId>:<refundId> (a refund saga). */
export function refundRequest(input: RefundParamsInput): { params: FormParams; idempotencyKey: string } {
  const { paymentId, chargeId, stripeAmount, refundId } = input;
  return {
    params: {
      payment_intent: chargeId,
      amount: stripeAmount,
      metadata: { paymentId, ...(refundId !== undefined && { refundId }) },
    },
    idempotencyKey:
      refundId === undefined
        ? idempotencyKeys.refund(paymentId)
        : idempotencyKeys.refundOf(paymentId, refundId),
  };
}

/** The search for a payment's PaymentIntents by metadata. */
export function searchByPaymentIdParams(paymentId: string): FormParams {
  return { query: `metadata['paymentId']:'${paymentId.replaceAll("'", "\\'")}'`, limit: PAGE_SIZE };
}

/** A list window over `created` (seconds): bounds as given, e.g. { gte, lte } or { gte, lt }. */
export function createdListParams(
  created: { gte: number; lte?: number; lt?: number },
  startingAfter?: string,
): FormParams {
  return { created, limit: PAGE_SIZE, ...(startingAfter !== undefined && { starting_after: startingAfter }) };
}
