import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '../../core/aws/dynamodb';
import { Ledger } from '../../core/ledger';
import { paymentKey } from '../../core/payments/keys';
import { fundedWallet, paymentRequest, putPaymentRequested } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

/**
 * Issue 18: DynamoDB writes one happy saga makes, counted where BENCHMARKS.md counts them: at the local
 * runtime's edge, by X-Amz-Target, every write request the handlers send (the intake, the saga's steps
 * and the history archiver, which sets the payment's items to expire once it is archived).
 * Before (808285b): 31 (15 PutItem, 16 UpdateItem) for a payment the wallet covers; after: 22 (BENCHMARKS.md).
 */
const MAX_WRITES_PER_HAPPY_SAGA = 22;
const WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];

/** Every DynamoDB write the edge receives while `counting`, as "<operation> <table> <key>". */
function edgeWrites(runtime: TestRuntime) {
  const edgePort = new URL(runtime.endpoint).port;
  const writes: string[] = [];
  let counting = false;
  const onRequest = (message: unknown) => {
    const request = (message as { request: IncomingMessage }).request;
    const operation = String(request.headers['x-amz-target'] ?? '').replace(/^DynamoDB_20120810\./, '');
    if (!counting || String(request.socket.localPort) !== edgePort || !WRITE_OPERATIONS.includes(operation))
      return;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as {
        TableName?: string;
        Key?: Record<string, Record<string, string>>;
        Item?: Record<string, Record<string, string>>;
      };
      const key = body.Key ?? body.Item ?? {};
      const sk = key.sk?.S ?? '';
      writes.push(`${operation} ${body.TableName} ${key.pk?.S ?? key.id?.S ?? ''} ${sk}`);
    });
  };
  subscribe('http.server.request.start', onRequest);
  return {
    writes,
    start: () => {
      counting = true;
    },
    stop: () => {
      counting = false;
      unsubscribe('http.server.request.start', onRequest);
    },
  };
}

describe('DynamoDB writes per happy saga, counted at the edge', () => {
  let runtime: TestRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime?.dispose();
  });

  it(`a payment the wallet covers makes at most ${MAX_WRITES_PER_HAPPY_SAGA} writes, archiver included`, async () => {
    // Prepare: a funded wallet (its opening and deposit are not the saga's), a warm runtime.
    const clients = sdkClients(runtime);
    const ledger = new Ledger({ doc: clients.documents, tableName: runtime.names.tables.ledger });
    const request = paymentRequest(await fundedWallet(ledger, 10_000));
    const counter = edgeWrites(runtime);
    const record = async () =>
      (
        await clients.documents.send(
          new GetCommand({ TableName: runtime.names.tables.payments, Key: paymentKey(request.paymentId) }),
        )
      ).Item;

    // Act: one payment through the bus, until it succeeded, was archived and its items set to expire.
    counter.start();
    await putPaymentRequested(clients.events, runtime.names.eventBus, request);
    await waitFor(
      `${request.paymentId} succeeded and archived`,
      async () => {
        const item = await record();
        return item?.status === 'SUCCEEDED' && item.expiresAt !== undefined ? item : undefined;
      },
      60_000,
    );
    let seen = -1;
    await waitFor('no more writes for 1 s', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const quiet = seen === counter.writes.length;
      seen = counter.writes.length;
      return quiet ? true : undefined;
    });
    counter.stop();

    // Assess
    expect(
      counter.writes.length,
      `writes of ${request.paymentId}:\n${counter.writes.join('\n')}`,
    ).toBeLessThanOrEqual(MAX_WRITES_PER_HAPPY_SAGA);
  });
});
