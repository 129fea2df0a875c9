import { createHmac, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { type JwtKeyLookup, localKeySet, verifyJwt } from '../../cli/console/auth/jwt';
import { personOf, UnauthenticatedError } from '../../cli/console/auth/person';
import { tokenVerifier } from '../../cli/console/auth/verifier';

/**
 * The console's token verification without jose (cli/console/auth/jwt.ts, issue 18 goal 1) against jose
 * as the oracle: every token goes through jose's jwtVerify over createLocalJWKSet and through ours over
 * localKeySet (the claims, or the error's code and message, equal), and through the console's verifier
 * as it is and as it was with jose (the person, or the 401's message, equal). Tokens are built by hand
 * (node:crypto), so the forged ones are whatever an attacker can send.
 */

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_jwt';
const CLIENT = 'console-client-jwt';
const now = () => Math.floor(Date.now() / 1000);

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const rsa = (bits = 2048) => generateKeyPairSync('rsa', { modulusLength: bits });
const jwkOf = (key: KeyObject, kid: string, extra: Record<string, unknown> = {}) => ({
  ...key.export({ format: 'jwk' }),
  kid,
  alg: 'RS256',
  use: 'sig',
  ...extra,
});

const pool = rsa();
const other = rsa();
const small = rsa(1024);
const KID = `kid-${randomUUID()}`;
const SMALL_KID = `small-${randomUUID()}`;
const SET: JSONWebKeySet = {
  keys: [jwkOf(pool.publicKey, KID), jwkOf(small.publicKey, SMALL_KID)] as JSONWebKeySet['keys'],
};

/** An ID token as Cognito issues it for the console (overrides: claims; undefined removes one). */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    sub: `sub-${randomUUID()}`,
    'cognito:username': 'alice',
    'cognito:groups': ['operations'],
    token_use: 'id',
    iss: ISSUER,
    aud: CLIENT,
    iat: now() - 10,
    exp: now() + 600,
  };
  const merged = { ...base, ...overrides };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

