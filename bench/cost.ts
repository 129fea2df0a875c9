/**
 * npm run bench:cost -- [--json]
 *
 * The AWS cost of one million payments, happy and compensated, derived from
 * what actually runs: each saga is executed in the local runtime (the real ASL,
 * the real handlers, the sandbox gateway), and the billable units are read off
 * the run: states entered (execution history), Lambda tasks invoked (the ASL's
 * function placeholders), DynamoDB capacity units the handlers consumed (SDK
 * middleware asking DynamoDB for ConsumedCapacity), SQS and EventBridge
 * requests. Memory sizes and the intake batch come from names.ts and the
 * stacks. Durations cannot be measured offline: they are stated assumptions.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDocumentClient } from '../core/aws/dynamodb';
import { executionArnFor, refundExecutionName } from '../core/config/executions';
import { FUNCTION_KEYS, FUNCTIONS, type FunctionKey } from '../core/config/names';
import { Ledger } from '../core/ledger';
import { readRefundDefinitionText } from '../core/refunds/definition';
import { readSagaDefinitionText } from '../core/saga/definition';
import { readTopUpDefinitionText } from '../core/topups/definition';
import { DETAIL_TYPES, PAYSAGA_SOURCE } from '../events/envelope';
import { dynamoDb } from '../functions/commons/clients/dynamodb';
import { eventBridge } from '../functions/commons/clients/eventbridge';
import { sqs } from '../functions/commons/clients/sqs';
import { memoryLog } from '../local/edge/runtime-log';
import type { BusEvent } from '../local/events/eventbridge-service';
import { startRuntime } from '../local/runtime';

/** Public on-demand prices, US East (N. Virginia), as published on aws.amazon.com/<service>/pricing (read 2026-11-22). */
export const PRICES_USD = {
  stateTransition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1e6,
  lambdaArmGbSecond: 0.0000133334,
  dynamoWriteRequestUnit: 0.625 / 1e6,
  dynamoReadRequestUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  eventBridgeEvent: 1.0 / 1e6,
} as const;

/** Billed duration assumed per invocation (ms): gateway steps wait on Stripe, the rest on DynamoDB. */
export const ASSUMED_DURATION_MS: Record<FunctionKey, number> = {
  intake: 80,
  reserve: 60,
  charge: 450,
  settle: 60,
  notify: 40,
  releaseFunds: 60,
  refundCharge: 450,
  recordOutcome: 40,
  archiveHistory: 150,
  sweepHolds: 2_000,
  apiSubmit: 60,
  publishOutbox: 40,
  apiRead: 40,
  apiWalletsWrite: 60,
  apiWalletsRead: 40,
  topUpIntake: 80,
  topUpCharge: 450,
  topUpCredit: 60,
  topUpRefund: 450,
  topUpRecordOutcome: 40,
  apiTopUpSubmit: 60,
  apiTopUpRead: 40,
  webhookFanout: 60,
  webhookDeliver: 300,
  apiWebhooks: 60,
  refundIntake: 80,
  refundReserve: 60,
  refundAtGateway: 450,
  refundPostReversal: 60,
  refundRelease: 60,
  refundRecordOutcome: 40,
  apiRefunds: 60,
  // One import file of 1,000 rows (a lookup per row, a PutEvents per 10); not part of a saga's cost.
  importCsv: 20_000,
};

/**
 * Init duration billed per cold start (AWS bills the Init phase since August 2025), the same for every
 * function: a hello-world nodejs22.x arm64 function inits in ~118 ms and each MB of bundle adds ~26 ms;
 * ours are 0.9-1.2 MB (BENCHMARKS.md "Lambda bundles": 132-152 ms over bare Node by `npm run bench:lambda`).
 */
export const ASSUMED_INIT_MS = 150;

/** USD of the init billed if every Lambda invocation of the run were a cold start (a scale-out burst). */
const initCostOf = (usage: Usage): number =>
  (Object.entries(usage.lambda) as [FunctionKey, number][]).reduce(
    (sum, [key, count]) =>
      sum +
      count * (FUNCTIONS[key].memoryMb / 1024) * (ASSUMED_INIT_MS / 1000) * PRICES_USD.lambdaArmGbSecond,
    0,
  );

