import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PutEventsCommand } from '../core/aws/eventbridge';
import { required } from '../core/config/env';
import { API } from '../core/config/names';
import { PublishFailedError, PublishRefusedError, publishErrorOf } from '../core/frontdoor/outbox-publish';
import { ownedWallet } from '../core/topups/owned-wallet';
import { submitTopUp, type TopUpSubmitDeps } from '../core/topups/submit';
import { WalletOwnerStore } from '../core/wallets/owner-store';
import { DETAIL_TYPES } from '../events/envelope';
import { answer, bodyOf, callerOf, headerOf } from './commons/api-gateway';
import { documentClient } from './commons/clients/dynamodb';
import { eventBridge } from './commons/clients/eventbridge';
import { env } from './commons/env';
import { logger } from './commons/logger';
import { topUpStore } from './commons/topup-deps';

const eventBusName = required(env, 'eventBusName');

const deps: TopUpSubmitDeps = {
  topUps: topUpStore(),
  ownedWallet: ownedWallet(new WalletOwnerStore(documentClient, required(env, 'paymentsTable'))),
  publish: async (source, detail) => {
    const result = await eventBridge
      .send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: eventBusName,
              Source: source,
              DetailType: DETAIL_TYPES.topUpRequested,
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

/**
 * POST /v1/wallets/{walletId}/top-ups: validates, records the request for
 * idempotency and ownership, and puts TopUpRequested on the bus under the
 * caller's own source; the top-up intake starts the top-up saga.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) =>
    answer(async () => {
      const caller = callerOf(event, API.routes.topUpWallet.scope);
      if ('response' in caller) return caller.response;
      logger.appendKeys({ clientId: caller.client.clientId });
      return submitTopUp(deps, caller.client, {
        idempotencyKey: headerOf(event, API.idempotencyHeader),
        walletId: event.pathParameters?.walletId,
        body: bodyOf(event),
      });
    }),
  );
