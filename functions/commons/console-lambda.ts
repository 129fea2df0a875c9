import '../../core/config/zod-locale';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { peopleAuth } from '../../cli/console/auth/people';
import { cognitoIssuer, cognitoKeys, tokenVerifier } from '../../cli/console/auth/verifier';
import type { ConsoleAccessApi } from '../../cli/console/handle-api';
import { CONSOLE_ENV } from '../../core/config/console';
import { CURRENCIES } from '../../core/money';
import { PAYMENT_STATUSES } from '../../core/payments/records';
import { consoleApiAdapter } from './console-adapter';
import { consoleLambdaContext } from './console-context';
import { env } from './env';
import { logger } from './logger';

/**
 * The hosted console's JSON API (GET or POST /api/...), behind API Gateway's
 * Cognito authorizer: the same pipeline and data functions as `payctl console`
 * (cli/console/handle-api.ts, adapted in ./console-adapter.ts), the token
 * verified again here with the pool's keys, the group checked per route,
 * audit records naming the person. One entry per access
 * (functions/console-api-read.ts, -act.ts: core/config/console.ts
 * CONSOLE_FUNCTIONS), each bundling only its own routes and data functions.
 */

const setting = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

export function consoleApiHandler<D>(api: ConsoleAccessApi<D>) {
  // The stack tells each function its access: an entry deployed as the other function fails at init.
  const access = setting(CONSOLE_ENV.access);
  if (access !== api.access) {
    throw new Error(`${CONSOLE_ENV.access} is ${access}: this function serves ${api.access} routes only`);
  }
  const clientId = setting(CONSOLE_ENV.clientId);
  const issuer = cognitoIssuer(setting('AWS_REGION'), setting(CONSOLE_ENV.userPoolId));
  // The lean clients of core/aws, never the AWS SDK's (./console-context.ts).
  const context = consoleLambdaContext(env.stage);
  const verify = tokenVerifier({ issuer, clientId, keys: cognitoKeys(issuer) });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(context.middleware)
    .handler(
      consoleApiAdapter({
        access: api.access,
        hosted: { authority: setting(CONSOLE_ENV.authority), clientId, scopes: 'openid' },
        api: {
          meta: {
            stage: env.stage,
            local: false,
            allowActions: false,
            statuses: PAYMENT_STATUSES,
            currencies: CURRENCIES,
          },
          routes: api.routes,
          people: peopleAuth(context.deps, verify, api.data),
          onError: (message) => logger.error(message),
        },
      }),
    );
}
