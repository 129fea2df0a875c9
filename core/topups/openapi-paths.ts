import { WalletId } from '../../events/common';
import { TopUpId } from '../../events/top-ups.v1';
import { API } from '../config/names';
import { TopUpAcceptedResponse, TopUpBody, TopUpStatusResponse } from '../frontdoor/contract';
import type { OpenApiParts } from '../wallets/openapi-paths';

/** The top-up routes' part of the OpenAPI document (core/frontdoor/openapi.ts lends the parts). */
export function topUpPaths(parts: OpenApiParts): Record<string, unknown> {
  const { topUpWallet, getTopUp } = API.routes;
  const walletId = { name: 'walletId', in: 'path', required: true, schema: parts.schema(WalletId) };
  return {
    [topUpWallet.path]: {
      [topUpWallet.method.toLowerCase()]: {
        operationId: 'topUpWallet',
        summary:
          'Fund a wallet from a gateway payment method (charge, then credit; refunded if the credit fails)',
        security: parts.security(topUpWallet.scope),
        parameters: [
          walletId,
          {
            name: API.idempotencyHeader,
            in: 'header',
            required: true,
            description:
              'the topUpId: the saga execution name, the gateway key (topup:<topUpId>) and the deposit id',
            schema: parts.schema(TopUpId),
          },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: parts.ref('TopUpBody') } } },
        responses: {
          '202': {
            description: 'accepted and put on the event bus (or the same request again)',
            headers: {
              Location: { schema: { type: 'string' }, description: 'the status URL' },
              'Idempotent-Replayed': {
                schema: { type: 'string', enum: ['true'] },
                description: 'set when this answers a repeat of an earlier request',
              },
            },
            content: { 'application/json': { schema: parts.ref('TopUpAcceptedResponse') } },
          },
          '400': parts.problemResponse(
            "invalid request: field-level errors in `errors` (an amount not in the wallet's currency too), or card data refused",
          ),
          ...parts.commonErrors,
          '404': parts.problemResponse('no such wallet opened by this client'),
          '409': parts.problemResponse('the key was used with another body, or names another top-up'),
          '413': parts.problemResponse('body too large'),
          '500': parts.problemResponse('recorded, but the event bus refused it: the operator has to act'),
          '503': parts.problemResponse('recorded but not yet on the bus: retry with the same key'),
        },
      },
    },
    [getTopUp.path]: {
      [getTopUp.method.toLowerCase()]: {
        operationId: 'getTopUp',
        summary: "A top-up's status, amount and failure reason (no gateway ids)",
        security: parts.security(getTopUp.scope),
        parameters: [
          walletId,
          { name: 'topUpId', in: 'path', required: true, schema: parts.schema(TopUpId) },
        ],
        responses: {
          '200': {
            description: 'the top-up',
            content: { 'application/json': { schema: parts.ref('TopUpStatusResponse') } },
          },
          ...parts.commonErrors,
          '404': parts.problemResponse('no such wallet opened by this client, or no such top-up of it'),
        },
      },
    },
  };
}

export function topUpSchemas(parts: Pick<OpenApiParts, 'schema'>): Record<string, unknown> {
  return {
    TopUpBody: parts.schema(TopUpBody),
    TopUpAcceptedResponse: parts.schema(TopUpAcceptedResponse),
    TopUpStatusResponse: parts.schema(TopUpStatusResponse),
  };
}
