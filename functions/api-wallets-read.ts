import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { required } from '../core/config/env';
import { API } from '../core/config/names';
import { problem } from '../core/frontdoor/http';
import { LedgerReader } from '../core/ledger';
import { WalletOwnerStore } from '../core/wallets/owner-store';
import { getStatement, type StatementDeps } from '../core/wallets/statement';
import { getWallet } from '../core/wallets/view';
import { answer, callerOf } from './commons/api-gateway';
import { documentClient } from './commons/clients/dynamodb';
import { env } from './commons/env';
import { logger } from './commons/logger';

const reader = new LedgerReader(documentClient, required(env, 'ledgerTable'));

const deps: StatementDeps = {
  owners: new WalletOwnerStore(documentClient, required(env, 'paymentsTable')),
  ledger: reader,
  statements: reader,
  now: () => new Date(),
};

/** GET /v1/wallets/{walletId} and GET /v1/wallets/{walletId}/transactions: the caller's own wallets. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) =>
    answer(async () => {
      const route = Object.values(API.routes).find(
        (r) => r.function === 'apiWalletsRead' && r.path === event.resource,
      );
      if (!route) return problem(404, 'no_such_route', 'Not found', 'no such route');
      const caller = callerOf(event, route.scope);
      if ('response' in caller) return caller.response;
      logger.appendKeys({ clientId: caller.client.clientId });
      const walletId = event.pathParameters?.walletId ?? '';
      if (route === API.routes.walletStatement) {
        return getStatement(deps, caller.client, walletId, event.queryStringParameters);
      }
      return getWallet(deps, caller.client, walletId);
    }),
  );
