import { randomUUID } from 'node:crypto';
import { API } from '../../core/config/names';
import { type LocalApiClient, newApiKey } from '../../local/frontdoor/api-clients';

/** A front door client with every scope unless told otherwise; unique per test run. */
export function apiClient(name: string, overrides: Partial<LocalApiClient> = {}): LocalApiClient {
  return {
    clientId: `${name}-${randomUUID().slice(0, 8)}`,
    source: `partner.${name}`,
    apiKey: newApiKey(),
    scopes: ['write', 'read', 'walletsWrite', 'walletsRead'],
    ...overrides,
  };
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
}

async function answerOf(response: Response): Promise<HttpAnswer> {
  return { status: response.status, headers: response.headers, json: (await response.json()) as unknown };
}

/** The wallet routes of a front door at `base`, as a client calls them over plain HTTP. */
export function walletApi(base: string) {
  return {
    open: async (who: LocalApiClient | undefined, key: string | undefined, body: unknown) =>
      answerOf(
        await fetch(`${base}${API.routes.openWallet.path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(who && { 'x-api-key': who.apiKey }),
            ...(key !== undefined && { [API.idempotencyHeader]: key }),
          },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
    get: async (who: LocalApiClient, walletId: string) =>
      answerOf(
        await fetch(`${base}/v1/wallets/${encodeURIComponent(walletId)}`, {
          headers: { 'x-api-key': who.apiKey },
        }),
      ),
    statement: async (who: LocalApiClient, walletId: string, query: Record<string, string | number> = {}) => {
      const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
      return answerOf(
        await fetch(
          `${base}/v1/wallets/${encodeURIComponent(walletId)}/transactions${search ? `?${search}` : ''}`,
          { headers: { 'x-api-key': who.apiKey } },
        ),
      );
    },
  };
}

export const newWalletKey = (): string => `open_${randomUUID().slice(0, 12)}`;
export const newWalletIdForTest = (): string => `wal_${randomUUID().slice(0, 12)}`;
