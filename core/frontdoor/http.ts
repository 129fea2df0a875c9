import type { FieldError, Problem } from './contract';

/**
 * The front door's HTTP answers, independent of API Gateway: handlers turn
 * them into proxy results, tests read them directly. Errors are RFC 9457
 * problem documents; `errors` lists field paths and messages, never values.
 */
export type { FieldError };

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const PROBLEM_BASE = 'https://paysaga.dev/problems/';

/** A problem document's `type`: one URI per error code, the same from the handlers, the local door and API Gateway. */
export const problemType = (code: string): string => `${PROBLEM_BASE}${code}`;

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...SECURITY_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

export function problem(
  status: number,
  code: string,
  title: string,
  detail: string,
  errors?: FieldError[],
): HttpResponse {
  const body: Problem = { type: problemType(code), title, status, detail, ...(errors && { errors }) };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', ...SECURITY_HEADERS },
    body: JSON.stringify(body),
  };
}
