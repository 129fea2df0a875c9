import { PaymentId } from '../../events/common';
import { RefundId } from '../../events/refunds.v1';
import { API } from '../config/names';
import type { OpenApiParts } from '../wallets/openapi-paths';
import { RefundAcceptedResponse, RefundBody, RefundProblem, RefundStatusResponse } from './contract';

/** The refund routes' part of the OpenAPI document (core/frontdoor/openapi.ts lends the parts). */
export function refundPaths(parts: OpenApiParts): Record<string, unknown> {
  const { requestRefund, getRefund } = API.routes;
  const paymentId = { name: 'paymentId', in: 'path', required: true, schema: parts.schema(PaymentId) };
  const refundProblem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: parts.ref('RefundProblem') } },
  });
  return {
    [requestRefund.path]: {
      [requestRefund.method.toLowerCase()]: {
        operationId: 'requestRefund',
        summary:
          'Refund a SUCCEEDED payment, in full or in part (each part back to where it came from: card, then wallet)',
        security: parts.security(requestRefund.scope),
        parameters: [
          paymentId,
          {
            name: API.idempotencyHeader,
            in: 'header',
            required: true,
            description:
              'the refundId (unique per payment): the refund saga is named after it and the gateway key is refund:<paymentId>:<refundId>',
            schema: parts.schema(RefundId),
          },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: parts.ref('RefundBody') } } },
        responses: {
          '202': {
            description: 'accepted and put on the event bus (or the same request again)',
            headers: {
              Location: { schema: { type: 'string' }, description: 'the refund status URL' },
              'Idempotent-Replayed': {
                schema: { type: 'string', enum: ['true'] },
                description: 'set when this answers a repeat of an earlier request',
              },
            },
            content: { 'application/json': { schema: parts.ref('RefundAcceptedResponse') } },
          },
          '400': parts.problemResponse(
            "invalid request: field-level errors in `errors` (zero or negative amount, not the payment's currency or exponent, no reason), or card data refused",
          ),
          ...parts.commonErrors,
          '404': parts.problemResponse('no such payment submitted by this client'),
          '409': refundProblem(
            'the payment is not SUCCEEDED (`paymentStatus`), the amount exceeds what is still refundable (`refundable`), or the key was used with another body',
          ),
          '413': parts.problemResponse('body too large'),
          '500': parts.problemResponse('recorded, but the event bus refused it: the operator has to act'),
          '503': parts.problemResponse('recorded but not yet on the bus: retry with the same key'),
        },
      },
    },
    [getRefund.path]: {
      [getRefund.method.toLowerCase()]: {
        operationId: 'getRefund',
        summary: "A refund's status, amount and parts, reason and failure",
        security: parts.security(getRefund.scope),
        parameters: [
          paymentId,
          { name: 'refundId', in: 'path', required: true, schema: parts.schema(RefundId) },
        ],
        responses: {
          '200': {
            description: 'the refund',
            content: { 'application/json': { schema: parts.ref('RefundStatusResponse') } },
          },
          ...parts.commonErrors,
          '404': parts.problemResponse('no such payment submitted by this client, or no such refund of it'),
        },
      },
    },
  };
}

export function refundSchemas(parts: Pick<OpenApiParts, 'schema'>): Record<string, unknown> {
  return {
    RefundBody: parts.schema(RefundBody),
    RefundAcceptedResponse: parts.schema(RefundAcceptedResponse),
    RefundStatusResponse: parts.schema(RefundStatusResponse),
    RefundProblem: parts.schema(RefundProblem),
  };
}
