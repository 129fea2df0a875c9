import { createHash } from 'node:crypto';
import { AwsServiceError } from '../edge/aws-json-service';

/**
 * Opaque nextToken values: the offset of the next page, bound to the listing it
 * came from (a token from another listing or filter is InvalidToken, as on AWS).
 */

const scopeHash = (scope: string): string => createHash('sha256').update(scope).digest('hex').slice(0, 16);

export function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scopeHash(scope), o: offset })).toString('base64url');
}

export function decodeToken(token: string, scope: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      s?: unknown;
      o?: unknown;
    };
    if (
      parsed.s === scopeHash(scope) &&
      typeof parsed.o === 'number' &&
      Number.isInteger(parsed.o) &&
      parsed.o >= 0
    ) {
      return parsed.o;
    }
  } catch {
    // fall through to the AWS error
  }
  throw new AwsServiceError(
    'InvalidToken',
    'Invalid Token: the nextToken was not issued for this request; repeat the request without it',
  );
}

const DEFAULT_PAGE_SIZE = 100;

/** One page of `items` from the request's nextToken, with the token of the next page if any. */
export function paginate<T>(
  items: readonly T[],
  scope: string,
  request: { readonly maxResults?: number | undefined; readonly nextToken?: string | undefined },
): { page: T[]; nextToken?: string } {
  const from = request.nextToken === undefined ? 0 : decodeToken(request.nextToken, scope);
  const page = items.slice(from, from + (request.maxResults || DEFAULT_PAGE_SIZE));
  const next = from + page.length;
  return { page, ...(next < items.length && { nextToken: encodeToken(scope, next) }) };
}
