import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { required } from '../core/config/env';
import { API } from '../core/config/names';
import { ApiRequestStore } from '../core/frontdoor/api-request-store';
import { json, problem } from '../core/frontdoor/http';
import { openApiDocument } from '../core/frontdoor/openapi';
import { getPaymentStatus, type PaymentStatusDeps } from '../core/frontdoor/payment-status';
import { PaymentsRepository } from '../core/payments/repository';
import { answer, callerOf } from './commons/api-gateway';
import { documentClient } from './commons/clients/dynamodb';
import { env } from './commons/env';
import { logger } from './commons/logger';
import { refundStore } from './commons/refund-deps';

const deps: PaymentStatusDeps = {
  requests: new ApiRequestStore(documentClient, required(env, 'paymentsTable')),
  payments: new PaymentsRepository(documentClient, required(env, 'paymentsTable')),
  refunds: refundStore(),
};

// Built on first request, not at cold start: only GET /v1/openapi.json needs it.
let openApi: ReturnType<typeof openApiDocument> | undefined;

/** GET /v1/payments/{paymentId} (the caller's own payments) and GET /v1/openapi.json. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) =>
    answer(async () => {
      const route = Object.values(API.routes).find(
        (r) => r.function === 'apiRead' && r.path === event.resource,
      );
      if (!route) return problem(404, 'no_such_route', 'Not found', 'no such route');
      const caller = callerOf(event, route.scope);
      if ('response' in caller) return caller.response;
      logger.appendKeys({ clientId: caller.client.clientId });
      if (route === API.routes.openApi) {
        openApi ??= openApiDocument();
        return json(200, openApi);
      }
      return getPaymentStatus(deps, caller.client, event.pathParameters?.paymentId ?? '');
    }),
  );
