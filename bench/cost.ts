/**
 * npm run bench:cost -- [--json] [--cold-share 0.01] [--init-over-hello-ms 104 | --lambda-json <file>]
 *
 * The AWS cost of one million payments (happy and compensated), top-ups and refunds, derived from what
 * actually runs: each flow is executed in the local runtime (the real ASL, the real handlers, the sandbox
 * gateway) and its billable units are read off the run: states entered (execution history), Lambda tasks
 * invoked (the ASL's function placeholders), every DynamoDB request counted at the edge with the capacity
 * its answer reports (bench/cost-dynamo.ts: reads, writes, refused writes, index writes), SQS requests,
 * EventBridge events, S3 and KMS requests of the handlers' clients. Durations, init per cold start and the
 * cold-start share cannot be measured offline: bench/cost-assumptions.ts states them (init: the flags, or
 * `npm run bench:lambda -- --json > file` as `--lambda-json file`). Prices: bench/cost-prices.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDocumentClient, GetCommand } from '../core/aws/dynamodb';
import { executionArnFor, refundExecutionName } from '../core/config/executions';
import { type FunctionKey, TABLE_KEYS } from '../core/config/names';
import { TABLE_DEFINITIONS } from '../core/dynamo/tables';
import { Ledger } from '../core/ledger';
import { readRefundDefinitionText } from '../core/refunds/definition';
import { readSagaDefinitionText } from '../core/saga/definition';
import { readTopUpDefinitionText } from '../core/topups/definition';
import { DETAIL_TYPES, PAYSAGA_SOURCE } from '../events/envelope';
import { memoryLog } from '../local/edge/runtime-log';
import type { BusEvent } from '../local/events/eventbridge-service';
import { startRuntime } from '../local/runtime';
import {
  type CountedRequest,
  countDynamoRequests,
  READ_OPERATIONS,
  WRITE_OPERATIONS,
} from '../test/helpers/dynamo-writes';
import { assumptions } from './cost-assumptions';
import { dynamoUnitsOf, type GlobalIndex, type Item } from './cost-dynamo';
import {
  clientCounts,
  gitCommit,
  instrumentHandlerClients,
  lambdaStates,
  resetClientCounts,
} from './cost-instrument';
import { costOf, type Usage } from './cost-model';
import { PRICES_READ_ON, PRICES_REGION, PRICES_USD } from './cost-prices';
import { type Flow, printReport } from './cost-report';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      'cold-share': { type: 'string' },
      'init-over-hello-ms': { type: 'string' },
      'lambda-json': { type: 'string' },
    },
  });
  const number = (text: string | undefined, flag: string) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${flag} must be a number >= 0`);
    return value;
  };
  const stated = assumptions({
    coldStartShare: number(values['cold-share'], '--cold-share'),
    initOverHelloWorldMs: number(values['init-over-hello-ms'], '--init-over-hello-ms'),
    lambdaJsonPath: values['lambda-json'],
  });
  instrumentHandlerClients();
  const dataDir = mkdtempSync(join(tmpdir(), 'paysaga-cost-'));
  const runtime = await startRuntime({
    port: 0,
    memory: true,
    dataDir,
    retryIntervalScale: 0.001,
    log: memoryLog(),
  });
  const counter = countDynamoRequests(runtime.endpoint, [...WRITE_OPERATIONS, ...READ_OPERATIONS]);
  try {
    const config = {
      endpoint: runtime.endpoint,
      region: runtime.region,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    };
    const sfn = new SFNClient(config);
    const events = new EventBridgeClient(config);
    const doc = new DynamoDocumentClient(config);
    const ledger = new Ledger({ doc, tableName: runtime.names.tables.ledger });
    const published: BusEvent[] = [];
    runtime.internals.events.putRule({
      name: 'cost-capture',
      eventBusName: runtime.names.eventBus,
      pattern: { source: [PAYSAGA_SOURCE] },
      targets: [
        {
          id: 'capture',
          arn: 'local:capture',
          synchronous: true,
          deliver: async (e: BusEvent) => void published.push(e),
        },
      ],
    });
    const definitionOf = new Map(
      TABLE_KEYS.map((key) => [runtime.names.tables[key], TABLE_DEFINITIONS[key]]),
    );
    const indexesOf = (table: string): readonly GlobalIndex[] => definitionOf.get(table)?.globalIndexes ?? [];

    /** Waits until no handler request came for `quietMs` (the archiver runs after the saga). */
    const quiescent = async (quietMs = 1_000, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      const seen = () => `${counter.requests.length} ${JSON.stringify(clientCounts())}`;
      let last = seen();
      let since = Date.now();
      while (Date.now() - since < quietMs && Date.now() < deadline) {
        await sleep(100);
        if (seen() !== last) {
          last = seen();
          since = Date.now();
        }
      }
    };
    /** Polls an execution until it ends; its states entered, from its history. */
    const finished = async (executionArn: string, label: string) => {
      const deadline = Date.now() + 60_000;
      let status = 'RUNNING';
      while (status === 'RUNNING') {
        if (Date.now() > deadline) throw new Error(`${label} did not end within 60 s`);
        await sleep(50);
        status =
          (await sfn.send(new DescribeExecutionCommand({ executionArn })).catch(() => undefined))?.status ??
          'RUNNING';
      }
      const { events: history = [] } = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
      );
      return { states: history.flatMap((e) => e.stateEnteredEventDetails?.name ?? []), status };
    };
    /** Waits for the payment's history archive (the archiver's S3 PUT), then for quiet. */
    const archived = async (label: string) => {
      const deadline = Date.now() + 60_000;
      while (clientCounts().s3PutRequests === 0) {
        if (Date.now() > deadline) throw new Error(`${label} was not archived within 60 s`);
        await sleep(50);
      }
      await quiescent();
    };
    /** Each written item of a table with indexes, read back after the flow (not counted: the counter is paused). */
    const itemsAfter = async (requests: readonly CountedRequest[]) => {
      const items = new Map<CountedRequest, Item | undefined>();
      for (const request of requests) {
        if (!request.body.Key || indexesOf(request.table).length === 0) continue;
        const Key = unmarshall(request.body.Key as never);
        const answer = await doc.send(
          new GetCommand({ TableName: request.table, Key, ConsistentRead: true }),
        );
        items.set(request, answer.Item as Item | undefined);
      }
      return items;
    };

    /** Runs one flow with every counter reset; `start` puts its request on the bus and names its execution. */
    const measure = async (
      label: string,
      id: string,
      lambda: Partial<Record<FunctionKey, number>>,
      taskStates: Map<string, FunctionKey>,
      start: () => Promise<string>,
      settle: () => Promise<void> = () => quiescent(),
    ): Promise<Flow> => {
      resetClientCounts();
      counter.requests.length = 0;
      published.length = 0;
      counter.start();
      const { states, status } = await finished(await start(), label);
      await settle();
      counter.pause();
      const requests = [...counter.requests];
      const after = await itemsAfter(requests);
      const dynamo = dynamoUnitsOf(requests, indexesOf, (r) => after.get(r));
      const invoked: Partial<Record<FunctionKey, number>> = { ...lambda };
      for (const state of states) {
        const key = taskStates.get(state);
        if (key) invoked[key] = (invoked[key] ?? 0) + 1;
      }
      const usage: Usage = {
        stateTransitions: states.length,
        lambda: invoked,
        dynamo,
        // The intake queue: EventBridge's SendMessage, the event source's ReceiveMessage and DeleteMessageBatch.
        sqsRequests: clientCounts().sqsRequests + 3,
        // The upstream request event, plus the flow's events on the bus (the ASL's PutEvents and the handlers').
        eventBridgeEvents: 1 + published.filter((e) => JSON.stringify(e.detail).includes(`"${id}"`)).length,
        s3PutRequests: clientCounts().s3PutRequests,
        s3GetRequests: clientCounts().s3GetRequests,
        kmsRequests: clientCounts().kmsRequests,
      };
      return { label, states, status, usage, dynamo, cost: costOf(usage, stated) };
    };

    const putOnBus = async (source: string, detailType: string, detail: object) => {
      const put = await events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: runtime.names.eventBus,
              Source: source,
              DetailType: detailType,
              Detail: JSON.stringify(detail),
            },
          ],
        }),
      );
      if (put.FailedEntryCount) throw new Error(`PutEvents refused the ${detailType}`);
    };
    const sagaArn = (id: string) =>
      `${runtime.env.STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${id}`;
    const funded = async (funds: number) => {
      const walletId = `wal_${randomUUID().slice(0, 12)}`;
      await ledger.openWallet(walletId, 'EUR');
      if (funds > 0) await ledger.deposit(walletId, { value: funds, currency: 'EUR' }, `dep-${walletId}`);
      return walletId;
    };
    const requestPayment = async (paymentId: string, walletId: string, paymentMethod: string) => {
      await putOnBus('shop.checkout', DETAIL_TYPES.paymentRequested, {
        schemaVersion: '1',
        paymentId,
        walletId,
        merchantId: 'mer_bookshop',
        amount: { value: 1250, currency: 'EUR', exponent: 2 },
        paymentMethod,
        requestedAt: new Date().toISOString(),
      });
      return sagaArn(paymentId);
    };

    const sagaStates = lambdaStates(readSagaDefinitionText(), 'aslPlaceholder');
    /** One EUR 12.50 payment from a wallet holding `funds` (wallet first: the card pays what it does not cover). */
    const payment = async (label: string, paymentMethod: string, funds: number) => {
      const walletId = await funded(funds);
      const paymentId = `pay_${randomUUID().slice(0, 12)}`;
      // One intake invocation per payment (at ~0.4 payments/s batches hold one message); one archiver per saga.
      return measure(
        label,
        paymentId,
        { intake: 1, archiveHistory: 1 },
        sagaStates,
        () => requestPayment(paymentId, walletId, paymentMethod),
        () => archived(label),
      );
    };
    const happy = await payment('happy', 'pm_card_visa', 100_000);
    // A wallet of 5.00: the 7.50 card part is declined, so the 5.00 hold is released (a wallet that covers the
    // whole amount never reaches the card, and the "compensated" saga would be a happy one).
    const compensated = await payment('compensated', 'pm_card_chargeDeclined', 500);

    const topUpWallet = await funded(0);
    const topUpId = `top_${randomUUID().slice(0, 12)}`;
    const topUp = await measure(
      'top-up',
      topUpId,
      { topUpIntake: 1 },
      lambdaStates(readTopUpDefinitionText(), 'topUpAslPlaceholder'),
      async () => {
        await putOnBus('wallet.app', DETAIL_TYPES.topUpRequested, {
          schemaVersion: '1',
          topUpId,
          walletId: topUpWallet,
          amount: { value: 5000, currency: 'EUR', exponent: 2 },
          paymentMethod: 'pm_card_visa',
          requestedAt: new Date().toISOString(),
        });
        return `${runtime.env.TOP_UP_STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${topUpId}`;
      },
    );

    // A full refund of a succeeded split payment (5.00 wallet, 7.50 card): paid (not counted), then refunded.
    const refundedId = `pay_${randomUUID().slice(0, 12)}`;
    resetClientCounts();
    const paid = await finished(
      await requestPayment(refundedId, await funded(500), 'pm_card_visa'),
      refundedId,
    );
    if (!paid.states.includes('Succeeded')) throw new Error(`payment ${refundedId} did not succeed`);
    await archived(refundedId);
    const refundId = `rf_${randomUUID().slice(0, 12)}`;
    const refund = await measure(
      'refund',
      refundId,
      { refundIntake: 1 },
      lambdaStates(readRefundDefinitionText(), 'refundAslPlaceholder'),
      async () => {
        await putOnBus('shop.checkout', DETAIL_TYPES.refundRequested, {
          schemaVersion: '1',
          refundId,
          paymentId: refundedId,
          reason: 'customer returned the order',
          requestedAt: new Date().toISOString(),
        });
        return executionArnFor(
          runtime.env.REFUND_STATE_MACHINE_ARN ?? '',
          refundExecutionName(refundedId, refundId),
        );
      },
    );

    printReport({
      json: values.json ?? false,
      meta: {
        date: new Date().toISOString(),
        commit: gitCommit(),
        loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
        pricesReadOn: PRICES_READ_ON,
        pricesRegion: PRICES_REGION,
      },
      prices: PRICES_USD,
      assumptions: stated,
      flows: [happy, compensated, topUp, refund],
    });
  } finally {
    counter.stop();
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:cost failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