interface Usage {
  stateTransitions: number;
  lambda: Partial<Record<FunctionKey, number>>;
  dynamoCalls: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  sqsRequests: number;
  eventBridgeEvents: number;
}

const emptyUsage = (): Usage => ({
  stateTransitions: 0,
  lambda: {},
  dynamoCalls: {},
  readUnits: 0,
  writeUnits: 0,
  sqsRequests: 0,
  eventBridgeEvents: 0,
});

let current = emptyUsage();

const DYNAMO_ITEM_COMMANDS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
]);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

type Handler = (args: { input: object }) => Promise<{ output: unknown }>;
type Middleware = (next: Handler, context: { commandName?: string }) => Handler;
/** The one method of the SDK's middleware stack used here, without its per-client generics. */
interface CountingStack {
  add(middleware: Middleware, options: { step: 'initialize'; name: string }): void;
}
const stackOf = (client: { middlewareStack: unknown }) => client.middlewareStack as CountingStack;

/** Counts DynamoDB calls and the capacity units DynamoDB reports for them. */
const countDynamo: Middleware = (next, context) => async (args) => {
  const input = args.input as Record<string, unknown>;
  const command = context.commandName ?? 'unknown';
  if (DYNAMO_ITEM_COMMANDS.has(command)) input.ReturnConsumedCapacity = 'TOTAL';
  const result = await next(args);
  current.dynamoCalls[command] = (current.dynamoCalls[command] ?? 0) + 1;
  const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
  // Without a figure from the service: one unit per item of < 1 KB (writes) / < 4 KB strongly consistent (reads).
  const units = consumed?.CapacityUnits ?? (WRITES.has(command) || input.ConsistentRead ? 1 : 0.5);
  if (WRITES.has(command)) current.writeUnits += units;
  else current.readUnits += units;
  return result;
};

/** Counts SQS requests and EventBridge events (one per PutEvents entry of up to 64 KB). */
const countRequests: Middleware = (next, context) => async (args) => {
  const result = await next(args);
  if (context.commandName === 'PutEventsCommand') {
    current.eventBridgeEvents += ((args.input as { Entries?: unknown[] }).Entries ?? []).length;
  } else current.sqsRequests += 1;
  return result;
};

/** Counts every call the handlers make through their shared clients (functions/commons/clients/). */
function instrumentHandlerClients(): void {
  stackOf(dynamoDb).add(countDynamo, { step: 'initialize', name: 'paysagaCostDynamo' });
  stackOf(sqs).add(countRequests, { step: 'initialize', name: 'paysagaCostSqs' });
  stackOf(eventBridge).add(countRequests, { step: 'initialize', name: 'paysagaCostEvents' });
}

