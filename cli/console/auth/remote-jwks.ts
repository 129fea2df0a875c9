import type { IncomingMessage } from 'node:http';
import { http, https } from '../../../core/aws/node-http';
import { type JwtKeyLookup, JwtRefusedError, localKeySet } from './jwt';

/**
 * The user pool's signing keys fetched from its JWKS URL, as jose's
 * createRemoteJWKSet keeps them (fetched at the first token, kept 10 minutes,
 * fetched again for an unknown key id unless fetched in the last 30 s, 5 s
 * timeout; jose's error codes and messages, so the verifier answers the same 401s), but
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
  if (!response) throw new JwtRefusedError('ERR_JWKS_TIMEOUT', 'request timed out');
  if (response.statusCode !== 200) {
    response.resume();
    throw new JwtRefusedError('ERR_JOSE_GENERIC', 'Expected 200 OK from the JSON Web Key Set HTTP response');
  }
  const parts: Buffer[] = [];
  for await (const part of response) parts.push(part as Buffer);
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown;
  } catch {
    throw new JwtRefusedError(
      'ERR_JOSE_GENERIC',
      'Failed to parse the JSON Web Key Set HTTP response as JSON',
    );
  }
}

export function remoteJwks(url: URL, options: RemoteJwksOptions = {}): JwtKeyLookup {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 600_000;
  let keys: JwtKeyLookup | undefined;
  let fetchedAt: number | undefined;
  let pending: Promise<void> | undefined;

  const reload = (): Promise<void> => {
    pending ??= fetchJwks(url, timeoutMs)
      .then((json) => {
        // localKeySet refuses a malformed set (ERR_JWKS_INVALID), as jose's remote set does.
        keys = localKeySet(json);
        fetchedAt = Date.now();
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  const fresh = () => fetchedAt !== undefined && Date.now() < fetchedAt + cacheMaxAgeMs;
  const coolingDown = () => fetchedAt !== undefined && Date.now() < fetchedAt + cooldownMs;

  return async (header) => {
    if (!keys || !fresh()) await reload();
    try {
      return await (keys as JwtKeyLookup)(header);
    } catch (error) {
      if (error instanceof JwtRefusedError && error.code === 'ERR_JWKS_NO_MATCHING_KEY' && !coolingDown()) {
        await reload();
        return (keys as JwtKeyLookup)(header);
      }
      throw error;
    }
  };
}
