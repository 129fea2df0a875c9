import '../core/config/zod-locale';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import { peopleAuth } from '../cli/console/auth/people';
import { cognitoIssuer, cognitoKeys, tokenVerifier } from '../cli/console/auth/verifier';
import { CONSOLE_ENV } from '../core/config/console';
import { CURRENCIES } from '../core/money';
import { PAYMENT_STATUSES } from '../core/payments/records';
import { consoleApiAdapter } from './commons/console-adapter';
import { consoleLambdaContext } from './commons/console-context';
import { env } from './commons/env';
import { logger } from './commons/logger';

/**
 * The hosted console's JSON API (GET or POST /api/...), behind API Gateway's
 * Cognito authorizer: the same pipeline and data functions as `payctl console`
 * (cli/console/handle-api.ts, adapted in functions/commons/console-adapter.ts),
 * the token verified again here with the pool's keys, the group checked per
 * route, audit records naming the person.
 */

const setting = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
/** Which routes this function serves (the stack sets it per function). */
const ConsoleAccessSetting = z.enum(['read', 'act']);
const clientId = setting(CONSOLE_ENV.clientId);
const issuer = cognitoIssuer(setting('AWS_REGION'), setting(CONSOLE_ENV.userPoolId));
// The lean clients of core/aws, never the AWS SDK's (functions/commons/console-context.ts).
const context = consoleLambdaContext(env.stage);

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(context.middleware)
  .handler(
    consoleApiAdapter({
      access: ConsoleAccessSetting.parse(setting(CONSOLE_ENV.access)),
      hosted: { authority: setting(CONSOLE_ENV.authority), clientId, scopes: 'openid' },
      api: {
        meta: {
          stage: env.stage,
          local: false,
          allowActions: false,
          statuses: PAYMENT_STATUSES,
          currencies: CURRENCIES,
        },
        people: peopleAuth(context.deps, tokenVerifier({ issuer, clientId, keys: cognitoKeys(issuer) })),
        onError: (message) => logger.error(message),
      },
    }),
  );
