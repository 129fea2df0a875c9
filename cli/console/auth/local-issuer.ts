import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import type { ConsoleGroup } from '../../../core/config/console';
import { localKeySet } from './jwt';
import { type TokenVerifier, tokenVerifier } from './verifier';

/**
 * A local stand-in for the people's Cognito user pool, for tests and
 * `payctl console --sign-in local`: it signs ID tokens shaped as Cognito's
 * (sub, cognito:username, cognito:groups, token_use id, aud = client id) with
 * its own RS256 key, publishes the key as a JWKS, and serves the OAuth 2.0
 * authorization-code flow with PKCE (S256) that the hosted app uses, so the
 * app, the verifier and the group rules run as on AWS without an account.
 * Loopback only; never a production identity provider.
 */

export interface LocalUser {
  readonly username: string;
  readonly groups: readonly ConsoleGroup[];
}

export interface LocalIssuer {
  /** The issuer URL (iss), also the base of /oauth2/authorize, /oauth2/token, /.well-known/jwks.json. */
  readonly url: string;
  readonly clientId: string;
  /** A signed ID token for a person, as Cognito would issue after sign-in. */
  issue(user: LocalUser, options?: { expiresInSeconds?: number }): Promise<string>;
  /** The production verifier over this issuer's keys. */
  verifier(): TokenVerifier;
  /** Who /oauth2/authorize signs in without asking (tests); undefined: it shows a sign-in form. */
  signInAs(user: LocalUser | undefined): void;
  close(): Promise<void>;
}

/** The same sub for the same username, as a pool gives one person one sub. */
const subOf = (username: string) =>
  createHash('sha256')
    .update(username)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5');

const base64url = (bytes: Buffer) => bytes.toString('base64url');

interface PendingCode {
  readonly user: LocalUser;
  readonly challenge: string;
  readonly redirectUri: string;
  readonly expires: number;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
    'cache-control': 'no-store',
    'access-control-allow-origin': '*',
    ...headers,
  });
  res.end(text);
}

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const SIGN_IN_FORM = (query: string) => `<!doctype html><title>paysaga local sign-in</title>
<form method="post" action="/oauth2/authorize?${query}">
<label>Username <input name="username" required></label>
<label><input type="checkbox" name="group" value="operations"> operations</label>
<label><input type="checkbox" name="group" value="finance"> finance</label>
<button>Sign in</button></form>`;

export async function startLocalIssuer(options: { clientId?: string } = {}): Promise<LocalIssuer> {
  const clientId = options.clientId ?? 'paysaga-local-console';
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey as KeyLike)), kid, alg: 'RS256', use: 'sig' };
  const jwks = { keys: [jwk] };
  const codes = new Map<string, PendingCode>();
  let automatic: LocalUser | undefined;
  let url = '';

  const issue: LocalIssuer['issue'] = (user, issueOptions = {}) =>
    new SignJWT({
      'cognito:username': user.username,
      'cognito:groups': [...user.groups],
      token_use: 'id',
      auth_time: Math.floor(Date.now() / 1000),
    })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject(subOf(user.username))
      .setIssuer(url)
      .setAudience(clientId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + (issueOptions.expiresInSeconds ?? 3600))
      .sign(privateKey);

  /** Checks the authorization request and redirects back with a one-time code bound to the PKCE challenge. */
  const authorize = (res: ServerResponse, query: URLSearchParams, user: LocalUser) => {
    const redirectUri = query.get('redirect_uri') ?? '';
    const challenge = query.get('code_challenge') ?? '';
    if (query.get('client_id') !== clientId || query.get('response_type') !== 'code')
      return send(res, 400, { error: 'invalid_request' });
    if (query.get('code_challenge_method') !== 'S256' || challenge.length < 43)
      return send(res, 400, { error: 'invalid_request', error_description: 'PKCE S256 is required' });
    if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(redirectUri))
      return send(res, 400, { error: 'invalid_request', error_description: 'loopback redirects only' });
    const code = base64url(randomBytes(24));
    codes.set(code, { user, challenge, redirectUri, expires: Date.now() + 60_000 });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    if (query.get('state')) back.searchParams.set('state', query.get('state') ?? '');
    send(res, 302, '', { location: back.toString() });
  };

  /** The code for tokens, once, only with the verifier whose S256 is the challenge. */
  const token = async (res: ServerResponse, form: URLSearchParams) => {
    const code = form.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code);
    const verifier = form.get('code_verifier') ?? '';
    const valid =
      pending !== undefined &&
      pending.expires > Date.now() &&
      form.get('grant_type') === 'authorization_code' &&
      form.get('client_id') === clientId &&
      form.get('redirect_uri') === pending.redirectUri &&
      base64url(createHash('sha256').update(verifier).digest()) === pending.challenge;
    if (!valid || !pending) return send(res, 400, { error: 'invalid_grant' });
    const idToken = await issue(pending.user);
    send(res, 200, { id_token: idToken, access_token: idToken, token_type: 'Bearer', expires_in: 3600 });
  };

  const server = createServer((req, res) => {
    const requestUrl = new URL(req.url ?? '/', url);
    const route = `${req.method} ${requestUrl.pathname}`;
    const handle = async () => {
      if (route === 'GET /.well-known/jwks.json') return send(res, 200, jwks);
      if (route === 'OPTIONS /oauth2/token')
        return send(res, 204, '', {
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type',
        });
      if (route === 'POST /oauth2/token') return token(res, await formOf(req));
      if (route === 'GET /oauth2/authorize') {
        if (automatic) return authorize(res, requestUrl.searchParams, automatic);
        return send(res, 200, SIGN_IN_FORM(requestUrl.searchParams.toString()));
      }
      if (route === 'POST /oauth2/authorize') {
        const form = await formOf(req);
        const groups = form
          .getAll('group')
          .filter((g): g is ConsoleGroup => g === 'operations' || g === 'finance');
        return authorize(res, requestUrl.searchParams, { username: form.get('username') ?? '', groups });
      }
      send(res, 404, { error: 'not_found' });
    };
    handle().catch((error: unknown) => send(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keys = localKeySet(jwks);

  return {
    url,
    clientId,
    issue,
    verifier: () => tokenVerifier({ issuer: url, clientId, keys }),
    signInAs: (user) => {
      automatic = user;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
