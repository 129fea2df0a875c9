import { groupsAllowed } from '../../core/config/console';
import { CliError, UsageError } from '../errors';
import type { ConsoleMeta } from './api-types';
import { actorOf, authorize, ForbiddenError, type Person, UnauthenticatedError } from './auth/person';
import type { TokenVerifier } from './auth/verifier';
import type { ConsoleData } from './data/port';
import { type ApiAnswer, routeApi } from './routes';

/**
 * The console's JSON API, once for both hosts: the loopback server
 * (cli/console/server.ts) and the hosted Lambda (functions/console-api.ts)
 * adapt their requests to this and send back its answer. Unauthenticated
 * (loopback, the caller's own AWS identity), or for people: the bearer token
 * verified, the route's group checked (core/config/console.ts), and the data
 * functions acting as the person, so audit records name them.
 */

export interface PeopleAuth {
  readonly verify: TokenVerifier;
  /** The data functions over a context whose identity is the person (audit records name them). */
  dataFor(person: Person, actor: string): ConsoleData;
}

export interface ConsoleApiOptions {
  readonly meta: ConsoleMeta;
  /** The caller's own context (payctl console): no sign-in. Ignored when `people` is set. */
  readonly data?: ConsoleData;
  readonly people?: PeopleAuth;
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

async function answer(options: ConsoleApiOptions, request: ConsoleApiRequest): Promise<ApiAnswer> {
  const { people } = options;
  if (!people) {
    if (!options.data) throw new Error('the console API has neither data nor people auth');
    return routeApi({ ...request, data: options.data, meta: options.meta });
  }
  const person = await people.verify(request.authorization);
  authorize(person, request.method, request.url.pathname);
  return routeApi({
    ...request,
    data: people.dataFor(person, actorOf(person)),
    meta: { ...options.meta, allowActions: mayAct(person) },
  });
}

/** Answers one API request; every failure becomes an error answer ({ error }), never a throw. */
export async function handleConsoleApi(
  options: ConsoleApiOptions,
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
