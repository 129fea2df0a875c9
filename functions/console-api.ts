import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { peopleAuth } from '../cli/console/auth/people';
import { cognitoIssuer, cognitoKeys, tokenVerifier } from '../cli/console/auth/verifier';
import { type ConsoleApiOptions, handleConsoleApi } from '../cli/console/handle-api';
import { createContext } from '../cli/context';
import { createOutput } from '../cli/output';
import {
  CONSOLE_CONFIG_FILE,
  CONSOLE_ENV,
  CONSOLE_ROUTE_ACCESS,
  type ConsoleAccess,
  type ConsoleHostedConfig,
} from '../core/config/console';
import { CURRENCIES } from '../core/money';
import { PAYMENT_STATUSES } from '../core/payments/records';
import { env } from './commons/env';
import { logger } from './commons/powertools';

/**
 * The hosted console's JSON API (GET or POST /api/...), behind API Gateway's
 * Cognito authorizer: the same pipeline and data functions as `payctl console`
 * (cli/console/handle-api.ts), the token verified again here with the pool's
 * keys, the group checked per route, audit records naming the person.
 */

const setting = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const access = setting(CONSOLE_ENV.access) as ConsoleAccess;
/** What the app reads before sign-in (GET /console-config.json, the one method without the authorizer). */
const hosted: ConsoleHostedConfig = {
  authority: setting(CONSOLE_ENV.authority),
  clientId: setting(CONSOLE_ENV.clientId),
  scopes: 'openid',
};
const issuer = cognitoIssuer(setting('AWS_REGION'), setting(CONSOLE_ENV.userPoolId));
const context = createContext(
  { stage: env.stage },
  { out: createOutput({ json: true, stdout: () => {}, stderr: () => {} }) },
);
const options: ConsoleApiOptions = {
  meta: {
    stage: env.stage,
    local: false,
    allowActions: false,
    statuses: PAYMENT_STATUSES,
    currencies: CURRENCIES,
  },
  people: peopleAuth(
    context,
    tokenVerifier({ issuer, clientId: setting(CONSOLE_ENV.clientId), keys: cognitoKeys(issuer) }),
  ),
  onError: (message) => logger.error(message),
};

function bodyOf(event: APIGatewayProxyEvent): unknown {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return JSON.parse(text) as unknown;
}

const reply = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    if (event.httpMethod === 'GET' && event.path === `/${CONSOLE_CONFIG_FILE}`) return reply(200, hosted);
    // API Gateway sends reads to one function and actions to the other; anything else is refused here too.
    if (CONSOLE_ROUTE_ACCESS[event.httpMethod] !== access)
      return reply(405, { error: `this function serves ${access} routes only` });
    const url = new URL(`https://console.invalid${event.path}`);
    for (const [key, values] of Object.entries(event.multiValueQueryStringParameters ?? {}))
      for (const value of values ?? []) url.searchParams.append(key, value);
    let body: unknown;
    try {
      body = event.httpMethod === 'POST' ? bodyOf(event) : undefined;
    } catch {
      return reply(400, { error: 'the action body is not JSON' });
    }
    const authorization = event.headers.Authorization ?? event.headers.authorization;
    const answer = await handleConsoleApi(options, {
      method: event.httpMethod,
      url,
      body,
      ...(authorization !== undefined && { authorization }),
    });
    return reply(answer.status, answer.body);
  });
