import { randomUUID } from 'node:crypto';
import { API } from '../../core/config/names';
import type { PaymentStatusResponse } from '../../core/frontdoor/contract';
import type { LocalApiClient } from '../../local/frontdoor/api-clients';
import { waitFor } from './runtime';

/** POST /v1/payments and GET /v1/payments/{id} of a front door at `base`, as a client calls them over plain HTTP. */
export function paymentApi(base: string) {
  const submit = async (who: LocalApiClient, key: string, body: unknown) => {
    const response = await fetch(`${base}${API.routes.submitPayment.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': who.apiKey, [API.idempotencyHeader]: key },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as unknown };
  };
  const status = async (who: LocalApiClient, paymentId: string) => {
    const response = await fetch(`${base}/v1/payments/${encodeURIComponent(paymentId)}`, {
      headers: { 'x-api-key': who.apiKey },
    });
    return (await response.json()) as PaymentStatusResponse;
  };
  return {
    submit,
    status,
    /** Submits and waits for the payment's terminal status (SUCCEEDED, FAILED, NEEDS_ATTENTION). */
    async pay(who: LocalApiClient, body: Record<string, unknown>, paymentId = newPaymentIdForTest()) {
      const accepted = await submit(who, paymentId, { paymentId, ...body });
      if (accepted.status !== 202)
        throw new Error(`POST /v1/payments answered ${accepted.status}: ${JSON.stringify(accepted.json)}`);
      const final = await waitFor(
        `payment ${paymentId} to end`,
        async () => {
          const view = await status(who, paymentId);
          return ['SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'].includes(view.status) ? view : undefined;
        },
        60_000,
      );
      return { paymentId, final };
    },
  };
}

export const newPaymentIdForTest = (): string => `pay_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
