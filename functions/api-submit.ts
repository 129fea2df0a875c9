import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { required } from '../core/config/env';
import { API } from '../core/config/names';
import { ApiRequestStore } from '../core/frontdoor/api-request-store';
import { eventBridgePublisher } from '../core/frontdoor/outbox-publish';
import { type SubmitDeps, submitPayment } from '../core/frontdoor/submit';
import { PaymentRunLookup } from '../core/payments/archive';
import { WalletOwnerStore } from '../core/wallets/owner-store';
import { answer, bodyOf, callerOf, headerOf } from './commons/api-gateway';
import { documentClient } from './commons/clients/dynamodb';
import { eventBridge } from './commons/clients/eventbridge';
import { env } from './commons/env';
import { logger } from './commons/logger';

const runs = new PaymentRunLookup(documentClient, required(env, 'paymentsTable'));
const owners = new WalletOwnerStore(documentClient, required(env, 'paymentsTable'));

const deps: SubmitDeps = {
  requests: new ApiRequestStore(documentClient, required(env, 'paymentsTable')),
  // Its record, or the archive pointer that outlives it: a paymentId that ever ran is in use for life.
  paymentExists: (paymentId) => runs.everRan(paymentId),
  publish: eventBridgePublisher(eventBridge, required(env, 'eventBusName')),
  now: () => new Date(),
  logError: (message, details) => logger.error(message, { ...details }),
  walletOwner: async (walletId) => (await owners.getOwner(walletId))?.clientId,
};

/**
 * POST /v1/payments: the front door for upstream systems that cannot call
 * PutEvents. Validates with intake's schema, records the request for
 * idempotency and ownership, and puts PaymentRequested on the bus under the
 * caller's own source (the outbox, publish-outbox, covers a crash or a failure
 * between the record and the publish).
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) =>
    answer(async () => {
      const caller = callerOf(event, API.routes.submitPayment.scope);
      if ('response' in caller) return caller.response;
      logger.appendKeys({ clientId: caller.client.clientId });
      return submitPayment(deps, caller.client, {
        idempotencyKey: headerOf(event, API.idempotencyHeader),
        body: bodyOf(event),
      });
    }),
  );
