import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { API } from '../core/config/names';
import { WEBHOOKS } from '../core/config/webhooks';
import type { ApiClient } from '../core/frontdoor/clients';
import { type HttpResponse, problem } from '../core/frontdoor/http';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  rotateSecret,
  type WebhookEndpointsDeps,
} from '../core/webhooks/endpoints';
import { answer, bodyOf, callerOf } from './commons/api-gateway';
import { env } from './commons/env';
import { logger } from './commons/logger';
import { secretCipher, timeScale, webhookEndpoints } from './commons/webhook-deps';

const deps: WebhookEndpointsDeps = {
  store: webhookEndpoints(),
  cipher: secretCipher(),
  mode: env.webhookUrlMode,
  now: () => new Date(),
  overlapSeconds: WEBHOOKS.secretOverlapSeconds * timeScale(),
};

type WebhookRoute =
  | typeof API.routes.createWebhookEndpoint
  | typeof API.routes.getWebhookEndpoint
  | typeof API.routes.deleteWebhookEndpoint
  | typeof API.routes.rotateWebhookSecret;

/** The route table: what each /v1/webhook-endpoints route does for the caller. */
const ROUTES: ReadonlyArray<
  readonly [WebhookRoute, (client: ApiClient, event: APIGatewayProxyEvent) => Promise<HttpResponse>]
> = [
  [API.routes.createWebhookEndpoint, (client, event) => createEndpoint(deps, client, bodyOf(event))],
  [API.routes.getWebhookEndpoint, (client, event) => getEndpoint(deps, client, endpointIdOf(event))],
  [API.routes.deleteWebhookEndpoint, (client, event) => deleteEndpoint(deps, client, endpointIdOf(event))],
  [API.routes.rotateWebhookSecret, (client, event) => rotateSecret(deps, client, endpointIdOf(event))],
];

const endpointIdOf = (event: APIGatewayProxyEvent): string => event.pathParameters?.endpointId ?? '';

/** /v1/webhook-endpoints: the caller's own endpoints; secrets are answered once and never logged. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) =>
    answer(async () => {
      const entry = ROUTES.find(
        ([route]) => route.path === event.resource && route.method === event.httpMethod,
      );
      if (!entry) return problem(404, 'no_such_route', 'Not found', 'no such route');
      const [route, run] = entry;
      const caller = callerOf(event, route.scope);
      if ('response' in caller) return caller.response;
      logger.appendKeys({ clientId: caller.client.clientId });
      return run(caller.client, event);
    }),
  );