/** Waits until the handlers (the archiver runs after the saga) have made no call for `quietMs`. */
async function quiescent(quietMs = 750, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = JSON.stringify(current);
  let since = Date.now();
  while (Date.now() - since < quietMs && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = JSON.stringify(current);
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

/** Lambda task states of the saga, by the function placeholder in their Resource. */
function lambdaStates(): Map<string, FunctionKey> {
  const definition = JSON.parse(readSagaDefinitionText()) as {
    States: Record<string, { Resource?: string }>;
  };
  const byState = new Map<string, FunctionKey>();
  for (const [name, state] of Object.entries(definition.States)) {
    const key = FUNCTION_KEYS.find((k) => state.Resource === `\${${FUNCTIONS[k].aslPlaceholder}}`);
    if (key) byState.set(name, key);
  }
  return byState;
}

/** Lambda task states of the top-up saga, by the top-up function placeholder in their Resource. */
function topUpLambdaStates(): Map<string, FunctionKey> {
  const definition = JSON.parse(readTopUpDefinitionText()) as {
    States: Record<string, { Resource?: string }>;
  };
  const byState = new Map<string, FunctionKey>();
  for (const [name, state] of Object.entries(definition.States)) {
    const key = FUNCTION_KEYS.find((k) => state.Resource === `\${${FUNCTIONS[k].topUpAslPlaceholder}}`);
    if (key) byState.set(name, key);
  }
  return byState;
}

/** Lambda task states of the refund saga, by the refund function placeholder in their Resource. */
function refundLambdaStates(): Map<string, FunctionKey> {
  const definition = JSON.parse(readRefundDefinitionText()) as {
    States: Record<string, { Resource?: string }>;
  };
  const byState = new Map<string, FunctionKey>();
  for (const [name, state] of Object.entries(definition.States)) {
    const key = FUNCTION_KEYS.find((k) => state.Resource === `\${${FUNCTIONS[k].refundAslPlaceholder}}`);
    if (key) byState.set(name, key);
  }
  return byState;
}

const costOf = (usage: Usage) => {
  const lambdaRequests = Object.values(usage.lambda).reduce((a, b) => a + (b ?? 0), 0);
  const gbSeconds = (Object.entries(usage.lambda) as [FunctionKey, number][]).reduce(
    (sum, [key, count]) => sum + count * (FUNCTIONS[key].memoryMb / 1024) * (ASSUMED_DURATION_MS[key] / 1000),
    0,
  );
  const lines = {
    'Step Functions state transitions': usage.stateTransitions * PRICES_USD.stateTransition,
    'Lambda requests': lambdaRequests * PRICES_USD.lambdaRequest,
    'Lambda GB-s (arm64)': gbSeconds * PRICES_USD.lambdaArmGbSecond,
    'DynamoDB writes (WRU)': usage.writeUnits * PRICES_USD.dynamoWriteRequestUnit,
    'DynamoDB reads (RRU)': usage.readUnits * PRICES_USD.dynamoReadRequestUnit,
    'SQS requests': usage.sqsRequests * PRICES_USD.sqsRequest,
    'EventBridge events': usage.eventBridgeEvents * PRICES_USD.eventBridgeEvent,
  };
  return { lambdaRequests, gbSeconds, lines, total: Object.values(lines).reduce((a, b) => a + b, 0) };
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
  instrumentHandlerClients();
  const dataDir = mkdtempSync(join(tmpdir(), 'paysaga-cost-'));
  const runtime = await startRuntime({
    port: 0,
    memory: true,
    dataDir,
    retryIntervalScale: 0.001,
    log: memoryLog(),
  });
  try {
    const config = {
      endpoint: runtime.endpoint,
      region: runtime.region,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    };
    const sfn = new SFNClient(config);
    const events = new EventBridgeClient(config);
    const ledger = new Ledger({
      doc: new DynamoDocumentClient(config),
      tableName: runtime.names.tables.ledger,
    });
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
    const taskStates = lambdaStates();

    /** One EUR 12.50 payment from a wallet holding `funds` (wallet first: the card pays what it does not cover). */
    const runPayment = async (
      paymentMethod: string,
      funds = 100_000,
    ): Promise<{ usage: Usage; states: string[]; status: string }> => {
      const walletId = `wal_${randomUUID().slice(0, 12)}`;
      await ledger.openWallet(walletId, 'EUR');
      await ledger.deposit(walletId, { value: funds, currency: 'EUR' }, `dep-${walletId}`);
      const paymentId = `pay_${randomUUID().slice(0, 12)}`;
      current = emptyUsage();
      const put = await events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: runtime.names.eventBus,
              Source: 'shop.checkout',
              DetailType: DETAIL_TYPES.paymentRequested,
              Detail: JSON.stringify({
                schemaVersion: '1',
                paymentId,
                walletId,
                merchantId: 'mer_bookshop',
                amount: { value: 1250, currency: 'EUR', exponent: 2 },
                paymentMethod,
                requestedAt: new Date().toISOString(),
              }),
            },
          ],
        }),
      );
      if (put.FailedEntryCount) throw new Error('PutEvents refused the request');
      const executionArn = `${runtime.env.STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${paymentId}`;
      const deadline = Date.now() + 60_000;
      let status = 'RUNNING';
      while (status === 'RUNNING') {
        if (Date.now() > deadline) throw new Error(`saga ${paymentId} did not end within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        status =
          (await sfn.send(new DescribeExecutionCommand({ executionArn })).catch(() => undefined))?.status ??
          'RUNNING';
      }
      await quiescent();
      const { events: history = [] } = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
      );
      const states = history.flatMap((e) => e.stateEnteredEventDetails?.name ?? []);
      const usage = current;
      usage.stateTransitions = states.length;
      // One intake invocation per payment: at ~0.4 payments/s (1M a month) batches hold one message.
      // One archiver invocation per saga: the History rule matches each terminal status change once.
      usage.lambda = { intake: 1, archiveHistory: 1 };
      for (const state of states) {
        const key = taskStates.get(state);
        if (key) usage.lambda[key] = (usage.lambda[key] ?? 0) + 1;
      }
      // Intake queue: EventBridge's SendMessage, the event source's ReceiveMessage and DeleteMessageBatch.
      usage.sqsRequests += 3;
      // The upstream PaymentRequested, plus the outcome events the saga put on the bus.
      usage.eventBridgeEvents +=
        1 + published.filter((e) => (e.detail as { paymentId?: string }).paymentId === paymentId).length;
      return { usage, states, status };
    };

    const topUpStates = topUpLambdaStates();
    /** One top-up put on the bus as a producer (or the front door) puts it, through its saga. */
    const runTopUp = async (
      paymentMethod: string,
    ): Promise<{ usage: Usage; states: string[]; status: string }> => {
      const walletId = `wal_${randomUUID().slice(0, 12)}`;
      await ledger.openWallet(walletId, 'EUR');
      const topUpId = `top_${randomUUID().slice(0, 12)}`;
      current = emptyUsage();
      const put = await events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: runtime.names.eventBus,
              Source: 'wallet.app',
              DetailType: DETAIL_TYPES.topUpRequested,
              Detail: JSON.stringify({
                schemaVersion: '1',
                topUpId,
                walletId,
                amount: { value: 5000, currency: 'EUR', exponent: 2 },
                paymentMethod,
                requestedAt: new Date().toISOString(),
              }),
            },
          ],
        }),
      );
      if (put.FailedEntryCount) throw new Error('PutEvents refused the top-up request');
      const executionArn = `${runtime.env.TOP_UP_STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${topUpId}`;
      const deadline = Date.now() + 60_000;
      let status = 'RUNNING';
      while (status === 'RUNNING') {
        if (Date.now() > deadline) throw new Error(`top-up ${topUpId} did not end within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        status =
          (await sfn.send(new DescribeExecutionCommand({ executionArn })).catch(() => undefined))?.status ??
          'RUNNING';
      }
      await quiescent();
      const { events: history = [] } = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
      );
      const states = history.flatMap((e) => e.stateEnteredEventDetails?.name ?? []);
      const usage = current;
      usage.stateTransitions = states.length;
      // One top-up intake invocation per top-up (no archiver: the History rule matches the payment saga only).
      usage.lambda = { topUpIntake: 1 };
      for (const state of states) {
        const key = topUpStates.get(state);
        if (key) usage.lambda[key] = (usage.lambda[key] ?? 0) + 1;
      }
      // Top-up intake queue: EventBridge's SendMessage, the event source's ReceiveMessage and DeleteMessageBatch.
      usage.sqsRequests += 3;
      usage.eventBridgeEvents +=
        1 + published.filter((e) => (e.detail as { topUpId?: string }).topUpId === topUpId).length;
      return { usage, states, status };
    };

    /** Polls an execution until it ends; its states entered, from its history. */
    const finished = async (
      executionArn: string,
      label: string,
    ): Promise<{ states: string[]; status: string }> => {
      const deadline = Date.now() + 60_000;
      let status = 'RUNNING';
      while (status === 'RUNNING') {
        if (Date.now() > deadline) throw new Error(`${label} did not end within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        status =
          (await sfn.send(new DescribeExecutionCommand({ executionArn })).catch(() => undefined))?.status ??
          'RUNNING';
      }
      await quiescent();
      const { events: history = [] } = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
      );
      return { states: history.flatMap((e) => e.stateEnteredEventDetails?.name ?? []), status };
    };

    const refundStates = refundLambdaStates();
    /**
     * One full refund of a split payment (EUR 12.50: 5.00 from the wallet, 7.50 charged to pm_card_visa),
     * put on the bus as api-refunds or payctl puts RefundRequested: the refund
     * intake, ReserveRefund, RefundAtGateway (the card part), PostReversal, RecordSuccess, PublishSuccess.
     */
    const runRefund = async (): Promise<{
      usage: Usage;
      states: string[];
      status: string;
      gatewayRefunds: number[];
    }> => {
      const walletId = `wal_${randomUUID().slice(0, 12)}`;
      await ledger.openWallet(walletId, 'EUR');
      await ledger.deposit(walletId, { value: 500, currency: 'EUR' }, `dep-${walletId}`);
      const paymentId = `pay_${randomUUID().slice(0, 12)}`;
      const paid = await events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: runtime.names.eventBus,
              Source: 'shop.checkout',
              DetailType: DETAIL_TYPES.paymentRequested,
              Detail: JSON.stringify({
                schemaVersion: '1',
                paymentId,
                walletId,
                merchantId: 'mer_bookshop',
                amount: { value: 1250, currency: 'EUR', exponent: 2 },
                paymentMethod: 'pm_card_visa',
                requestedAt: new Date().toISOString(),
              }),
            },
          ],
        }),
      );
      if (paid.FailedEntryCount) throw new Error('PutEvents refused the payment to refund');
      const payment = await finished(
        `${runtime.env.STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${paymentId}`,
        `saga ${paymentId}`,
      );
      if (!payment.states.includes('Succeeded')) throw new Error(`payment ${paymentId} did not succeed`);
      const refundId = `rf_${randomUUID().slice(0, 12)}`;
      current = emptyUsage();
      const put = await events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: runtime.names.eventBus,
              Source: 'shop.checkout',
              DetailType: DETAIL_TYPES.refundRequested,
              Detail: JSON.stringify({
                schemaVersion: '1',
                refundId,
                paymentId,
                reason: 'customer returned the order',
                requestedAt: new Date().toISOString(),
              }),
            },
          ],
        }),
      );
      if (put.FailedEntryCount) throw new Error('PutEvents refused the refund request');
      const { states, status } = await finished(
        executionArnFor(runtime.env.REFUND_STATE_MACHINE_ARN ?? '', refundExecutionName(paymentId, refundId)),
        `refund ${refundId}`,
      );
      const usage = current;
      usage.stateTransitions = states.length;
      // One refund intake invocation per refund (no archiver: the History rule matches the payment saga only).
      usage.lambda = { refundIntake: 1 };
      for (const state of states) {
        const key = refundStates.get(state);
        if (key) usage.lambda[key] = (usage.lambda[key] ?? 0) + 1;
      }
      // Refund intake queue: EventBridge's SendMessage, the event source's ReceiveMessage and DeleteMessageBatch.
      usage.sqsRequests += 3;
      usage.eventBridgeEvents +=
        1 + published.filter((e) => (e.detail as { refundId?: string }).refundId === refundId).length;
      // The gateway's refunds of the payment's charge (the sandbox records each): one, of the card part.
      const gatewayRefunds = (runtime.sandbox?.refundsFor(paymentId) ?? []).map((r) => r.amount);
      return { usage, states, status, gatewayRefunds };
    };

    const happy = await runPayment('pm_card_visa');
    // A wallet of 5.00: the 7.50 card part is declined, so the 5.00 hold is released (a wallet that covers the
    // whole amount never reaches the card, and the "compensated" saga would be a happy one).
    const compensated = await runPayment('pm_card_chargeDeclined', 500);
    const topUp = await runTopUp('pm_card_visa');
    const refund = await runRefund();
    const report = { happy, compensated, topUp, refund };
    const costs = {
      happy: costOf(happy.usage),
      compensated: costOf(compensated.usage),
      topUp: costOf(topUp.usage),
      refund: costOf(refund.usage),
    };
    if (values.json) {
      console.log(
        JSON.stringify(
          {
            prices: PRICES_USD,
            assumedDurationMs: ASSUMED_DURATION_MS,
            assumedInitMs: ASSUMED_INIT_MS,
            report,
            costs,
            initIfEveryInvocationCold: {
              happy: initCostOf(happy.usage),
              compensated: initCostOf(compensated.usage),
            },
          },
          null,
          2,
        ),
      );
      return;
    }
    const usd = (perSaga: number) => `$${(perSaga * 1e6).toFixed(2)}`;
    console.log(`happy path (${happy.status}): ${happy.states.join(' -> ')}`);
    console.log(`compensated (${compensated.status}): ${compensated.states.join(' -> ')}`);
    console.log('| per saga | happy | compensated (card declined) |');
    console.log('|---|---:|---:|');
    const row = (label: string, pick: (u: Usage) => number | string) =>
      console.log(`| ${label} | ${pick(happy.usage)} | ${pick(compensated.usage)} |`);
    row('state transitions', (u) => u.stateTransitions);
    row('Lambda invocations', (u) =>
      Object.entries(u.lambda)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    );
    row('Lambda GB-s (assumed durations)', (u) => costOf(u).gbSeconds.toFixed(3));
    row('DynamoDB calls', (u) =>
      Object.entries(u.dynamoCalls)
        .map(([k, v]) => `${k.replace('Command', '')} ${v}`)
        .join(', '),
    );
    row('DynamoDB WRU / RRU', (u) => `${u.writeUnits} / ${u.readUnits}`);
    row('SQS requests', (u) => u.sqsRequests);
    row('EventBridge events', (u) => u.eventBridgeEvents);
    console.log('');
    console.log('| per million sagas (USD) | happy | compensated |');
    console.log('|---|---:|---:|');
    for (const label of Object.keys(costs.happy.lines) as (keyof typeof costs.happy.lines)[]) {
      console.log(`| ${label} | ${usd(costs.happy.lines[label])} | ${usd(costs.compensated.lines[label])} |`);
    }
    console.log(`| **total** | **${usd(costs.happy.total)}** | **${usd(costs.compensated.total)}** |`);
    console.log(
      `| Lambda init billed, if every invocation is a cold start (${ASSUMED_INIT_MS} ms each; not in the total) | ${usd(initCostOf(happy.usage))} | ${usd(initCostOf(compensated.usage))} |`,
    );
    console.log('');
    console.log(`top-up (${topUp.status}): ${topUp.states.join(' -> ')}`);
    console.log('| per top-up | succeeded | per million top-ups (USD) |');
    console.log('|---|---:|---:|');
    const topUpRow = (label: string, value: number | string, line?: keyof typeof costs.topUp.lines) =>
      console.log(`| ${label} | ${value} | ${line ? usd(costs.topUp.lines[line]) : ''} |`);
    topUpRow('state transitions', topUp.usage.stateTransitions, 'Step Functions state transitions');
    topUpRow(
      'Lambda invocations',
      Object.entries(topUp.usage.lambda)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      'Lambda requests',
    );
    topUpRow('Lambda GB-s (assumed durations)', costs.topUp.gbSeconds.toFixed(3), 'Lambda GB-s (arm64)');
    topUpRow('DynamoDB WRU', topUp.usage.writeUnits, 'DynamoDB writes (WRU)');
    topUpRow('DynamoDB RRU', topUp.usage.readUnits, 'DynamoDB reads (RRU)');
    topUpRow('SQS requests', topUp.usage.sqsRequests, 'SQS requests');
    topUpRow('EventBridge events', topUp.usage.eventBridgeEvents, 'EventBridge events');
    console.log(`| **total** | | **${usd(costs.topUp.total)}** |`);
    console.log('');
    console.log(`refund (${refund.status}): ${refund.states.join(' -> ')}`);
    console.log('| per refund | succeeded | per million refunds (USD) |');
    console.log('|---|---:|---:|');
    const refundRow = (label: string, value: number | string, line?: keyof typeof costs.refund.lines) =>
      console.log(`| ${label} | ${value} | ${line ? usd(costs.refund.lines[line]) : ''} |`);
    refundRow('state transitions', refund.usage.stateTransitions, 'Step Functions state transitions');
    refundRow(
      'Lambda invocations',
      Object.entries(refund.usage.lambda)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      'Lambda requests',
    );
    refundRow('Lambda GB-s (assumed durations)', costs.refund.gbSeconds.toFixed(3), 'Lambda GB-s (arm64)');
    refundRow(
      'DynamoDB calls',
      Object.entries(refund.usage.dynamoCalls)
        .map(([k, v]) => `${k.replace('Command', '')} ${v}`)
        .join(', '),
    );
    refundRow('DynamoDB WRU', refund.usage.writeUnits, 'DynamoDB writes (WRU)');
    refundRow('DynamoDB RRU', refund.usage.readUnits, 'DynamoDB reads (RRU)');
    refundRow(
      'gateway refunds (minor units; Stripe charges no refund fee)',
      refund.gatewayRefunds.join(', '),
    );
    refundRow('SQS requests', refund.usage.sqsRequests, 'SQS requests');
    refundRow('EventBridge events', refund.usage.eventBridgeEvents, 'EventBridge events');
    console.log(`| **total** | | **${usd(costs.refund.total)}** |`);
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:cost failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
