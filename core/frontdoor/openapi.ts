import '../config/zod-locale';
import * as z from 'zod/mini';
import { PaymentId } from '../../events/common';
import { API, apiScope } from '../config/names';
import { refundPaths, refundSchemas } from '../refunds/openapi-paths';
import { topUpPaths, topUpSchemas } from '../topups/openapi-paths';
import { walletPaths, walletSchemas } from '../wallets/openapi-paths';
import { webhookPaths, webhookSchemas } from '../webhooks/openapi-paths';
import { AcceptedResponse, PaymentStatusResponse, Problem, SubmitPaymentBody } from './contract';

/**
 * The front door's OpenAPI 3.1 document, generated from the same zod schemas
 * the handlers validate and answer with. Served at GET /v1/openapi.json and
 * committed as api/openapi.json (`npm run schemas`; a test fails when stale).
 */
export const API_KEY_HEADER = 'x-api-key';

function schema(type: z.ZodMiniType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(type, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return json;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

const COMMON_ERRORS = {
  '401': problemResponse('no credentials (bearer token; locally the x-api-key)'),
  '403': problemResponse('credentials not valid, or missing the scope this route needs'),
  '429': problemResponse('this client exceeded its request rate; retry after the Retry-After seconds'),
} as const;

export function openApiDocument(): Record<string, unknown> {
  const { submitPayment, getPayment, openApi } = API.routes;
  const security = (scope: keyof typeof API.scopes) => [{ oauth2: [apiScope(scope)], apiKey: [] }];
  return {
    openapi: '3.1.0',
    info: {
      title: 'paysaga front door',
      version: '1.0.0',
      description:
        'Submit a payment request and poll its outcome; refund it in full or in part. The Idempotency-Key is the paymentId (the refundId for a refund): repeat a request with the same key and body as often as needed; it is published once. Card numbers are refused anywhere: send gateway payment-method tokens (pm_...).',
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
        variables: {
          apiId: { default: 'example' },
          region: { default: 'us-east-1' },
          stage: { default: 'prod' },
        },
      },
      { url: 'http://127.0.0.1:4567', description: 'the local runtime (npm start)' },
    ],
    paths: {
      [submitPayment.path]: {
        [submitPayment.method.toLowerCase()]: {
          operationId: 'submitPayment',
          summary: 'Request a payment',
          security: security(submitPayment.scope),
          parameters: [
            {
              name: API.idempotencyHeader,
              in: 'header',
              required: true,
              description: 'the paymentId; the body may repeat it or leave it out',
              schema: schema(PaymentId),
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('SubmitPaymentBody') } },
          },
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
              content: { 'application/json': { schema: ref('AcceptedResponse') } },
            },
            '400': problemResponse('invalid request: field-level errors in `errors`, or card data refused'),
            ...COMMON_ERRORS,
            '404': problemResponse('the walletId names a wallet another client opened (wallet_not_found)'),
            '409': problemResponse(
              'the key was used with another body, or the paymentId names another payment',
            ),
            '413': problemResponse('body too large'),
            '503': problemResponse('recorded but not yet on the bus: retry with the same key'),
          },
        },
      },
      [getPayment.path]: {
        [getPayment.method.toLowerCase()]: {
          operationId: 'getPayment',
          summary: "A payment's status, amount, failure reason and step outcomes",
          security: security(getPayment.scope),
          parameters: [{ name: 'paymentId', in: 'path', required: true, schema: schema(PaymentId) }],
          responses: {
            '200': {
              description: 'the payment',
              content: { 'application/json': { schema: ref('PaymentStatusResponse') } },
            },
            ...COMMON_ERRORS,
            '404': problemResponse('no such payment submitted by this client'),
          },
        },
      },
      [openApi.path]: {
        [openApi.method.toLowerCase()]: {
          operationId: 'getOpenApi',
          summary: 'This document',
          security: security(openApi.scope),
          responses: {
            '200': {
              description: 'OpenAPI 3.1',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            ...COMMON_ERRORS,
          },
        },
      },
      ...walletPaths({ schema, ref, problemResponse, commonErrors: COMMON_ERRORS, security }),
      ...topUpPaths({ schema, ref, problemResponse, commonErrors: COMMON_ERRORS, security }),
      ...webhookPaths({ schema, ref, problemResponse, commonErrors: COMMON_ERRORS, security }),
      ...refundPaths({ schema, ref, problemResponse, commonErrors: COMMON_ERRORS, security }),
    },
    components: {
      schemas: {
        ...walletSchemas({ schema }),
        ...topUpSchemas({ schema }),
        ...webhookSchemas({ schema }),
        ...refundSchemas({ schema }),
        SubmitPaymentBody: schema(SubmitPaymentBody),
        AcceptedResponse: schema(AcceptedResponse),
        PaymentStatusResponse: schema(PaymentStatusResponse),
        Problem: schema(Problem),
      },
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description: 'Cognito client credentials (AWS); the token endpoint is a stack output',
          flows: {
            clientCredentials: {
              tokenUrl: 'https://{domain}.auth.{region}.amazoncognito.com/oauth2/token',
              scopes: {
                [apiScope('write')]: 'submit payment and refund requests',
                [apiScope('read')]: "read this client's payments and their refunds",
                [apiScope('walletsWrite')]: 'open wallets',
                [apiScope('walletsRead')]: "read this client's wallets: balances and statements",
                [apiScope('webhooksWrite')]: 'register, rotate and delete webhook endpoints',
                [apiScope('webhooksRead')]: "read this client's webhook endpoints",
              },
            },
          },
        },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: API_KEY_HEADER,
          description: 'the client API key (usage plan throttling on AWS; the only credential locally)',
        },
      },
    },
  };
}

export const renderOpenApi = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;
