import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/**
 * The console's ID tokens verified with node:crypto instead of jose (issue 18
 * goal 1: jose was 27 KB of the console API's bundle): jose 4's jwtVerify
 * and createLocalJWKSet, step for step, for what the console accepts (RS256
 * only, an issuer and an audience), refusing with jose's error codes and
 * messages, so the same tokens get the same 401s. jose stays the oracle:
 * test/unit/console-jwt.test.ts runs every case through both.
 */

/** A token or key set refused; `code` is jose's (ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED, ...). */
export class JwtRefusedError extends Error {
  override readonly name = 'JwtRefusedError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface JwtHeader {
  readonly alg?: unknown;
  readonly kid?: unknown;
  readonly [parameter: string]: unknown;
}

/** The public key a token's header names (a key set: localKeySet, remoteJwks). */
export type JwtKeyLookup = (header: JwtHeader) => Promise<KeyObject>;

export interface JwtVerifyOptions {
  readonly issuer: string;
  readonly audience: string;
}

export type JwtClaims = Readonly<Record<string, unknown>>;

/** The one algorithm the console accepts (Cognito signs ID tokens with RS256). */
const ALGORITHM = 'RS256';
const MIN_MODULUS_BITS = 2048;

const refused = (code: string, message: string) => new JwtRefusedError(code, message);
const invalidJws = (message: string) => refused('ERR_JWS_INVALID', message);
const claimFailed = (message: string) => refused('ERR_JWT_CLAIM_VALIDATION_FAILED', message);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const utf8 = new TextDecoder();
/** base64url, one spelling only (no padding, no '+' '/', no whitespace, unused bits zero). */
function decoded(part: string, what = 'JWS'): Buffer {
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.toString('base64url') !== part) throw invalidJws(`Failed to base64url decode the ${what}`);
  return bytes;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/** jose's validateCrit with only b64 recognized: the header's extensions. */
function criticalOf(header: JwtHeader): ReadonlySet<string> {
  const { crit } = header;
  if (crit === undefined) return new Set();
  if (
    !Array.isArray(crit) ||
    crit.length === 0 ||
    crit.some((one) => typeof one !== 'string' || one.length === 0)
  ) {
    throw invalidJws('"crit" (Critical) Header Parameter MUST be an array of non-empty strings when present');
  }
  for (const parameter of crit as string[]) {
    if (parameter !== 'b64') {
      throw refused('ERR_JOSE_NOT_SUPPORTED', `Extension Header Parameter "${parameter}" is not recognized`);
    }
    if (header[parameter] === undefined)
      throw invalidJws(`Extension Header Parameter "${parameter}" is missing`);
  }
  return new Set(crit as string[]);
}

