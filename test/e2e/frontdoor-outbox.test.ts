import { randomUUID } from 'node:crypto';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '../../core/aws/dynamodb';
import { API } from '../../core/config/names';
import { API_REQUEST_SK, ApiRequestRecord } from '../../core/frontdoor/api-request-store';
import type { PaymentStatusResponse } from '../../core/frontdoor/contract';
import { Ledger } from '../../core/ledger';
import { paymentKey } from '../../core/payments/keys';
import { DETAIL_TYPES } from '../../events/envelope';
import { documentClient } from '../../functions/commons/clients/dynamodb';
import type { BusEvent } from '../../local/events/eventbridge-service';
import { type LocalApiClient, newApiKey } from '../../local/frontdoor/api-clients';
import { fundedWallet } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

/**
 * The front door's outbox through the local runtime: a request recorded by
 * api-submit is published by publish-outbox from the payments table's stream
 * even when api-submit died before publishing it, with no client retry.
 */
const run = randomUUID().slice(0, 8);
const acme: LocalApiClient = {
  clientId: `acme-${run}`,
  source: 'partner.acme',
  apiKey: newApiKey(),
  scopes: ['write', 'read'],
};

let runtime: TestRuntime;
let ledger: Ledger;
let base: string;
const captured: BusEvent[] = [];
/** paymentIds whose api-submit "dies" right after its request record is written. */
const crashAfterRecord = new Set<string>();

class InjectedCrashError extends Error {
  override readonly name = 'InjectedCrashError';
}

beforeAll(async () => {
  // The handlers run in this process and share this client: wrap it to kill api-submit after its record.
  const send = documentClient.send.bind(documentClient) as (command: unknown) => Promise<unknown>;
  (documentClient as { send: (command: unknown) => Promise<unknown> }).send = async (command: unknown) => {
    const result = await send(command);
    const item = command instanceof PutCommand ? command.input.Item : undefined;
    if (item?.sk === API_REQUEST_SK && crashAfterRecord.delete(String(item.paymentId))) {
      throw new InjectedCrashError('api-submit died after recording the request, before publishing it');
    }
    return result;
  };
  runtime = await startTestRuntime({ frontDoor: { port: 0, clients: [acme] } });
  base = runtime.frontDoor?.url ?? '';
  ledger = new Ledger({ doc: sdkClients(runtime).documents, tableName: runtime.names.tables.ledger });
  runtime.internals.events.putRule({
    name: 'capture-outbox',
    eventBusName: runtime.names.eventBus,
    pattern: {
      'detail-type': [
        DETAIL_TYPES.paymentRequested,
        DETAIL_TYPES.paymentRejected,
        DETAIL_TYPES.paymentSucceeded,
      ],
    },
    targets: [
      { id: 'capture', arn: 'local:capture', synchronous: true, deliver: async (e) => void captured.push(e) },
    ],
  });
});
afterAll(async () => {
  await runtime?.dispose();
});

const newPaymentId = () => `pay_${randomUUID().slice(0, 12)}`;
const eventsOf = (detailType: string, paymentId: string) =>
  captured.filter(
    (e) => e['detail-type'] === detailType && (e.detail as { paymentId?: string }).paymentId === paymentId,
  );

