import type { ConsoleHostedConfig } from '../../core/config/console';
import { CONSOLE_CONFIG_FILE } from '../../core/config/console';

/**
 * Sign-in when the console is served hosted (CloudFront, or the local token
 * issuer in tests): the OAuth 2.0 authorization-code flow with PKCE (S256)
 * against the people's user pool. The ID token lives in this module's memory
 * only, never in localStorage or a cookie: a reload signs in again (the pool's
 * own session makes that a redirect). Only the PKCE verifier survives the
 * redirect, in sessionStorage, and is removed when used. No config file: the
 * loopback console, no sign-in.
 */

let idToken: string | undefined;
let hosted: ConsoleHostedConfig | undefined;

const VERIFIER_KEY = 'paysaga.pkce';

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomText = (size: number) => base64url(crypto.getRandomValues(new Uint8Array(size)));

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

const redirectUri = () => `${location.origin}/`;

/** Sends the browser to the pool's sign-in page; it comes back to / with ?code=&state=. */
export async function signIn(): Promise<never> {
  if (!hosted) throw new SignInError('this console has no sign-in');
  const verifier = randomText(48);
  const state = randomText(16);
  sessionStorage.setItem(VERIFIER_KEY, JSON.stringify({ state, verifier, hash: location.hash }));
  const url = new URL(`${hosted.authority}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: hosted.clientId,
    redirect_uri: redirectUri(),
    scope: hosted.scopes,
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
  return new Promise<never>(() => {});
}

/** The code from the redirect for tokens, once, with the verifier this tab created. */
async function redeem(code: string, state: string): Promise<void> {
  const saved = sessionStorage.getItem(VERIFIER_KEY);
  sessionStorage.removeItem(VERIFIER_KEY);
  const pending = saved
    ? (JSON.parse(saved) as { state: string; verifier: string; hash: string })
    : undefined;
  if (!hosted || !pending || pending.state !== state)
    throw new SignInError('the sign-in answer does not match this tab: sign in again');
  const response = await fetch(`${hosted.authority}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: hosted.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new SignInError(`sign-in failed (HTTP ${response.status}): sign in again`);
  const tokens = (await response.json()) as { id_token?: string };
  if (!tokens.id_token) throw new SignInError('sign-in gave no ID token');
  idToken = tokens.id_token;
  // Drop ?code=&state= from the address bar and history; back to the page the person was on.
  history.replaceState(null, '', `${location.pathname}${pending.hash}`);
}

/**
 * Before the app renders: reads the sign-in settings (none: loopback, done), finishes a sign-in coming
 * back with ?code=, or starts one.
 */
export async function ensureSignedIn(): Promise<void> {
  const config = await fetch(CONSOLE_CONFIG_FILE, { headers: { accept: 'application/json' } });
  if (!config.ok) return;
  hosted = (await config.json()) as ConsoleHostedConfig;
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  if (code) return redeem(code, query.get('state') ?? '');
  await signIn();
}

/** The Authorization header of API calls when signed in. */
export function authHeaders(): Record<string, string> {
  return idToken ? { authorization: `Bearer ${idToken}` } : {};
}

/** A 401 from the API: the token expired or was refused; sign in again (hosted only). */
export function isHosted(): boolean {
  return hosted !== undefined;
}
