import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as z from 'zod';
import * as zm from 'zod/mini';
import { API } from '../../core/config/names';
import { ApiClient } from '../../core/frontdoor/clients';
import { readJsonFile, writeJsonDurably } from '../edge/durable-file';

/**
 * The local front door's "simple auth mode": API keys in the data dir
 * (`api-clients.json`, mode 0600), each naming a client, its EventBridge
 * source, its scopes and its throttle. On AWS the same roles are played by
 * Cognito app clients (identity, scopes) and usage plans (throttle).
 */
type ApiScopeKey = keyof typeof API.scopes;

export const LocalApiClient = zm.extend(ApiClient, {
  apiKey: z.string().min(20),
  scopes: z.array(z.enum(Object.keys(API.scopes) as [ApiScopeKey, ...ApiScopeKey[]])).min(1),
  throttle: z
    .strictObject({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() })
    .optional(),
});
export type LocalApiClient = z.infer<typeof LocalApiClient>;

const LocalApiClientsFile = z.strictObject({ clients: z.array(LocalApiClient).min(1) });

export const API_CLIENTS_FILE = 'api-clients.json';

export const newApiKey = (): string => `psk_local_${randomBytes(18).toString('base64url')}`;

/** The client a fresh data dir starts with, so `npm start` can take a payment at once. */
export function defaultApiClient(): LocalApiClient {
  return {
    clientId: 'local-partner',
    source: 'partner.local',
    apiKey: newApiKey(),
    scopes: ['write', 'read', 'walletsWrite', 'walletsRead', 'webhooksWrite', 'webhooksRead'],
    throttle: { ...API.defaultThrottle },
  };
}

export class ApiClientsFileError extends Error {
  override readonly name = 'ApiClientsFileError';
}

/** Reads the data dir's clients, creating the file with the default client on first start. */
export function loadApiClients(dataDir: string | undefined): LocalApiClient[] {
  if (!dataDir) return [defaultApiClient()];
  const file = join(dataDir, API_CLIENTS_FILE);
  const raw = readJsonFile<unknown>(file, undefined);
  if (raw === undefined) {
    const clients = [defaultApiClient()];
    writeJsonDurably(file, { clients }, 0o600);
    return clients;
  }
  const parsed = LocalApiClientsFile.safeParse(raw);
  if (!parsed.success) {
    throw new ApiClientsFileError(
      `${file} is invalid (${z.prettifyError(parsed.error)}); fix it or delete it to get a new default client`,
    );
  }
  return parsed.data.clients;
}

/** The id API Gateway would report for the client's key (requestContext.identity.apiKeyId); never the key. */
export const apiKeyIdOf = (client: Pick<LocalApiClient, 'clientId'>): string =>
  `local-key-${client.clientId}`;

/** API_CLIENTS as the handlers read it (identity, source, key id; the keys themselves stay in the runtime). */
export const apiClientsEnv = (clients: readonly LocalApiClient[]): string =>
  JSON.stringify(
    clients.map((client) => ({
      clientId: client.clientId,
      source: client.source,
      apiKeyId: apiKeyIdOf(client),
    })),
  );
