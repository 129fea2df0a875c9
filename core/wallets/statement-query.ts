import * as z from 'zod';
import { IsoDateTime } from '../../events/common';
import type { HttpResponse } from '../frontdoor/http';
import { cardDataRefused, clip, fieldErrors, MAX_FIELD_ERRORS } from '../frontdoor/submit-request';
import { containsPan } from '../pan';
import { STATEMENT_DEFAULT_LIMIT, STATEMENT_MAX_LIMIT } from './contract';
import { invalidWalletRequest } from './open-request';

/** The statement's query parameters: an ISO-8601 window (from and to inclusive), a page size, a cursor. */
export const StatementQueryFields = {
  from: IsoDateTime.optional(),
  to: IsoDateTime.optional(),
  limit: z.coerce
    .number()
    .int('limit must be an integer')
    .min(1, 'limit must be at least 1')
    .max(STATEMENT_MAX_LIMIT, `limit must be at most ${STATEMENT_MAX_LIMIT}`)
    .default(STATEMENT_DEFAULT_LIMIT),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,2048}$/, 'cursor must be a nextCursor from an earlier page')
    .optional(),
};

export const StatementQuerySchema = z
  .strictObject(StatementQueryFields)
  .transform((query) => ({
    ...query,
    ...(query.from && { from: new Date(query.from).toISOString() }),
    ...(query.to && { to: new Date(query.to).toISOString() }),
  }))
  .refine((query) => !query.from || !query.to || query.from < query.to, {
    message: 'from must be before to',
    path: ['from'],
  });
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
