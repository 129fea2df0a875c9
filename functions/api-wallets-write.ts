import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { required } from '../core/config/env';
import { API } from '../core/config/names';
import { opContext, openWallet as openLedgerWallet } from '../core/ledger/operations';
import { walletOf } from '../core/ledger/reads';
import { type OpenWalletDeps, openWallet } from '../core/wallets/open';
import { WalletOwnerStore } from '../core/wallets/owner-store';
import { answer, bodyOf, callerOf, headerOf } from './commons/api-gateway';
import { documentClient } from './commons/clients/dynamodb';
import { env } from './commons/env';
import { logger } from './commons/logger';

const ledgerTable = required(env, 'ledgerTable');
const table = { doc: documentClient, tableName: ledgerTable };
const ledger = opContext(table);

const deps: OpenWalletDeps = {
  owners: new WalletOwnerStore(documentClient, required(env, 'paymentsTable')),
  ledger: {
    openWallet: (walletId, currency) => openLedgerWallet(ledger, walletId, currency),
    getWallet: (walletId) => walletOf(table, walletId),
  },
  now: () => new Date(),
};

/** POST /v1/wallets: opens a wallet for the calling client (idempotent by Idempotency-Key). */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) =>
    answer(async () => {
      const caller = callerOf(event, API.routes.openWallet.scope);
      if ('response' in caller) return caller.response;
      logger.appendKeys({ clientId: caller.client.clientId });
      return openWallet(deps, caller.client, {
        idempotencyKey: headerOf(event, API.idempotencyHeader),
        body: bodyOf(event),
      });
    }),
  );