/** The protected header and payload of a compact JWS whose RS256 signature verifies (jose's compactVerify). */
async function verifiedJws(
  token: string,
  keys: JwtKeyLookup,
): Promise<{ header: JwtHeader; payload: Buffer }> {
  const parts = token.split('.');
  if (parts.length !== 3) throw invalidJws('Invalid Compact JWS');
  const [protectedPart = '', payloadPart = '', signaturePart = ''] = parts;
  let parsed: unknown = {};
  if (protectedPart) {
    try {
      parsed = JSON.parse(utf8.decode(decoded(protectedPart))) as unknown;
    } catch {
      throw invalidJws('JWS Protected Header is invalid');
    }
  }
  const header: JwtHeader = isObject(parsed) ? parsed : {};
  const critical = criticalOf(header);
  let b64 = true;
  if (critical.has('b64')) {
    if (typeof header.b64 !== 'boolean')
      throw invalidJws('The "b64" (base64url-encode payload) Header Parameter must be a boolean');
    b64 = header.b64;
  }
  const { alg } = header;
  if (typeof alg !== 'string' || !alg)
    throw invalidJws('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  if (alg !== ALGORITHM)
    throw refused('ERR_JOSE_ALG_NOT_ALLOWED', '"alg" (Algorithm) Header Parameter not allowed');
  const key = await keys(header);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa')
    throw new TypeError('Invalid key for this operation, its asymmetricKeyType must be rsa');
  if (bits < MIN_MODULUS_BITS)
    throw new TypeError(`${alg} requires key modulusLength to be 2048 bits or larger`);
  const signature = decoded(signaturePart, 'signature');
  let valid: boolean;
  try {
    valid = verify('sha256', Buffer.from(`${protectedPart}.${payloadPart}`), key, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw refused('ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'signature verification failed');
  if (!b64) throw refused('ERR_JWT_INVALID', 'JWTs MUST NOT use unencoded payload');
  return { header, payload: decoded(payloadPart, 'payload') };
}

const audienceHolds = (aud: unknown, audience: string): boolean =>
  typeof aud === 'string' ? aud === audience : Array.isArray(aud) && aud.includes(audience);

/** jose's JWT claims checks for an issuer and an audience, no clock tolerance. */
function checkedClaims(payload: Buffer, options: JwtVerifyOptions): JwtClaims {
  const claims = parseJson(payload);
  if (!isObject(claims)) throw refused('ERR_JWT_INVALID', 'JWT Claims Set must be a top-level JSON object');
  for (const claim of ['iss', 'aud', 'exp']) {
    if (!(claim in claims)) throw claimFailed(`missing required "${claim}" claim`);
  }
  if (claims.iss !== options.issuer) throw claimFailed('unexpected "iss" claim value');
  if (!audienceHolds(claims.aud, options.audience)) throw claimFailed('unexpected "aud" claim value');
  const now = Math.floor(Date.now() / 1000);
  if (claims.iat !== undefined && typeof claims.iat !== 'number')
    throw claimFailed('"iat" claim must be a number');
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf !== 'number') throw claimFailed('"nbf" claim must be a number');
    if (claims.nbf > now) throw claimFailed('"nbf" claim timestamp check failed');
  }
  if (claims.exp !== undefined) {
    if (typeof claims.exp !== 'number') throw claimFailed('"exp" claim must be a number');
    if (claims.exp <= now) throw refused('ERR_JWT_EXPIRED', '"exp" claim timestamp check failed');
  }
  return claims;
}

/** The claims of an RS256 JWT signed by a key of `keys`, for `audience`, from `issuer`, in its validity window. */
export async function verifyJwt(
  token: string,
  keys: JwtKeyLookup,
  options: JwtVerifyOptions,
): Promise<JwtClaims> {
  const { payload } = await verifiedJws(token, keys);
  return checkedClaims(payload, options);
}

/** The key types jose's key sets map an algorithm to (only RSA's keys are ever imported here). */
function ktyOf(alg: unknown): string {
  const family = typeof alg === 'string' ? alg.slice(0, 2) : '';
  const kty = ({ RS: 'RSA', PS: 'RSA', ES: 'EC', Ed: 'OKP' } as Record<string, string>)[family];
  if (!kty) throw refused('ERR_JOSE_NOT_SUPPORTED', 'Unsupported "alg" value for a JSON Web Key Set');
  return kty;
}

function publicKeyOf(jwk: Record<string, unknown>): KeyObject {
  if (jwk.oth !== undefined)
    throw refused(
      'ERR_JOSE_NOT_SUPPORTED',
      'RSA JWK "oth" (Other Primes Info) Parameter value is not supported',
    );
  if (jwk.d !== undefined) throw refused('ERR_JWKS_INVALID', 'JSON Web Key Set members must be public keys');
  return createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e } as { kty: string }, format: 'jwk' });
}

/**
 * The keys of a JSON Web Key Set, picked as jose's createLocalJWKSet picks them: by the header's kid and
 * alg, the key's use (sig) and key_ops (verify); none or several: refused. A malformed set is refused here.
 */
export function localKeySet(jwks: unknown): JwtKeyLookup {
  if (!isObject(jwks) || !Array.isArray(jwks.keys) || !jwks.keys.every(isObject)) {
    throw refused('ERR_JWKS_INVALID', 'JSON Web Key Set malformed');
  }
  const keys = structuredClone(jwks.keys) as Record<string, unknown>[];
  const imported = new Map<Record<string, unknown>, KeyObject>();
  return async ({ alg, kid }) => {
    const kty = ktyOf(alg);
    const candidates = keys.filter(
      (jwk) =>
        jwk.kty === kty &&
        (typeof kid !== 'string' || jwk.kid === kid) &&
        (typeof jwk.alg !== 'string' || jwk.alg === alg) &&
        (typeof jwk.use !== 'string' || jwk.use === 'sig') &&
        (!Array.isArray(jwk.key_ops) || jwk.key_ops.includes('verify')),
    );
    const [jwk] = candidates;
    if (!jwk) throw refused('ERR_JWKS_NO_MATCHING_KEY', 'no applicable key found in the JSON Web Key Set');
    if (candidates.length > 1)
      throw refused(
        'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
        'multiple matching keys found in the JSON Web Key Set',
      );
    if (kty !== 'RSA')
      throw refused('ERR_JOSE_NOT_SUPPORTED', `the console verifies ${ALGORITHM} tokens only`);
    const key = imported.get(jwk) ?? publicKeyOf(jwk);
    imported.set(jwk, key);
    return key;
  };
}
