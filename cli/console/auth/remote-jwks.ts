import type { IncomingMessage } from 'node:http';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { http, https } from '../../../core/aws/node-http';

/**
 * The user pool's signing keys fetched from its JWKS URL, as jose's
 * createRemoteJWKSet keeps them (fetched at the first token, kept 10 minutes,
 * fetched again for an unknown key id unless fetched in the last 30 s, 5 s
 * timeout; the same jose errors, so the verifier answers the same 401s), but
 * over node:http(s) taken by process.getBuiltinModule (core/aws/node-http.ts):
 * jose's own fetch ESM-imports node:http and node:https, which loads undici
 * and more on every cold start of the console API.
 */

export interface RemoteJwksOptions {
  readonly timeoutMs?: number;
  readonly cooldownMs?: number;
  readonly cacheMaxAgeMs?: number;
}

/** GET the key set; jose's errors for a timeout, a status other than 200, a body that is not JSON. */
async function fetchJwks(url: URL, timeoutMs: number): Promise<unknown> {
  const get = url.protocol === 'https:' ? https.get : url.protocol === 'http:' ? http.get : undefined;
  if (!get) throw new TypeError('Unsupported URL protocol.');
  const response = await new Promise<IncomingMessage | undefined>((resolve, reject) => {
    const request = get(url.href, { timeout: timeoutMs }, resolve);
    request.once('timeout', () => {
      request.destroy();
      resolve(undefined);
    });
    request.once('error', reject);
  });
  if (!response) throw new errors.JWKSTimeout();
  if (response.statusCode !== 200) {
    response.resume();
    throw new errors.JOSEError('Expected 200 OK from the JSON Web Key Set HTTP response');
  }
  const parts: Buffer[] = [];
  for await (const part of response) parts.push(part as Buffer);
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown;
  } catch {
    throw new errors.JOSEError('Failed to parse the JSON Web Key Set HTTP response as JSON');
  }
}

export function remoteJwks(url: URL, options: RemoteJwksOptions = {}): JWTVerifyGetKey {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 600_000;
  let keys: JWTVerifyGetKey | undefined;
  let fetchedAt: number | undefined;
  let pending: Promise<void> | undefined;

  const reload = (): Promise<void> => {
    pending ??= fetchJwks(url, timeoutMs)
      .then((json) => {
        // createLocalJWKSet refuses a malformed set (JWKSInvalid), as the remote set does.
        keys = createLocalJWKSet(json as JSONWebKeySet);
        fetchedAt = Date.now();
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  const fresh = () => fetchedAt !== undefined && Date.now() < fetchedAt + cacheMaxAgeMs;
  const coolingDown = () => fetchedAt !== undefined && Date.now() < fetchedAt + cooldownMs;

  return async (protectedHeader, token) => {
    if (!keys || !fresh()) await reload();
    try {
      return await (keys as JWTVerifyGetKey)(protectedHeader, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey && !coolingDown()) {
        await reload();
        return (keys as JWTVerifyGetKey)(protectedHeader, token);
      }
      throw error;
    }
  };
}
