import { type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  type JWTVerifyGetKey,
  jwtVerify,
  type KeyLike,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteJwks } from '../../cli/console/auth/remote-jwks';
import { tokenVerifier } from '../../cli/console/auth/verifier';

/**
 * The console API's JWKS fetch (cli/console/auth/remote-jwks.ts, over node:http taken without an ESM
 * import) behaves as jose's createRemoteJWKSet, which it replaces: each case runs both against the same
 * key server and compares what the verification answered and how often the keys were fetched.
 */

interface KeyServer {
  readonly url: URL;
  /** How the next requests are answered: a status and body, or no answer at all (a hang). */
  answer: { status: number; body: string } | 'hang';
  hits: number;
}

let server: Server;
const servers = new Map<string, KeyServer>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const keys = servers.get(req.url?.split('/')[1] ?? '');
    if (!keys) return void res.writeHead(404).end();
    keys.hits += 1;
    if (keys.answer === 'hang') return;
    res.writeHead(keys.answer.status, { 'content-type': 'application/json' }).end(keys.answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A key server of its own (a path of the test server), answering `set`. */
function keyServer(set: { keys: JWK[] }): KeyServer {
  const id = randomUUID();
  const port = (server.address() as AddressInfo).port;
  const keys: KeyServer = {
    url: new URL(`http://127.0.0.1:${port}/${id}/.well-known/jwks.json`),
    answer: { status: 200, body: JSON.stringify(set) },
    hits: 0,
  };
  servers.set(id, keys);
  return keys;
}

async function signingKey() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey as KeyLike)), kid, alg: 'RS256', use: 'sig' };
  const sign = (expiresAt: number | string = '1h') =>
    new SignJWT({ token_use: 'id', 'cognito:username': 'alice' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject('sub-alice')
      .setIssuer('https://issuer.test')
      .setAudience('console')
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(privateKey);
  return { jwk, sign };
}

/** What verifying `token` against `keys` answered: the subject, or the jose error's code. */
async function outcome(keys: JWTVerifyGetKey, token: string): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer: 'https://issuer.test',
      audience: 'console',
      algorithms: ['RS256'],
    });
    return `ok ${payload.sub}`;
  } catch (error) {
    return `${(error as { code?: string }).code ?? (error as Error).name}: ${(error as Error).message}`;
  }
}

/** Runs `steps` against jose's remote set and ours, each on its own key server: [answers, hits] of each. */
async function both(
  set: { keys: JWK[] },
  steps: (keys: JWTVerifyGetKey, server: KeyServer) => Promise<string[]>,
  options: { cooldownMs?: number; timeoutMs?: number } = {},
) {
  const joseServer = keyServer(set);
  const oursServer = keyServer(set);
  const jose = createRemoteJWKSet(joseServer.url, {
    ...(options.cooldownMs !== undefined && { cooldownDuration: options.cooldownMs }),
    ...(options.timeoutMs !== undefined && { timeoutDuration: options.timeoutMs }),
  });
  const ours = remoteJwks(oursServer.url, options);
  const joseAnswers = await steps(jose, joseServer);
  const oursAnswers = await steps(ours, oursServer);
  return {
    jose: { answers: joseAnswers, hits: joseServer.hits },
    ours: { answers: oursAnswers, hits: oursServer.hits },
  };
}

describe('remoteJwks', () => {
  it('verifies with the fetched keys and fetches them once for many tokens', async () => {
    // Prepare
    const key = await signingKey();
    const tokens = await Promise.all([key.sign(), key.sign(), key.sign()]);

    // Act
    const { jose, ours } = await both({ keys: [key.jwk] }, async (keys) => {
      const answers: string[] = [];
      for (const token of tokens) answers.push(await outcome(keys, token));
      return answers;
    });

    // Assess
    expect(ours).toEqual(jose);
    expect(ours).toEqual({ answers: ['ok sub-alice', 'ok sub-alice', 'ok sub-alice'], hits: 1 });
  });

  it('refetches for an unknown key id only after the cooldown, then takes the rotated key', async () => {
    // Prepare
    const [old, rotated] = await Promise.all([signingKey(), signingKey()]);
    const token = await rotated.sign();

    // Act
    const cooling = await both({ keys: [old.jwk] }, async (keys, keyServer) => {
      const first = await outcome(keys, token);
      keyServer.answer = { status: 200, body: JSON.stringify({ keys: [old.jwk, rotated.jwk] }) };
      return [first, await outcome(keys, token)];
    });
    const cooled = await both(
      { keys: [old.jwk] },
      async (keys, keyServer) => {
        const first = await outcome(keys, token);
        keyServer.answer = { status: 200, body: JSON.stringify({ keys: [old.jwk, rotated.jwk] }) };
        return [first, await outcome(keys, token)];
      },
      { cooldownMs: 0 },
    );

    // Assess
    expect(cooling.ours).toEqual(cooling.jose);
    expect(cooling.ours.answers[1]).toMatch(/^ERR_JWKS_NO_MATCHING_KEY/);
    expect(cooled.ours).toEqual(cooled.jose);
    expect(cooled.ours.answers[1]).toBe('ok sub-alice');
  });

  it('answers jose errors for a failed, unparseable, malformed or slow key set', async () => {
    // Prepare
    const key = await signingKey();
    const token = await key.sign();
    const answers = [
      { status: 500, body: '{}' },
      { status: 200, body: 'not json' },
      { status: 200, body: '{"keys":"none"}' },
      'hang' as const,
    ];

    // Act
    const runs = await Promise.all(
      answers.map((answer) =>
        both(
          { keys: [key.jwk] },
          async (keys, keyServer) => {
            keyServer.answer = answer;
            return [await outcome(keys, token)];
          },
          { timeoutMs: 200 },
        ),
      ),
    );

    // Assess
    for (const run of runs) expect(run.ours).toEqual(run.jose);
    expect(runs.map((run) => run.ours.answers[0]?.split(':')[0])).toEqual([
      'ERR_JOSE_GENERIC',
      'ERR_JOSE_GENERIC',
      'ERR_JWKS_INVALID',
      'ERR_JWKS_TIMEOUT',
    ]);
  });

  it("through the console's verifier: the same person, and the same refusal for an expired token", async () => {
    // Prepare
    const key = await signingKey();
    const [valid, expired] = await Promise.all([key.sign(), key.sign(Math.floor(Date.now() / 1000) - 60)]);
    // jose's key set answers node KeyObjects; the verifier asks with the header only (cli/console/auth/jwt.ts).
    const verifierOf = (keys: JWTVerifyGetKey) =>
      tokenVerifier({
        issuer: 'https://issuer.test',
        clientId: 'console',
        keys: (header) =>
          keys(header as JWTHeaderParameters, { payload: '', signature: '' }) as Promise<KeyObject>,
      });
    const answerOf = (verify: ReturnType<typeof verifierOf>, token: string) =>
      verify(`Bearer ${token}`).then(
        (person) => JSON.stringify(person),
        (error: Error) => `${error.name}: ${error.message}`,
      );

    // Act
    const { jose, ours } = await both({ keys: [key.jwk] }, async (keys) => {
      const verify = verifierOf(keys);
      return [await answerOf(verify, valid), await answerOf(verify, expired)];
    });

    // Assess
    expect(ours).toEqual(jose);
    expect(ours.answers[0]).toContain('"username":"alice"');
    expect(ours.answers[1]).toBe(
      'UnauthenticatedError: the token was refused (ERR_JWT_EXPIRED): sign in again',
    );
  });
});
