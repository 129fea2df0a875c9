import '../../../core/config/zod-locale';
import * as z from 'zod/mini';
import { UsageError } from '../../errors';
import type { ConsoleMeta } from '../api-types';

/**
 * The console's JSON API as route tables: a route's key (method, resource,
 * `:id`, action) names the function that parses the request, calls the data
 * function and answers. One table per access (./read.ts, ./act.ts, as
 * core/config/console.ts's consoleRouteAccess splits them), so each hosted
 * function bundles only its own routes and data functions; the loopback
 * server serves both (./index.ts).
 */

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface RouteRequest<D> {
  readonly url: URL;
  /** The path's second segment (a paymentId, walletId, queue, event id), '' when absent. */
  readonly id: string;
  /** The parsed JSON body of a POST. */
  readonly body?: unknown;
  readonly data: D;
  readonly meta: ConsoleMeta;
}

export type Route<D> = (request: RouteRequest<D>) => Promise<ApiAnswer> | ApiAnswer;
/** Routes by key: `GET payments`, `GET payments :id`, `POST payments :id resolve`, `GET sagas failed`. */
export type RouteTable<D> = Readonly<Record<string, Route<D>>>;

export interface ApiRequest<D> {
  readonly method: string;
  readonly url: URL;
  /** The parsed JSON body of a POST. */
  readonly body?: unknown;
  readonly data: D;
  readonly meta: ConsoleMeta;
}

export const Day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is yyyy-mm-dd'));
export const Decimal = z.string().check(z.regex(/^\d+(\.\d+)?$/, 'an amount is a decimal number like 12.50'));
export const blankToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value);

export function parse<T>(schema: z.ZodMiniType<T>, url: URL): T {
  const result = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
    throw new UsageError(`bad query: ${problems.join('; ')}`);
  }
  return result.data;
}

export const ok = (body: unknown): ApiAnswer => ({ status: 200, body });
export const notFound = (what: string): ApiAnswer => ({ status: 404, body: { error: what } });

/** The key of the route a request asks for (see RouteTable) and the path's id. */
export function routeOf(method: string, url: URL): { key: string; id: string } {
  const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const [resource, id, action] = parts;
  // `sagas/failed` is a list, not a paymentId.
  const literal = resource === 'sagas' && id === 'failed' && action === undefined;
  const key = literal
    ? `${method} sagas failed`
    : `${method} ${resource ?? ''}${id === undefined ? '' : ' :id'}${action === undefined ? '' : ` ${action}`}`;
  return { key, id: literal ? '' : (id ?? '') };
}

/** Answers a request from `routes`: 404 for a route the table does not hold. */
export async function routeApi<D>(
  routes: RouteTable<D>,
  { method, url, body, data, meta }: ApiRequest<D>,
): Promise<ApiAnswer> {
  const { key, id } = routeOf(method, url);
  const route = Object.hasOwn(routes, key) ? routes[key] : undefined;
  if (!route) return notFound(`no API route ${method} ${url.pathname}`);
  return route({ url, id, body, data, meta });
}
