import { randomUUID } from 'node:crypto';
import { API } from '../../core/config/names';
import { topUpStatusPath } from '../../core/topups/submit';
import type { LocalApiClient } from '../../local/frontdoor/api-clients';

export interface TopUpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
}

const answerOf = async (response: Response): Promise<TopUpAnswer> => ({
  status: response.status,
  headers: response.headers,
  json: (await response.json()) as unknown,
});

/** The top-up routes of a front door at `base`, as a client calls them over plain HTTP. */
export function topUpApi(base: string) {
  return {
    submit: async (
      who: LocalApiClient | undefined,
      key: string | undefined,
      walletId: string,
      body: unknown,
    ) =>
      answerOf(
        await fetch(
          `${base}${API.routes.topUpWallet.path.replace('{walletId}', encodeURIComponent(walletId))}`,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(who && { 'x-api-key': who.apiKey }),
              ...(key !== undefined && { [API.idempotencyHeader]: key }),
            },
            body: typeof body === 'string' ? body : JSON.stringify(body),
          },
        ),
      ),
    get: async (who: LocalApiClient, walletId: string, topUpId: string) =>
      answerOf(
        await fetch(`${base}${topUpStatusPath(walletId, topUpId)}`, { headers: { 'x-api-key': who.apiKey } }),
      ),
  };
}

export const newTopUpId = (): string => `top_${randomUUID().slice(0, 12)}`;

/** A top-up body: EUR 50.00 by card unless overridden. */
export const topUpBody = (overrides: Record<string, unknown> = {}) => ({
  amount: { value: 5000, currency: 'EUR', exponent: 2 },
  paymentMethod: 'pm_card_visa',
  ...overrides,
});
