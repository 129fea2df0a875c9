import { type JwtKeyLookup, JwtRefusedError, verifyJwt } from './jwt';
import { type Person, personOf, UnauthenticatedError } from './person';
import { remoteJwks } from './remote-jwks';

/**
 * Verifies the console's bearer tokens: an ID token of the people's user pool
 * (RS256, signed by a key of the pool's JWKS, issued by the pool, for the
 * console's app client, not expired). The same code runs on AWS (the pool's
 * published JWKS) and locally (the local token issuer's keys), so the group
 * rules are tested with the verifier that enforces them.
 */
export interface TokenVerifierOptions {
  /** https://cognito-idp.<region>.amazonaws.com/<userPoolId>, or the local issuer's URL. */
  readonly issuer: string;
  /** The console app client's id: an ID token's `aud`. */
  readonly clientId: string;
  readonly keys: JwtKeyLookup;
}

export type TokenVerifier = (authorization: string | undefined) => Promise<Person>;

export const cognitoIssuer = (region: string, userPoolId: string): string =>
  `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;

/** The pool's signing keys, fetched once and cached as jose does (refetched for an unknown key id): ./remote-jwks.ts. */
export const cognitoKeys = (issuer: string): JwtKeyLookup =>
  remoteJwks(new URL(`${issuer}/.well-known/jwks.json`));

export function tokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '');
    if (!match?.[1]) throw new UnauthenticatedError('sign in: send Authorization: Bearer <ID token>');
    try {
      // RS256 only, jose's checks and refusals (./jwt.ts; jose is its oracle in test/unit/console-jwt.test.ts).
      const claims = await verifyJwt(match[1], options.keys, {
        issuer: options.issuer,
        audience: options.clientId,
      });
      return personOf(claims);
    } catch (error) {
      if (error instanceof JwtRefusedError) {
        throw new UnauthenticatedError(`the token was refused (${error.code}): sign in again`);
      }
      throw error;
    }
  };
}
