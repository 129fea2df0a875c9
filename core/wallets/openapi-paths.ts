import '../config/zod-locale';
import type * as z from 'zod/mini';
import { WalletId } from '../../events/common';
import { API } from '../config/names';
import {
  OpenWalletBody,
  STATEMENT_MAX_LIMIT,
  StatementResponse,
  WalletIdempotencyKey,
  WalletOpenedResponse,
  WalletResponse,
} from './contract';
import { StatementQueryFields } from './statement-query';

/** What core/frontdoor/openapi.ts lends the wallet routes' part of the document. */
export interface OpenApiParts {
  readonly schema: (type: z.ZodMiniType) => Record<string, unknown>;
  readonly ref: (name: string) => Record<string, unknown>;
  readonly problemResponse: (description: string) => Record<string, unknown>;
  readonly commonErrors: Record<string, unknown>;
  readonly security: (scope: keyof typeof API.scopes) => unknown;
}

const walletIdParameter = (parts: OpenApiParts) => ({
  name: 'walletId',
  in: 'path',
  required: true,
  schema: parts.schema(WalletId),
});

const queryParameter = (
  parts: OpenApiParts,
  name: 'from' | 'to' | 'limit' | 'cursor',
  description: string,
) => {
  return {
    name,
    in: 'query',
    required: false,
    description,
    schema: parts.schema(StatementQueryFields[name]),
  };
};

/** The wallet routes' paths: POST /v1/wallets, GET /v1/wallets/{walletId}, GET .../transactions. */
export function walletPaths(parts: OpenApiParts): Record<string, unknown> {
  const { openWallet, getWallet, walletStatement } = API.routes;
  const notFound = parts.problemResponse(
    "no wallet with this id was opened by this client (another client's wallet answers the same)",
  );
  return {
    [openWallet.path]: {
      [openWallet.method.toLowerCase()]: {
        operationId: 'openWallet',
        summary: 'Open a wallet',
        description:
          'Opens an empty wallet in one currency, owned by the calling client: only it can read the wallet, top it up or pay from it.',
        security: parts.security(openWallet.scope),
        parameters: [
          {
            name: API.idempotencyHeader,
            in: 'header',
            required: true,
            description: 'repeat the request with the same key and body to get the same answer',
            schema: parts.schema(WalletIdempotencyKey),
          },
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: parts.ref('OpenWalletBody') } },
        },
        responses: {
          '201': {
            description: 'opened (or the same request again)',
            headers: {
              Location: { schema: { type: 'string' }, description: 'the wallet URL' },
              'Idempotent-Replayed': {
                schema: { type: 'string', enum: ['true'] },
                description: 'set when this answers a repeat of an earlier request',
              },
            },
            content: { 'application/json': { schema: parts.ref('WalletOpenedResponse') } },
          },
          '400': parts.problemResponse(
            'invalid request: field-level errors in `errors`, or card data refused',
          ),
          ...parts.commonErrors,
          '409': parts.problemResponse(
            'the key was used with another body, or the walletId names another wallet',
          ),
          '413': parts.problemResponse('body too large'),
        },
      },
    },
    [getWallet.path]: {
      [getWallet.method.toLowerCase()]: {
        operationId: 'getWallet',
        summary: "A wallet's available and held balance and its open holds",
        security: parts.security(getWallet.scope),
        parameters: [walletIdParameter(parts)],
        responses: {
          '200': {
            description: 'the wallet',
            content: { 'application/json': { schema: parts.ref('WalletResponse') } },
          },
          ...parts.commonErrors,
          '404': notFound,
        },
      },
    },
    [walletStatement.path]: {
      [walletStatement.method.toLowerCase()]: {
        operationId: 'getWalletStatement',
        summary: "A wallet's statement, newest first, a page at a time",
        security: parts.security(walletStatement.scope),
        parameters: [
          walletIdParameter(parts),
          queryParameter(parts, 'from', 'lines at or after this time (ISO 8601)'),
          queryParameter(parts, 'to', 'lines at or before this time (ISO 8601)'),
          queryParameter(parts, 'limit', `lines per page (1-${STATEMENT_MAX_LIMIT})`),
          queryParameter(parts, 'cursor', 'the nextCursor of the previous page, with the same from and to'),
        ],
        responses: {
          '200': {
            description: 'one page of the statement',
            content: { 'application/json': { schema: parts.ref('StatementResponse') } },
          },
          '400': parts.problemResponse('invalid query (unknown parameter, bad time, limit or cursor)'),
          ...parts.commonErrors,
          '404': notFound,
        },
      },
    },
  };
}

export function walletSchemas(parts: Pick<OpenApiParts, 'schema'>): Record<string, unknown> {
  return {
    OpenWalletBody: parts.schema(OpenWalletBody),
    WalletOpenedResponse: parts.schema(WalletOpenedResponse),
    WalletResponse: parts.schema(WalletResponse),
    StatementResponse: parts.schema(StatementResponse),
  };
}
