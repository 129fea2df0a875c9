import { type ConsoleAccess, groupsAllowed } from '../../core/config/console';
import { CliError, UsageError } from '../errors';
import type { OpsDeps } from '../ops/deps';
import type { ConsoleMeta } from './api-types';
import { actorOf, authorize, ForbiddenError, type Person, UnauthenticatedError } from './auth/person';
import type { TokenVerifier } from './auth/verifier';
import type { ConsoleData } from './data/port';
import { type ApiAnswer, type RouteTable, routeApi } from './routes/table';

/**
 * The console's JSON API, once for both hosts: the loopback server
 * (cli/console/server.ts) and the hosted Lambdas (functions/commons/console-lambda.ts)
 * adapt their requests to this and send back its answer. Unauthenticated
 * (loopback, the caller's own AWS identity), or for people: the bearer token
 * verified, the route's group checked (core/config/console.ts), and the data
 * functions acting as the person, so audit records name them.
 */

export interface PeopleAuth<D = ConsoleData> {
  readonly verify: TokenVerifier;
  /** The data functions over a context whose identity is the person (audit records name them). */
  dataFor(person: Person, actor: string): D;
}

/**
 * One hosted function's API: its access's routes (cli/console/routes/read.ts, act.ts) and the data
 * functions they call, so its bundle holds nothing of the other access's.
 */
export interface ConsoleAccessApi<D> {
  readonly access: ConsoleAccess;
  readonly routes: RouteTable<D>;
  readonly data: (deps: OpsDeps) => D;
}

export interface ConsoleApiOptions<D = ConsoleData> {
  readonly meta: ConsoleMeta;
  /** The routes served: every route (cli/console/routes/index.ts, the loopback server) or one access's. */
  readonly routes: RouteTable<D>;
  /** The caller's own context (payctl console): no sign-in. Ignored when `people` is set. */
  readonly data?: D;
  readonly people?: PeopleAuth<D>;
  /** Where 500s are reported (their detail is not sent to a signed-in browser). */
  readonly onError?: (message: string) => void;
}

export interface ConsoleApiRequest {
  readonly method: string;
  readonly url: URL;
  readonly authorization?: string;
  /** The parsed JSON body of a POST. */
  readonly body?: unknown;
}

/** A person may act when one of their groups may POST; the app hides the actions otherwise. */
const mayAct = (person: Person) => person.groups.some((group) => groupsAllowed('POST').includes(group));

/** The HTTP status of a failure: what the caller did wrong (4xx) or what broke (500). */
export function errorStatus(error: unknown): number {
  if (error instanceof UnauthenticatedError) return 401;
  if (error instanceof ForbiddenError) return 403;
  // InvalidPeriodError: finance's period check (from after to, longer than a year, not a date).
  if (error instanceof UsageError || (error instanceof Error && error.name === 'InvalidPeriodError'))
    return 400;
  // A malformed %-escape in the path.
  if (error instanceof URIError) return 400;
  if (error instanceof CliError) return 409;
  return 500;
}

async function answer<D>(options: ConsoleApiOptions<D>, request: ConsoleApiRequest): Promise<ApiAnswer> {
  const { people } = options;
  if (!people) {
    if (!options.data) throw new Error('the console API has neither data nor people auth');
    return routeApi(options.routes, { ...request, data: options.data, meta: options.meta });
  }
  const person = await people.verify(request.authorization);
  authorize(person, request.method, request.url.pathname);
  return routeApi(options.routes, {
    ...request,
    data: people.dataFor(person, actorOf(person)),
    meta: { ...options.meta, allowActions: mayAct(person) },
  });
}

/** Answers one API request; every failure becomes an error answer ({ error }), never a throw. */
export async function handleConsoleApi<D>(
  options: ConsoleApiOptions<D>,
  request: ConsoleApiRequest,
): Promise<ApiAnswer> {
  try {
    return await answer(options, request);
  } catch (error) {
    const status = errorStatus(error);
    const message = error instanceof Error ? error.message : String(error);
    if (status !== 500) return { status, body: { error: message } };
    const detail = `${error instanceof Error ? error.name : 'Error'}: ${message}`;
    options.onError?.(`${request.method} ${request.url.pathname} failed: ${detail}`);
    // The loopback console shows its own user what broke; a signed-in browser gets no internals.
    return { status, body: { error: options.people ? 'internal error: see the console API logs' : detail } };
  }
}
