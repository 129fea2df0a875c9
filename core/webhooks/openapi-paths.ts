import { API } from '../config/names';
import type { OpenApiParts } from '../wallets/openapi-paths';
import {
  CreateWebhookEndpointBody,
  WebhookEndpointId,
  WebhookEndpointResponse,
  WebhookEndpointWithSecretResponse,
} from './contract';

/** The /v1/webhook-endpoints routes' part of the front door's OpenAPI document. */
export function webhookPaths(parts: OpenApiParts): Record<string, unknown> {
  const { createWebhookEndpoint, getWebhookEndpoint, deleteWebhookEndpoint, rotateWebhookSecret } =
    API.routes;
  const idParameter = {
    name: 'endpointId',
    in: 'path',
    required: true,
    schema: parts.schema(WebhookEndpointId),
  };
  const notFound = parts.problemResponse(
    "no webhook endpoint with this id belongs to this client (another client's answers the same)",
  );
  const withSecret = (description: string) => ({
    description,
    content: { 'application/json': { schema: parts.ref('WebhookEndpointWithSecretResponse') } },
  });
  return {
    [createWebhookEndpoint.path]: {
      [createWebhookEndpoint.method.toLowerCase()]: {
        operationId: 'createWebhookEndpoint',
        summary: 'Register a webhook endpoint',
        description:
          'Outcomes of the payments and top-ups this client submits are POSTed to the url, signed (Paysaga-Signature), retried with back-off for 25 h. The secret is answered here only. On AWS the url must be https to a public address; locally http://127.0.0.1 is allowed.',
        security: parts.security(createWebhookEndpoint.scope),
        requestBody: {
          required: true,
          content: { 'application/json': { schema: parts.ref('CreateWebhookEndpointBody') } },
        },
        responses: {
          '201': withSecret('registered; the secret is shown this once'),
          '400': parts.problemResponse('invalid body, unknown event type, or a url the rules refuse'),
          ...parts.commonErrors,
          '409': parts.problemResponse('this client has the most endpoints allowed'),
        },
      },
    },
    [getWebhookEndpoint.path]: {
      [getWebhookEndpoint.method.toLowerCase()]: {
        operationId: 'getWebhookEndpoint',
        summary: 'A webhook endpoint (never its secret)',
        security: parts.security(getWebhookEndpoint.scope),
        parameters: [idParameter],
        responses: {
          '200': {
            description: 'the endpoint',
            content: { 'application/json': { schema: parts.ref('WebhookEndpointResponse') } },
          },
          ...parts.commonErrors,
          '404': notFound,
        },
      },
      [deleteWebhookEndpoint.method.toLowerCase()]: {
        operationId: 'deleteWebhookEndpoint',
        summary: 'Delete a webhook endpoint; its queued deliveries are cancelled',
        security: parts.security(deleteWebhookEndpoint.scope),
        parameters: [idParameter],
        responses: { '204': { description: 'deleted' }, ...parts.commonErrors, '404': notFound },
      },
    },
    [rotateWebhookSecret.path]: {
      [rotateWebhookSecret.method.toLowerCase()]: {
        operationId: 'rotateWebhookSecret',
        summary: 'Rotate the signing secret',
        description:
          'A new secret signs from now on; the previous one keeps signing alongside it for 24 h (one v1= each), then stops.',
        security: parts.security(rotateWebhookSecret.scope),
        parameters: [idParameter],
        responses: {
          '200': withSecret('rotated; the new secret is shown this once'),
          ...parts.commonErrors,
          '404': notFound,
          '409': parts.problemResponse('another rotation happened meanwhile; read the endpoint and retry'),
        },
      },
    },
  };
}

export function webhookSchemas(parts: Pick<OpenApiParts, 'schema'>): Record<string, unknown> {
  return {
    CreateWebhookEndpointBody: parts.schema(CreateWebhookEndpointBody),
    WebhookEndpointResponse: parts.schema(WebhookEndpointResponse),
    WebhookEndpointWithSecretResponse: parts.schema(WebhookEndpointWithSecretResponse),
  };
}
