import type { ApiError } from '../../cli/console/api-types';
import { authHeaders, isHosted, signIn } from './auth';

/** Talks to the console server (same origin); errors carry the server's message. */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function answer<T>(response: Response): Promise<T> {
  // Hosted: an expired or refused token means signing in again (tokens are kept in memory only).
  if (response.status === 401 && isHosted()) await signIn();
  const body = (await response.json().catch(() => ({ error: response.statusText }))) as T | ApiError;
  if (!response.ok) {
    throw new ApiRequestError(response.status, (body as ApiError).error ?? `HTTP ${response.status}`);
  }
  return body as T;
}

export async function getJson<T>(
  path: string,
  params: Record<string, string | number | undefined> = {},
): Promise<T> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') query.set(key, String(value));
  const search = query.toString();
  return answer<T>(
    await fetch(`api/${path}${search ? `?${search}` : ''}`, {
      headers: { accept: 'application/json', ...authHeaders() },
    }),
  );
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  return answer<T>(
    await fetch(`api/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeaders() },
      body: JSON.stringify(body),
    }),
  );
}
