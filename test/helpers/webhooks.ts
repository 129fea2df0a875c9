import { randomUUID } from 'node:crypto';
import { API } from '../../core/config/names';
import type { LocalApiClient } from '../../local/frontdoor/api-clients';
import type { HttpAnswer } from './wallets';

async function answerOf(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

/** The webhook-endpoint routes and POST /v1/payments of a front door at `base`, over plain HTTP. */
export function webhookApi(base: string) {
  const call = async (who: LocalApiClient, method: string, path: string, body?: unknown, headers = {}) =>
    answerOf(
      await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-api-key': who.apiKey, ...headers },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      }),
    );
  const one = (endpointId: string) => `/v1/webhook-endpoints/${encodeURIComponent(endpointId)}`;
  return {
    create: (who: LocalApiClient, body: unknown) =>
      call(who, 'POST', API.routes.createWebhookEndpoint.path, body),
    get: (who: LocalApiClient, endpointId: string) => call(who, 'GET', one(endpointId)),
    delete: (who: LocalApiClient, endpointId: string) => call(who, 'DELETE', one(endpointId)),
    rotate: (who: LocalApiClient, endpointId: string) =>
      call(who, 'POST', `${one(endpointId)}/rotate-secret`),
    /** Submits a card payment of EUR 12.50 from `walletId` (fields overridable); answers its paymentId. */
    pay: async (
      who: LocalApiClient,
      walletId: string,
      overrides: Record<string, unknown> = {},
    ): Promise<string> => {
      const paymentId = `pay_${randomUUID().slice(0, 12)}`;
      const answer = await call(
        who,
        'POST',
        API.routes.submitPayment.path,
        {
          walletId,
          merchantId: 'mer_bookshop',
          amount: { value: 1250, currency: 'EUR', exponent: 2 },
          paymentMethod: 'pm_card_visa',
          ...overrides,
        },
        { [API.idempotencyHeader]: paymentId },
      );
      if (answer.status !== 202) throw new Error(`POST /v1/payments answered ${answer.status}`);
      return paymentId;
    },
  };
}
