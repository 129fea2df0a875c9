import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { localKeySet, verifyJwt } from '../../cli/console/auth/jwt';
import { tokenVerifier } from '../../cli/console/auth/verifier';

/**
 * Found reviewing 5030ea9 (cli/console/auth/jwt.ts): tokens where ours and the oracle (jose's jwtVerify, as the
 * console called it before) part ways, and tokens no verifier of Cognito ID tokens should accept. Each
 * case fails on 5030ea9.
 */

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_review';
const CLIENT = 'console-client-review';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

const pool = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KID = `kid-${randomUUID()}`;
const SET = {
  keys: [{ ...pool.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }],
} as JSONWebKeySet;
const OPTIONS = { issuer: ISSUER, audience: CLIENT };

const claims = (overrides: Record<string, unknown> = {}) =>
  Object.fromEntries(
    Object.entries({
      sub: `sub-${randomUUID()}`,
      'cognito:username': 'alice',
      'cognito:groups': ['operations'],
      token_use: 'id',
      iss: ISSUER,
      aud: CLIENT,
      iat: now() - 10,
      exp: now() + 600,
      ...overrides,
    }).filter(([, value]) => value !== undefined),
  );

/** A compact JWS over the header and payload segments exactly as given. */
const signedRaw = (header: string, payload: string, key: KeyObject = pool.privateKey) =>
  `${header}.${payload}.${sign('sha256', Buffer.from(`${header}.${payload}`), key).toString('base64url')}`;
const HEADER = b64({ alg: 'RS256', kid: KID });

async function outcome(verify: () => Promise<unknown>): Promise<string> {
  try {
    await verify();
    return 'ok';
  } catch (error) {
    return `${(error as { code?: string }).code ?? (error as Error).name}: ${(error as Error).message}`;
  }
}

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
      const jose = await outcome(async () =>
        jwtVerify(token, createLocalJWKSet(SET), { ...OPTIONS, algorithms: ['RS256'] }),
      );
      const ours = await outcome(() => verifyJwt(token, localKeySet(SET), OPTIONS));

      // Assess
      expect(jose).toBe('ok');
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
    expect(original).toBe('ok');
    expect(respelled).toBe('UnauthenticatedError: the token was refused (ERR_JWS_INVALID): sign in again');
  });
});
