import '../config/zod-locale';
import * as z from 'zod/mini';
import { IsoDateTime } from '../../events/common';
import { deferred } from '../config/deferred-schema';
import type { HttpResponse } from '../frontdoor/http';
import { cardDataRefused, clip, fieldErrors, MAX_FIELD_ERRORS } from '../frontdoor/request-body';
import { containsPan } from '../pan';
import { STATEMENT_DEFAULT_LIMIT, STATEMENT_MAX_LIMIT } from './contract';
import { invalidWalletRequest } from './open-request';

/** The statement's query parameters: an ISO-8601 window (from and to inclusive), a page size, a cursor. */
export const StatementQueryFields = {
  from: deferred(() => z.optional(IsoDateTime)),
  to: deferred(() => z.optional(IsoDateTime)),
  limit: deferred(() =>
    z._default(
      z.coerce
        .number()
        .check(
          z.int('limit must be an integer'),
          z.gte(1, 'limit must be at least 1'),
          z.lte(STATEMENT_MAX_LIMIT, `limit must be at most ${STATEMENT_MAX_LIMIT}`),
        ),
      STATEMENT_DEFAULT_LIMIT,
    ),
  ),
  cursor: deferred(() =>
    z.optional(
      z
        .string()
        .check(z.regex(/^[A-Za-z0-9_-]{1,2048}$/, 'cursor must be a nextCursor from an earlier page')),
    ),
  ),
};

export const StatementQuerySchema = deferred(() =>
  z
    .pipe(
      z.strictObject(StatementQueryFields),
      z.transform((query) => ({
        ...query,
        ...(query.from && { from: new Date(query.from).toISOString() }),
        ...(query.to && { to: new Date(query.to).toISOString() }),
      })),
    )
    .check(
      z.refine((query) => !query.from || !query.to || query.from < query.to, {
        message: 'from must be before to',
        path: ['from'],
      }),
    ),
);
export type StatementQuery = z.output<typeof StatementQuerySchema>;

export type ParsedStatementQuery =
  | { readonly ok: true; readonly value: StatementQuery; readonly badCursor: () => HttpResponse }
  | { readonly ok: false; readonly response: HttpResponse };

const badCursor = (): HttpResponse =>
  invalidWalletRequest('the cursor belongs to another wallet or window; start again without it', [
    { path: 'query:cursor', message: 'not a cursor of this statement' },
  ]);

/** Validates the query string (unknown parameters refused, card data by name only). */
export function parseStatementQuery(
  parameters: Readonly<Record<string, string | undefined>> | null,
): ParsedStatementQuery {
  const raw = Object.fromEntries(
    Object.entries(parameters ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const withPan = Object.entries(raw)
    .filter(([name, value]) => containsPan(name) || containsPan(value))
    .map(([name]) => (containsPan(name) ? 'query' : `query:${name}`));
  if (withPan.length > 0) return cardDataRefused(withPan);
  const unknown = Object.keys(raw).filter((name) => !Object.hasOwn(StatementQueryFields, name));
  if (unknown.length > 0) {
    return {
      ok: false,
      response: invalidWalletRequest(
        `the statement takes ${Object.keys(StatementQueryFields).join(', ')}`,
        unknown
          .slice(0, MAX_FIELD_ERRORS)
          .map((name) => ({ path: clip(`query:${name}`), message: 'unknown parameter' })),
      ),
    };
  }
  const parsed = StatementQuerySchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      response: invalidWalletRequest(
        'invalid statement query',
        fieldErrors(parsed.error)
          .slice(0, MAX_FIELD_ERRORS)
          .map((error) => ({ ...error, path: clip(`query:${error.path}`) })),
      ),
    };
  }
  return { ok: true, value: parsed.data, badCursor };
}
