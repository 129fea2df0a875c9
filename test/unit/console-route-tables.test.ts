import { describe, expect, it } from 'vitest';
import { ACT_ROUTES } from '../../cli/console/routes/act';
import { CONSOLE_ROUTES } from '../../cli/console/routes/index';
import { READ_ROUTES } from '../../cli/console/routes/read';
import { routeOf } from '../../cli/console/routes/table';
import { CONSOLE_API_PREFIX, type ConsoleAccess, consoleRouteAccess } from '../../core/config/console';

// The console's route table split by access (issue 18 goal 1): each hosted function bundles only its own
// access's table, so a route in the wrong table would be refused by the function API Gateway sends it to.
// Every key must be of its table's access as core/config/console.ts decides it (method, action plans).

const TABLES: ReadonlyArray<[ConsoleAccess, Readonly<Record<string, unknown>>]> = [
  ['read', READ_ROUTES],
  ['act', ACT_ROUTES],
];

/** A request path the key's route answers: `GET payments :id resolve` -> /api/payments/x_1/resolve. */
function requestOf(key: string): { method: string; path: string } {
  const [method = '', ...segments] = key.split(' ');
  const path = segments.map((segment) => (segment === ':id' ? 'x_1' : segment)).join('/');
  return { method, path: `${CONSOLE_API_PREFIX}/${path}` };
}

describe('the console route tables', () => {
  it.each(TABLES)('hold only %s routes', (access, routes) => {
    // Act
    const accesses = Object.keys(routes).map((key) => {
      const { method, path } = requestOf(key);
      return [key, consoleRouteAccess(method, path)];
    });

    // Assess
    expect(accesses.filter(([, found]) => found !== access)).toEqual([]);
  });

  it('answer every route once: the loopback table is both, no key in both', () => {
    // Act
    const shared = Object.keys(READ_ROUTES).filter((key) => Object.hasOwn(ACT_ROUTES, key));

    // Assess
    expect(shared).toEqual([]);
    expect(Object.keys(CONSOLE_ROUTES).sort()).toEqual(
      [...Object.keys(READ_ROUTES), ...Object.keys(ACT_ROUTES)].sort(),
    );
  });

  it('key a request as its table does (the sample paths reach their own key)', () => {
    // Act
    const keys = Object.keys(CONSOLE_ROUTES).map((key) => {
      const { method, path } = requestOf(key);
      return routeOf(method, new URL(`https://console.invalid${path}`)).key;
    });

    // Assess
    expect(keys).toEqual(Object.keys(CONSOLE_ROUTES));
  });
});
