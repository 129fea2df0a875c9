import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PutEventsCommand } from '../core/aws/eventbridge';
import { required } from '../core/config/env';
import { executionArnFor, refundExecutionName } from '../core/config/executions';
import { API } from '../core/config/names';
import { ApiRequestStore } from '../core/frontdoor/api-request-store';
import type { ApiClient } from '../core/frontdoor/clients';
import { type HttpResponse, problem } from '../core/frontdoor/http';
import { PublishFailedError, PublishRefusedError, publishErrorOf } from '../core/frontdoor/outbox-publish';
import { PaymentsRepository } from '../core/payments/repository';
import { type RefundSubmitDeps, submitRefund } from '../core/refunds/submit';
import { getRefundStatus } from '../core/refunds/view';
import { DETAIL_TYPES } from '../events/envelope';
import { answer, bodyOf, callerOf, headerOf } from './commons/api-gateway';
import { documentClient } from './commons/clients/dynamodb';
import { eventBridge } from './commons/clients/eventbridge';
import { env } from './commons/env';
import { logger } from './commons/logger';
import { refundStore } from './commons/refund-deps';

const eventBusName = required(env, 'eventBusName');
// Read when a refund is asked for, not at import: only the POST names an execution.
const stateMachineArn = (): string => required(env, 'refundStateMachineArn');

const deps: RefundSubmitDeps = {
  requests: new ApiRequestStore(documentClient, required(env, 'paymentsTable')),
  payments: new PaymentsRepository(documentClient, required(env, 'paymentsTable')),
  refunds: refundStore(),
  executionArnOf: (paymentId, refundId) =>
    executionArnFor(stateMachineArn(), refundExecutionName(paymentId, refundId)),
  publish: async (source, detail) => {
    const result = await eventBridge
      .send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: eventBusName,
              Source: source,
              DetailType: DETAIL_TYPES.refundRequested,
              Detail: detail,
            },
          ],
        }),
      )
      .catch((error: unknown) => {
        throw publishErrorOf(error);
      });
    const entry = result.Entries?.[0];
    if (result.FailedEntryCount || !entry?.EventId) {
      const code = entry?.ErrorCode ?? 'no event id';
      throw code === 'InternalFailure' || code === 'ThrottlingException' || !entry?.ErrorCode
        ? new PublishFailedError(`PutEvents failed the entry: ${code}`)
        : new PublishRefusedError(`PutEvents refused the entry: ${code}`);
    }
    return entry.EventId;
  },
  now: () => new Date(),
};

type Route = (typeof API.routes)['requestRefund' | 'getRefund'];
type RouteHandler = (event: APIGatewayProxyEvent, client: ApiClient) => Promise<HttpResponse>;

/** This function's routes, by method and API Gateway resource. */
const ROUTES: ReadonlyArray<readonly [Route, RouteHandler]> = [
  [
    API.routes.requestRefund,
    (event, client) =>
      submitRefund(deps, client, {
        idempotencyKey: headerOf(event, API.idempotencyHeader),
        paymentId: event.pathParameters?.paymentId ?? '',
        body: bodyOf(event),
      }),
  ],
  [
    API.routes.getRefund,
    (event, client) =>
      getRefundStatus(
        deps,
        client,
        event.pathParameters?.paymentId ?? '',
        event.pathParameters?.refundId ?? '',
      ),
  ],
];

/**
 * POST /v1/payments/{paymentId}/refunds (validates, records the request for
 * idempotency and puts RefundRequested on the bus under the caller's own
 * source; the refund intake starts the refund saga) and GET
 * .../refunds/{refundId} (the refund's status): the caller's own payments only.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) =>
    answer(async () => {
      const found = ROUTES.find(([r]) => r.path === event.resource && r.method === event.httpMethod);
      if (!found) return problem(404, 'no_such_route', 'Not found', 'no such route');
      const [route, run] = found;
      const caller = callerOf(event, route.scope);
      if ('response' in caller) return caller.response;
      logger.appendKeys({ clientId: caller.client.clientId });
      return run(event, caller.client);
    }),
  );
