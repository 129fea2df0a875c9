import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  OAuthScope,
  ResourceServerScope,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { API } from '../core/config/names';
import type { ApiClientConfig } from './stage-config';

export interface ApiAuthOptions {
  readonly userPoolName: string;
  readonly domainPrefix: string;
  readonly clients: readonly ApiClientConfig[];
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
}

export interface ApiAuth {
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;
  /** One app client per configured API client, by its name. */
  readonly appClients: ReadonlyMap<string, UserPoolClient>;
  /** Where a client exchanges its id and secret for an access token (OAuth 2.0 client credentials). */
  readonly tokenEndpoint: string;
}

/** How long an access token is good for: a leaked token is useful for at most this long. */
export const ACCESS_TOKEN_VALIDITY = Duration.hours(1);

export const pascal = (name: string): string =>
  name
    .split(/[^a-zA-Z0-9]/)
    .filter(Boolean)
    .map((part) => `${part.charAt(0).toUpperCase()}${part.slice(1)}`)
    .join('');

/**
 * Who may call the API: a Cognito user pool with no users (no sign-up, no
 * password sign-in), only machine clients. Its resource server defines the
 * API's scopes; each configured client is an app client with a secret
 * that may use the client-credentials grant for the scopes it is configured with.
 */
export function apiAuth(scope: Construct, options: ApiAuthOptions): ApiAuth {
  const userPool = new UserPool(scope, 'ApiUserPool', {
    userPoolName: options.userPoolName,
    selfSignUpEnabled: false,
    // No user ever signs in; a strong policy all the same, should someone add one by hand.
    passwordPolicy: {
      minLength: 14,
      requireLowercase: true,
      requireUppercase: true,
      requireDigits: true,
      requireSymbols: true,
    },
    deletionProtection: options.deletionProtection,
    removalPolicy: options.removalPolicy,
  });
  NagSuppressions.addResourceSuppressions(userPool, [
    {
      id: 'AwsSolutions-COG2',
      reason:
        'The pool has no users: only machine clients using the client-credentials grant, where MFA does not apply (the secret is the factor)',
    },
    {
      id: 'AwsSolutions-COG3',
      reason:
        'Threat protection (advanced security) scores user sign-ins; client-credentials token requests of machine clients are not evaluated by it',
    },
  ]);

  const scopes = {
    write: new ResourceServerScope({ scopeName: API.scopes.write, scopeDescription: 'Submit payments' }),
    read: new ResourceServerScope({
      scopeName: API.scopes.read,
      scopeDescription: 'Read payments it submitted',
    }),
    walletsWrite: new ResourceServerScope({
      scopeName: API.scopes.walletsWrite,
      scopeDescription: 'Open wallets',
    }),
    walletsRead: new ResourceServerScope({
      scopeName: API.scopes.walletsRead,
      scopeDescription: 'Read the balances and statements of wallets it opened',
    }),
    webhooksWrite: new ResourceServerScope({
      scopeName: API.scopes.webhooksWrite,
      scopeDescription: 'Register, rotate and delete its webhook endpoints',
    }),
    webhooksRead: new ResourceServerScope({
      scopeName: API.scopes.webhooksRead,
      scopeDescription: 'Read its webhook endpoints',
    }),
  } satisfies Record<keyof typeof API.scopes, ResourceServerScope>;
  const resourceServer = userPool.addResourceServer('ApiResourceServer', {
    identifier: API.resourceServer,
    userPoolResourceServerName: API.resourceServer,
    scopes: Object.values(scopes),
  });

  const domain = userPool.addDomain('ApiAuthDomain', {
    cognitoDomain: { domainPrefix: options.domainPrefix },
  });

  const appClients = new Map<string, UserPoolClient>();
  for (const client of options.clients) {
    const appClient = userPool.addClient(`${pascal(client.name)}AppClient`, {
      userPoolClientName: client.name,
      generateSecret: true,
      // No user flows at all: the client-credentials grant is the only way in.
      authFlows: {
        user: false,
        userPassword: false,
        userSrp: false,
        custom: false,
        adminUserPassword: false,
      },
      oAuth: {
        flows: { clientCredentials: true },
        scopes: client.scopes.map((name) => OAuthScope.resourceServer(resourceServer, scopes[name])),
      },
      accessTokenValidity: ACCESS_TOKEN_VALIDITY,
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
    appClients.set(client.name, appClient);
  }

  return { userPool, domain, appClients, tokenEndpoint: `${domain.baseUrl()}/oauth2/token` };
}