async function post(paymentId: string, walletId: string) {
  const response = await fetch(`${base}${API.routes.submitPayment.path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': acme.apiKey,
      [API.idempotencyHeader]: paymentId,
    },
    body: JSON.stringify({
      walletId,
      merchantId: 'mer_bookshop',
      amount: { value: 1250, currency: 'EUR', exponent: 2 },
      paymentMethod: 'pm_card_visa',
    }),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

async function statusOf(paymentId: string): Promise<PaymentStatusResponse> {
  const response = await fetch(`${base}/v1/payments/${paymentId}`, { headers: { 'x-api-key': acme.apiKey } });
  return (await response.json()) as PaymentStatusResponse;
}

async function requestRecord(paymentId: string): Promise<ApiRequestRecord> {
  const { Item } = await sdkClients(runtime).documents.send(
    new GetCommand({
      TableName: runtime.names.tables.payments,
      Key: { pk: paymentKey(paymentId).pk, sk: API_REQUEST_SK },
      ConsistentRead: true,
    }),
  );
  return ApiRequestRecord.parse(Item);
}

describe('front door outbox', () => {
  it('publishes a request whose api-submit died between the record and the publish, with no client retry', async () => {
    // Prepare
    const walletId = await fundedWallet(ledger, 10_000);
    const paymentId = newPaymentId();
    crashAfterRecord.add(paymentId);

    // Act
    const answer = await post(paymentId, walletId);
    const view = await waitFor(`payment ${paymentId} to succeed without a retry`, async () => {
      const current = await statusOf(paymentId);
      return current.status === 'SUCCEEDED' ? current : undefined;
    });

    // Assess
    expect(answer.status).toBe(500);
    expect(crashAfterRecord.has(paymentId)).toBe(false);
    expect(view.status).toBe('SUCCEEDED');
    expect(eventsOf(DETAIL_TYPES.paymentRequested, paymentId)).toHaveLength(1);
    expect(eventsOf(DETAIL_TYPES.paymentRequested, paymentId)[0]?.source).toBe(acme.source);
    const record = await requestRecord(paymentId);
    expect(record.publishedAt).toBeDefined();
    expect(record.eventId).toBe(eventsOf(DETAIL_TYPES.paymentRequested, paymentId)[0]?.id);
  });

  it('starts one saga when the same request is published twice (the outbox after the fast path)', async () => {
    // Prepare
    const walletId = await fundedWallet(ledger, 10_000);
    const paymentId = newPaymentId();
    const answer = await post(paymentId, walletId);
    await waitFor('the first saga to succeed', async () =>
      (await statusOf(paymentId)).status === 'SUCCEEDED' ? true : undefined,
    );
    const record = await requestRecord(paymentId);

    // Act: the record reads unpublished again, as after a crash between PutEvents and marking it; the outbox
    // sees the write on the stream and publishes the request a second time.
    await sdkClients(runtime).documents.send(
      new PutCommand({
        TableName: runtime.names.tables.payments,
        Item: {
          pk: paymentKey(paymentId).pk,
          sk: API_REQUEST_SK,
          kind: 'api-request',
          ...withoutPublished(record),
        },
      }),
    );
    await waitFor('the second publish', () =>
      eventsOf(DETAIL_TYPES.paymentRequested, paymentId).length === 2 ? true : undefined,
    );
    await waitFor('the record marked again', async () =>
      (await requestRecord(paymentId)).publishedAt ? true : undefined,
    );
    // Intake takes the second event off its queue (and finds the execution) in well under this.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // Assess
    expect(answer.status).toBe(202);
    expect(eventsOf(DETAIL_TYPES.paymentRequested, paymentId)).toHaveLength(2);
    expect(eventsOf(DETAIL_TYPES.paymentSucceeded, paymentId)).toHaveLength(1);
    expect(eventsOf(DETAIL_TYPES.paymentRejected, paymentId)).toHaveLength(0);
    const executions = await sdkClients(runtime).sfn.send(
      new ListExecutionsCommand({ stateMachineArn: runtime.internals.saga.stateMachineArn }),
    );
    expect((executions.executions ?? []).filter((e) => e.name === paymentId)).toHaveLength(1);
    const dlq = await sdkClients(runtime).sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: `${runtime.endpoint}/000000000000/${runtime.names.queues.intakeDlq}`,
        MaxNumberOfMessages: 10,
      }),
    );
    expect((dlq.Messages ?? []).filter((m) => m.Body?.includes(paymentId))).toHaveLength(0);
  });
});

function withoutPublished(record: ApiRequestRecord): ApiRequestRecord {
  const { publishedAt: _at, eventId: _id, ...rest } = record;
  return rest;
}
