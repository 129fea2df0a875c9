import '../config/zod-locale';
import * as z from 'zod/mini';

/**
 * The front door's machine clients. On AWS a client is a Cognito app client
 * (client-credentials grant) and stacks/Api.ts writes this list into
 * API_CLIENTS; locally the runtime writes it from its API-key file. Either
 * way a client may only emit PaymentRequested under its own `source` and read
 * only the payments it submitted.
 */
export const ApiClient = z.strictObject({
  clientId: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The EventBridge source its requests are published under (reverse-DNS, not `paysaga.*`). */
  source: z.string().check(
    z.regex(/^[a-z0-9][a-z0-9.-]{1,127}$/, 'source is a lower-case reverse-DNS name'),
    z.refine((source) => !source.startsWith('paysaga.'), 'paysaga.* sources belong to paysaga itself'),
  ),
  /** The id of the client's own API key (AWS): a request must carry that key, not another client's. */
  apiKeyId: z.optional(z.string().check(z.minLength(1))),
});
export type ApiClient = z.infer<typeof ApiClient>;

export const ApiClients = z
  .array(ApiClient)
  .check(
    z.refine(
      (clients) => new Set(clients.map((client) => client.clientId)).size === clients.length,
      'client ids must be unique',
    ),
  );

export class ApiClientsConfigurationError extends Error {
  override readonly name = 'ApiClientsConfigurationError';
}

/** The client registry from API_CLIENTS (JSON); a bad value stops the function at cold start. */
export function parseApiClients(json: string | undefined): ReadonlyMap<string, ApiClient> {
  if (!json) throw new ApiClientsConfigurationError('API_CLIENTS is not set: the front door has no clients');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ApiClientsConfigurationError('API_CLIENTS is not JSON');
  }
  const parsed = ApiClients.safeParse(raw);
  if (!parsed.success) {
    throw new ApiClientsConfigurationError(`API_CLIENTS is invalid: ${z.prettifyError(parsed.error)}`);
  }
  return new Map(parsed.data.map((client) => [client.clientId, client]));
}