function signed(
  payload: unknown,
  header: Record<string, unknown> = { alg: 'RS256', kid: KID },
  key: KeyObject = pool.privateKey,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const tamper = (token: string, part: number, change: (text: string) => string) =>
  token
    .split('.')
    .map((segment, i) => (i === part ? change(segment) : segment))
    .join('.');

const publicPem = pool.publicKey.export({ format: 'pem', type: 'spki' }).toString();
const hs256WithPublicKey = (() => {
  const input = `${b64({ alg: 'HS256', kid: KID })}.${b64(claims())}`;
  return `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
})();

const CASES: ReadonlyArray<[string, string]> = [
  ['valid', signed(claims())],
  ['expired', signed(claims({ exp: now() - 5 }))],
  ['expiring this second', signed(claims({ exp: now() }))],
  ['nbf in the future', signed(claims({ nbf: now() + 120 }))],
  ['nbf in the past', signed(claims({ nbf: now() - 120 }))],
  ['wrong iss', signed(claims({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other' }))],
  ['no iss', signed(claims({ iss: undefined }))],
  ['wrong aud (another app client)', signed(claims({ aud: 'another-client' }))],
  ['aud as an array holding the client', signed(claims({ aud: ['x', CLIENT] }))],
  [
    'access token: client_id, no aud',
    signed(claims({ aud: undefined, client_id: CLIENT, token_use: 'access' })),
  ],
  ['wrong token_use with the right aud', signed(claims({ token_use: 'access' }))],
  ['missing exp', signed(claims({ exp: undefined }))],
  ['exp not a number', signed(claims({ exp: String(now() + 600) }))],
  ['iat not a number', signed(claims({ iat: 'yesterday' }))],
  ['alg none, no signature', `${b64({ alg: 'none', kid: KID })}.${b64(claims())}.`],
  ['alg none, the RS256 signature kept', tamper(signed(claims()), 0, () => b64({ alg: 'none', kid: KID }))],
  ['HS256 with the public key as the secret', hs256WithPublicKey],
  ['RS512', signed(claims(), { alg: 'RS512', kid: KID })],
  ['no alg', signed(claims(), { kid: KID })],
  ['unknown kid', signed(claims(), { alg: 'RS256', kid: 'kid-unknown' })],
  ['no kid (two keys match)', signed(claims(), { alg: 'RS256' })],
  [
    'signed by another key under the pool kid',
    signed(claims(), { alg: 'RS256', kid: KID }, other.privateKey),
  ],
  ['a 1024-bit key of the set', signed(claims(), { alg: 'RS256', kid: SMALL_KID }, small.privateKey)],
  [
    'tampered payload (groups)',
    tamper(signed(claims({ 'cognito:groups': ['finance'] })), 1, () =>
      b64(claims({ 'cognito:groups': ['operations'] })),
    ),
  ],
  ['tampered signature', tamper(signed(claims()), 2, (s) => `${s.slice(0, -4)}AAAA`)],
  ['signature removed', tamper(signed(claims()), 2, () => '')],
  ['two parts', signed(claims()).split('.').slice(0, 2).join('.')],
  ['four parts', `${signed(claims())}.x`],
  ['header not JSON', tamper(signed(claims()), 0, () => b64('{alg'))],
  ['payload not JSON', signed('not json')],
  ['payload an array', signed([1, 2])],
  ['crit unknown', signed(claims(), { alg: 'RS256', kid: KID, crit: ['exp'], exp: 1 })],
  ['crit b64 false', signed(claims(), { alg: 'RS256', kid: KID, crit: ['b64'], b64: false })],
  ['crit empty', signed(claims(), { alg: 'RS256', kid: KID, crit: [] })],
];

/** Claims or `code: message`, whatever verification answered. */
async function outcome(verify: () => Promise<unknown>): Promise<string> {
  try {
    return `ok ${JSON.stringify(await verify())}`;
  } catch (error) {
    const { code } = error as { code?: string };
    return `${code ?? (error as Error).name}: ${(error as Error).message}`;
  }
}

/**
 * The console's verifier as it was (jose's jwtVerify), the oracle of tokenVerifier; with `exp` required,
 * which ours added (a signed token without one never expired; Cognito always sets it).
 */
function joseVerifier(keys: JWTVerifyGetKey) {
  return async (authorization: string) => {
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization);
    if (!match?.[1]) throw new UnauthenticatedError('sign in: send Authorization: Bearer <ID token>');
    try {
      const { payload } = await jwtVerify(match[1], keys, {
        issuer: ISSUER,
        audience: CLIENT,
        algorithms: ['RS256'],
        requiredClaims: ['exp'],
      });
      return personOf(payload);
    } catch (error) {
      if (error instanceof errors.JOSEError) {
        throw new UnauthenticatedError(`the token was refused (${error.code}): sign in again`);
      }
      throw error;
    }
  };
}

describe('console JWT verification without jose, jose as the oracle', () => {
  const joseKeys = createLocalJWKSet(SET);
  const ourKeys: JwtKeyLookup = localKeySet(SET);

  it.each(CASES)('%s: the same claims or refusal as jose', async (_name, token) => {
    // Act
    const jose = await outcome(
      async () =>
        (
          await jwtVerify(token, joseKeys, {
            issuer: ISSUER,
            audience: CLIENT,
            algorithms: ['RS256'],
            requiredClaims: ['exp'],
          })
        ).payload,
    );
    const ours = await outcome(() => verifyJwt(token, ourKeys, { issuer: ISSUER, audience: CLIENT }));

    // Assess
    expect(ours).toBe(jose);
  });

  it.each(CASES)('%s: the console verifier answers as it did with jose', async (_name, token) => {
    // Prepare
    const was = joseVerifier(joseKeys);
    const is = tokenVerifier({ issuer: ISSUER, clientId: CLIENT, keys: ourKeys });

    // Act
    const [before, after] = await Promise.all(
      [was, is].map((verify) =>
        verify(`Bearer ${token}`).then(
          (person) => `person ${JSON.stringify(person)}`,
          (error: Error) => `${error.name}: ${error.message}`,
        ),
      ),
    );

    // Assess
    expect(after).toBe(before);
  });

  it('accepts only what it should among the cases (the oracle is not wrong in the same way)', async () => {
    // Act
    const accepted: string[] = [];
    for (const [name, token] of CASES) {
      if (
        (await outcome(() => verifyJwt(token, ourKeys, { issuer: ISSUER, audience: CLIENT }))).startsWith(
          'ok ',
        )
      )
        accepted.push(name);
    }

    // Assess
    expect(accepted).toEqual([
      'valid',
      'nbf in the past',
      'aud as an array holding the client',
      'wrong token_use with the right aud',
    ]);
  });

  it.each<[string, unknown]>([
    ['not an object', 'keys'],
    ['keys not an array', { keys: {} }],
    ['a key not an object', { keys: ['x'] }],
  ])('refuses a malformed key set as jose does: %s', async (_name, set) => {
    // Act
    const jose = await outcome(async () => createLocalJWKSet(set as JSONWebKeySet));
    const ours = await outcome(async () => localKeySet(set));

    // Assess
    expect(ours).toBe(jose);
    expect(ours).toBe('ERR_JWKS_INVALID: JSON Web Key Set malformed');
  });

  it.each<[string, Record<string, unknown>]>([
    ['use enc', { use: 'enc' }],
    ['key_ops without verify', { key_ops: ['encrypt'] }],
    ['alg RS512', { alg: 'RS512' }],
    ['a private key', { ...pool.privateKey.export({ format: 'jwk' }) }],
  ])('picks keys as jose does: a key with %s', async (_name, extra) => {
    // Prepare
    const kid = `kid-${randomUUID()}`;
    const set = { keys: [jwkOf(pool.publicKey, kid, extra)] } as JSONWebKeySet;
    const token = signed(claims(), { alg: 'RS256', kid });

    // Act
    const jose = await outcome(
      async () =>
        (
          await jwtVerify(token, createLocalJWKSet(set), {
            issuer: ISSUER,
            audience: CLIENT,
            algorithms: ['RS256'],
            requiredClaims: ['exp'],
          })
        ).payload,
    );
    const ours = await outcome(() =>
      verifyJwt(token, localKeySet(set), { issuer: ISSUER, audience: CLIENT }),
    );

    // Assess
    expect(ours).toBe(jose);
  });
});

/**
 * Found reviewing 5030ea9: tokens where ours and the oracle (jose's jwtVerify, as the console called it
 * before) part ways, and tokens no verifier of Cognito ID tokens should accept. Each case fails on 5030ea9.
 */
const OPTIONS = { issuer: ISSUER, audience: CLIENT };
/** A compact JWS over the header and payload segments exactly as given. */
const signedRaw = (header: string, payload: string, key: KeyObject = pool.privateKey) =>
  `${header}.${payload}.${sign('sha256', Buffer.from(`${header}.${payload}`), key).toString('base64url')}`;
const HEADER = b64({ alg: 'RS256', kid: KID });

describe('the console JWT verifier, stricter than jose where it differs', () => {
  it.each<[string, string]>([
    [
      'a header that starts with a UTF-8 BOM',
      signedRaw(b64(`\uFEFF${JSON.stringify({ alg: 'RS256', kid: KID })}`), b64(claims())),
    ],
    ['a payload that starts with a UTF-8 BOM', signedRaw(HEADER, b64(`\uFEFF${JSON.stringify(claims())}`))],
  ])(
    'answers as jose does for %s (jose decodes with TextDecoder, which drops a BOM)',
    async (_name, token) => {
      // Act
      const jose = await outcome(
        async () =>
          (await jwtVerify(token, createLocalJWKSet(SET), { ...OPTIONS, algorithms: ['RS256'] })).payload,
      );
      const ours = await outcome(() => verifyJwt(token, localKeySet(SET), OPTIONS));

      // Assess
      expect(jose).toMatch(/^ok /);
      expect(ours).toBe(jose);
    },
  );

  it('refuses a validly signed ID token without exp (Cognito always sets it; such a token never expires)', async () => {
    // Prepare
    const token = signedRaw(HEADER, b64(claims({ exp: undefined })));

    // Act
    const answer = await outcome(() => verifyJwt(token, localKeySet(SET), OPTIONS));

    // Assess
    expect(answer).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED: missing required "exp" claim');
  });

  it('accepts one spelling of a token: the signature with its unused trailing bits set is refused', async () => {
    // Prepare: 256 signature bytes are 342 base64url characters; the last one carries 2 bits and 4 unused ones.
    const token = signedRaw(HEADER, b64(claims()));
    const signature = token.split('.')[2] ?? '';
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = ALPHABET.indexOf(signature.slice(-1));
    const variant = `${token.slice(0, -1)}${ALPHABET[last ^ 0b0001]}`;
    const verify = tokenVerifier({ issuer: ISSUER, clientId: CLIENT, keys: localKeySet(SET) });

    // Act
    const original = await outcome(() => verify(`Bearer ${token}`));
    const respelled = await outcome(() => verify(`Bearer ${variant}`));

    // Assess
    expect(variant).not.toBe(token);
    expect(original).toMatch(/^ok /);
    expect(respelled).toBe('UnauthenticatedError: the token was refused (ERR_JWS_INVALID): sign in again');
  });
});
