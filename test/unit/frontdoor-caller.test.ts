import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiScope } from '../../core/config/names';

type CallerOf = typeof import('../../functions/commons/api-gateway').callerOf;
let callerOf: CallerOf;

beforeAll(async () => {
  // The handlers read their clients from API_CLIENTS once, at cold start.
  process.env.API_CLIENTS = JSON.stringify([
    { clientId: 'acme-app', source: 'partner.acme', apiKeyId: 'key-acme' },
    { clientId: 'globex-app', source: 'partner.globex', apiKeyId: 'key-globex' },
  ]);
  ({ callerOf } = await import('../../functions/commons/api-gateway'));
});

const event = (claims: Record<string, string> | undefined, apiKeyId: string | null): APIGatewayProxyEvent =>
  ({
    requestContext: { authorizer: claims ? { claims } : null, identity: { apiKeyId } },
  }) as unknown as APIGatewayProxyEvent;
const statusOf = (caller: ReturnType<CallerOf>) => ('response' in caller ? caller.response.statusCode : 200);

describe('callerOf (the handlers check the authorizer again)', () => {
  it('lets a known client with the scope and its own API key through', () => {
    // Act
    const caller = callerOf(event({ client_id: 'acme-app', scope: apiScope('write') }, 'key-acme'), 'write');

    // Assess
    expect('client' in caller && caller.client.source).toBe('partner.acme');
  });

  it.each([
    ['no claims', undefined, 'key-acme', 'write', 401],
    ['an unknown app client', { client_id: 'mallory', scope: apiScope('write') }, 'key-acme', 'write', 403],
    [
      'a token without the scope',
      { client_id: 'acme-app', scope: apiScope('read') },
      'key-acme',
      'write',
      403,
    ],
    [
      "another client's API key",
      { client_id: 'acme-app', scope: apiScope('write') },
      'key-globex',
      'write',
      403,
    ],
    ['no API key id', { client_id: 'acme-app', scope: apiScope('read') }, null, 'read', 403],
  ] as const)('refuses %s', (_, claims, apiKeyId, scope, status) => {
    // Act
    const caller = callerOf(event(claims, apiKeyId), scope);

    // Assess
    expect(statusOf(caller)).toBe(status);
  });
});
