import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { required } from '../core/config/env';
import { API } from '../core/config/names';
import { ownedWallet } from '../core/topups/owned-wallet';
import { getTopUpStatus, type TopUpStatusDeps } from '../core/topups/status';
import { WalletOwnerStore } from '../core/wallets/owner-store';
import { answer, callerOf } from './commons/api-gateway';
import { documentClient } from './commons/clients/dynamodb';
import { env } from './commons/env';
import { logger } from './commons/logger';
import { topUpStore } from './commons/topup-deps';

const deps: TopUpStatusDeps = {
  topUps: topUpStore(),
  ownedWallet: ownedWallet(new WalletOwnerStore(documentClient, required(env, 'paymentsTable'))),
};

/** GET /v1/wallets/{walletId}/top-ups/{topUpId}: a top-up of a wallet the caller opened. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) =>
    answer(async () => {
      const caller = callerOf(event, API.routes.getTopUp.scope);
      if ('response' in caller) return caller.response;
      logger.appendKeys({ clientId: caller.client.clientId });
      return getTopUpStatus(
        deps,
        caller.client,
        event.pathParameters?.walletId ?? '',
        event.pathParameters?.topUpId ?? '',
      );
    }),
  );
