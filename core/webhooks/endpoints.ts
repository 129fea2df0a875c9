import { randomInt } from 'node:crypto';
import { WEBHOOKS } from '../config/webhooks';
import type { ApiClient } from '../frontdoor/clients';
import { type HttpResponse, json, problem } from '../frontdoor/http';
import { fieldErrors, isPlainObject } from '../frontdoor/request-body';
import { containsPan } from '../pan';
import {
  CreateWebhookEndpointBody,
  WebhookEndpointId,
  type WebhookEndpointResponse,
  type WebhookEndpointWithSecretResponse,
} from './contract';
import type { WebhookEndpointStore } from './endpoint-store';
import type { StoredSecret, WebhookEndpointRecord } from './model';
import { newSigningSecret, type SecretCipher } from './secret-cipher';
import { type Resolver, type UrlPolicyMode, validateWebhookUrl, WebhookUrlError } from './url-policy';

export interface WebhookEndpointsDeps {
  readonly store: Pick<WebhookEndpointStore, 'get' | 'list' | 'create' | 'delete' | 'replaceSecrets'>;
  readonly cipher: Pick<SecretCipher, 'encrypt'>;
  readonly mode: UrlPolicyMode;
  readonly resolve?: Resolver;
  readonly now: () => Date;
  /** Seconds the previous secret keeps signing after a rotation (WEBHOOKS.secretOverlapSeconds, test-scaled). */
  readonly overlapSeconds: number;
  readonly newSecret?: () => string;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newEndpointId(): string {
  for (;;) {
    const id = `we_${Array.from({ length: 20 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')}`;
    if (!containsPan(id)) return id;
  }
}

export function endpointView(record: WebhookEndpointRecord, now: Date): WebhookEndpointResponse {
  const previous = record.secrets.find(
    (secret) => secret.expiresAt !== undefined && Date.parse(secret.expiresAt) > now.getTime(),
  );
  return {
    id: record.endpointId,
    url: record.url,
    events: record.events,
    createdAt: record.createdAt,
    ...(record.rotatedAt && { rotatedAt: record.rotatedAt }),
    ...(previous?.expiresAt && { previousSecretExpiresAt: previous.expiresAt }),
  };
}

// The id is not echoed: it is caller input.
const notFound = (): HttpResponse =>
  problem(404, 'webhook_endpoint_not_found', 'Not found', 'this client has no webhook endpoint with this id');

const invalid = (detail: string, errors?: { path: string; message: string }[]): HttpResponse =>
  problem(400, 'invalid_request', 'Invalid webhook endpoint', detail, errors);

function parseBody(body: string | null): CreateWebhookEndpointBody | HttpResponse {
  let raw: unknown;
  try {
    raw = JSON.parse(body ?? '');
  } catch {
    return invalid('the body is not JSON');
  }
  if (!isPlainObject(raw)) return invalid('the body is not a JSON object');
  const parsed = CreateWebhookEndpointBody.safeParse(raw);
  if (!parsed.success) return invalid('not a valid webhook endpoint', fieldErrors(parsed.error));
  return parsed.data;
}

/** POST /v1/webhook-endpoints: registers an endpoint of the calling client; answers its secret, once. */
export async function createEndpoint(
  deps: WebhookEndpointsDeps,
  client: ApiClient,
  body: string | null,
): Promise<HttpResponse> {
  const input = parseBody(body);
  if ('statusCode' in input) return input;
  try {
    await validateWebhookUrl(input.url, deps.mode, deps.resolve);
  } catch (error) {
    if (error instanceof WebhookUrlError)
      return invalid(error.message, [{ path: 'url', message: error.message }]);
    throw error;
  }
  if ((await deps.store.list(client.clientId)).length >= WEBHOOKS.maxEndpointsPerClient) {
    return problem(
      409,
      'too_many_webhook_endpoints',
      'Too many webhook endpoints',
      `a client may have at most ${WEBHOOKS.maxEndpointsPerClient} endpoints; delete one first`,
    );
  }
  const now = deps.now();
  const endpointId = newEndpointId();
  const secret = (deps.newSecret ?? newSigningSecret)();
  const record: WebhookEndpointRecord = {
    endpointId,
    clientId: client.clientId,
    url: input.url,
    events: input.events,
    secrets: [{ ciphertext: await deps.cipher.encrypt(endpointId, secret), createdAt: now.toISOString() }],
    createdAt: now.toISOString(),
  };
  if (!(await deps.store.create(record))) throw new Error('webhook endpoint id collision');
  const answer: WebhookEndpointWithSecretResponse = { ...endpointView(record, now), secret };
  return json(201, answer, { location: `/v1/webhook-endpoints/${endpointId}` });
}

async function owned(
  deps: WebhookEndpointsDeps,
  client: ApiClient,
  endpointId: string,
): Promise<WebhookEndpointRecord | undefined> {
  if (!WebhookEndpointId.safeParse(endpointId).success) return undefined;
  return deps.store.get(client.clientId, endpointId);
}

/** GET /v1/webhook-endpoints/{id}: the caller's own endpoint (another client's answers 404 alike). */
export async function getEndpoint(
  deps: WebhookEndpointsDeps,
  client: ApiClient,
  endpointId: string,
): Promise<HttpResponse> {
  const record = await owned(deps, client, endpointId);
  return record ? json(200, endpointView(record, deps.now())) : notFound();
}

/** DELETE /v1/webhook-endpoints/{id}: no more deliveries to it (those queued are cancelled). */
export async function deleteEndpoint(
  deps: WebhookEndpointsDeps,
  client: ApiClient,
  endpointId: string,
): Promise<HttpResponse> {
  if (!WebhookEndpointId.safeParse(endpointId).success) return notFound();
  return (await deps.store.delete(client.clientId, endpointId))
    ? { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' }
    : notFound();
}

/**
 * POST /v1/webhook-endpoints/{id}/rotate-secret: a new secret signs from now
 * on; the current one keeps signing alongside it for the overlap (24 h), a
 * secret older than that is dropped. Answers the new secret, once.
 */
export async function rotateSecret(
  deps: WebhookEndpointsDeps,
  client: ApiClient,
  endpointId: string,
): Promise<HttpResponse> {
  const record = await owned(deps, client, endpointId);
  if (!record) return notFound();
  const now = deps.now();
  const secret = (deps.newSecret ?? newSigningSecret)();
  const current = record.secrets[0] as StoredSecret;
  const secrets: StoredSecret[] = [
    { ciphertext: await deps.cipher.encrypt(endpointId, secret), createdAt: now.toISOString() },
    { ...current, expiresAt: new Date(now.getTime() + deps.overlapSeconds * 1000).toISOString() },
  ];
  if (!(await deps.store.replaceSecrets(record, secrets, now.toISOString()))) {
    return problem(
      409,
      'rotation_conflict',
      'Conflict',
      'the secret changed meanwhile; read the endpoint and retry',
    );
  }
  const answer: WebhookEndpointWithSecretResponse = {
    ...endpointView({ ...record, secrets, rotatedAt: now.toISOString() }, now),
    secret,
  };
  return json(200, answer);
}
