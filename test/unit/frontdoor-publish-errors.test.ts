import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeServiceException } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  DynamoDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '../../core/aws/dynamodb';
import { EventBridgeClient, PutEventsCommand } from '../../core/aws/eventbridge';
import { API, apiScope } from '../../core/config/names';
import type { Problem } from '../../core/frontdoor/contract';
import { mockLeanClient } from '../helpers/lean-aws-mock';

/**
 * api-submit's answer to each kind of PutEvents failure, through the real
 * handler with mocked SDK clients: only what may pass on its own says "retry".
 */
const clientId = `acme-${randomUUID().slice(0, 8)}`;
const events = mockLeanClient(EventBridgeClient);
const documents = mockLeanClient(DynamoDocumentClient);
let handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let errorLog: Logger;
let logged: MockInstance<Logger['error']>;

beforeAll(async () => {
  vi.stubEnv('PAYMENTS_TABLE', 'payments-test');
  vi.stubEnv('EVENT_BUS_NAME', 'bus-test');
  vi.stubEnv('API_CLIENTS', JSON.stringify([{ clientId, source: 'partner.acme' }]));
  ({ handler } = (await import('../../functions/api-submit')) as unknown as { handler: typeof handler });
  ({ logger: errorLog } = await import('../../functions/commons/powertools'));
});
afterAll(() => {
  vi.unstubAllEnvs();
  events.restore();
  documents.restore();
});
beforeEach(() => {
  events.reset();
  documents.reset();
  documents.on(GetCommand).resolves({});
  // paymentExists: no archive pointer either (the payment never ran).
  documents.on(QueryCommand).resolves({ Items: [] });
  documents.on(PutCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
  vi.restoreAllMocks();
  logged = vi.spyOn(errorLog, 'error').mockImplementation(() => undefined);
});

const serviceError = (name: string, httpStatusCode: number, fault: 'client' | 'server') =>
  new EventBridgeServiceException({ name, $fault: fault, $metadata: { httpStatusCode }, message: name });

function submitEvent(paymentId: string): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: API.routes.submitPayment.path,
    headers: { [API.idempotencyHeader]: paymentId, 'content-type': 'application/json' },
    body: JSON.stringify({
      walletId: 'wal_1',
      merchantId: 'mer_1',
      amount: { value: 1250, currency: 'EUR', exponent: 2 },
      paymentMethod: 'pm_card_visa',
    }),
    isBase64Encoded: false,
    requestContext: {
      authorizer: { claims: { client_id: clientId, scope: apiScope('write') } },
      identity: { apiKeyId: null },
    },
  } as unknown as APIGatewayProxyEvent;
}

const context = { functionName: 'api-submit', awsRequestId: 'req-1' } as unknown as Context;
const submit = () => handler(submitEvent(`pay_${randomUUID().slice(0, 12)}`), context);
const problemOf = (result: APIGatewayProxyResult) => JSON.parse(result.body) as Problem;

describe('api-submit: a PutEvents failure answers by its kind', () => {
  it.each([
    ['throttled', () => serviceError('ThrottlingException', 400, 'client')],
    ['an internal error', () => serviceError('InternalException', 500, 'server')],
    ['unavailable', () => serviceError('ServiceUnavailable', 503, 'server')],
    ['a network error', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a timeout', () => Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
  ])('answers 503 "retry" when the bus is %s', async (_, error) => {
    // Prepare
    events.on(PutEventsCommand).rejects(error());

    // Act
    const result = await submit();

    // Assess
    expect(result.statusCode).toBe(503);
    expect(problemOf(result).type).toMatch(/not_published_yet$/);
  });

  it.each(['InternalFailure', 'ThrottlingException'])(
    'answers 503 when the entry fails with %s',
    async (code) => {
      // Prepare
      events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: code }] });

      // Act
      const result = await submit();

      // Assess
      expect(result.statusCode).toBe(503);
    },
  );

  it.each([
    ['AccessDenied', () => serviceError('AccessDeniedException', 400, 'client')],
    ['a validation error', () => serviceError('ValidationException', 400, 'client')],
    ['a missing bus', () => serviceError('ResourceNotFoundException', 400, 'client')],
    ['an unknown client error', () => serviceError('SomethingNewException', 400, 'client')],
  ])('answers 500 "contact the operator", logged at error, for %s', async (_, error) => {
    // Prepare
    events.on(PutEventsCommand).rejects(error());

    // Act
    const result = await submit();

    // Assess
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(problemOf(result).type).toMatch(/publish_refused$/);
    expect(problemOf(result).detail).toMatch(/contact the operator/);
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/^publish_refused/), expect.anything());
  });

  it.each(['AccessDeniedException', 'NotAuthorizedForSourceException', 'MalformedDetail'])(
    'answers 500 when the entry is refused with %s',
    async (code) => {
      // Prepare
      events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: code }] });

      // Act
      const result = await submit();

      // Assess
      expect(result.statusCode).toBe(500);
      expect(problemOf(result).type).toMatch(/publish_refused$/);
    },
  );
});
