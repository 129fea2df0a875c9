import '../../../core/config/zod-locale';
import * as z from 'zod/mini';
import { CONSOLE_GROUP_NAMES, type ConsoleGroup, groupsAllowed } from '../../../core/config/console';

/**
 * A person signed in to the console: who they are in the people's user pool
 * (Cognito `sub` and username) and the groups they are in. Audit records name
 * the person, never a role.
 */
export interface Person {
  readonly sub: string;
  readonly username: string;
  readonly groups: readonly ConsoleGroup[];
}

/** Missing or invalid credentials: 401, sign in again. */
export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
}

/** Signed in, but not in a group that may use the route: 403. */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/** The claims of a Cognito ID token the console relies on (cognito:groups is absent when in no group). */
const PersonClaims = z.object({
  sub: z.string().check(z.minLength(1), z.maxLength(128)),
  'cognito:username': z.string().check(z.minLength(1), z.maxLength(128)),
  'cognito:groups': z.optional(z.array(z.string())),
  token_use: z.literal('id'),
});

/** The person a verified token (or API Gateway's authorizer claims) names; unknown groups are ignored. */
export function personOf(claims: unknown): Person {
  const parsed = PersonClaims.safeParse(claims);
  if (!parsed.success) {
    throw new UnauthenticatedError(
      `the token is not a console ID token: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`,
    );
  }
  const known = new Set<string>(CONSOLE_GROUP_NAMES);
  return {
    sub: parsed.data.sub,
    username: parsed.data['cognito:username'],
    groups: (parsed.data['cognito:groups'] ?? []).filter((g): g is ConsoleGroup => known.has(g)),
  };
}

/** The audit records' actor: the person by username and Cognito sub. */
export function actorOf(person: Person): string {
  return `cognito:${person.username} (sub ${person.sub})`;
}

/** Refuses a route the person's groups do not allow (core/config/console.ts holds the rules). */
export function authorize(person: Person, method: string, path: string): void {
  const allowed = groupsAllowed(method, path);
  if (person.groups.some((group) => allowed.includes(group))) return;
  const needs = allowed.length === 0 ? 'no group may' : `only ${allowed.join(' or ')} may`;
  throw new ForbiddenError(
    `${person.username} (${person.groups.join(', ') || 'no group'}) may not ${method} ${path}: ${needs}`,
  );
}
