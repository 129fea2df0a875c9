import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { serveInProcess } from '../core/aws/http';
import { ENV_KEYS } from '../core/config/env';
import { bucketNames, historyRetention } from '../core/config/history';
import {
  FUNCTIONS,
  QUEUE_KEYS,
  QUEUES,
  type ResourceNames,
  redrivePolicy,
  resourceNames,
} from '../core/config/names';
import { ensureTables } from '../core/dynamo/tables';
import { PAYMENT_REQUESTED_PATTERN, SAGA_TERMINAL_STATUS_PATTERN } from '../events/envelope';
import { startDynamoDb } from './dynamodb/dynamodb-service';
import { outboxStream, startOutboxConsumer } from './dynamodb/outbox-wiring';
import { clearStaleInProgress } from './dynamodb/stale-in-progress';
import { lockDataDir } from './edge/data-dir-lock';
import { readJsonFile, writeJsonDurably } from './edge/durable-file';
import { type Edge, startEdge } from './edge/edge-server';
import { inProcessEndpoint } from './edge/in-process';
import { DEFAULT_REGION, LOCAL_ACCOUNT_ID } from './edge/request-context';
import { jsonLineLog, type RuntimeLog } from './edge/runtime-log';
import { EventBridgeService } from './events/eventbridge-service';
import { startFunctionTarget } from './events/function-target';
import { sqsTarget } from './events/sqs-target';
import { apiClientsEnv, type LocalApiClient, loadApiClients } from './frontdoor/api-clients';
import { type FrontDoor, startFrontDoor } from './frontdoor/server';
import { startImports } from './functions/import-wiring';
import { FunctionInvoker, type InvocationFaultHook } from './functions/invoker';
import { refundStateMachineArn, startRefundIntake } from './functions/refund-wiring';
import { functionArn, type LambdaHandler } from './functions/registry';
import { type SagaWiring, startSaga } from './functions/saga-wiring';
import { startTopUpIntake, topUpStateMachineArn } from './functions/topup-wiring';
import { LOCAL_WEBHOOK_KEY_ID, startWebhooks } from './functions/webhook-wiring';
import { SqsPoller } from './intake/sqs-poller';
import { KmsService } from './kms/kms-service';
import { S3Service } from './s3/s3-service';
import { type SandboxGateway, startSandboxGateway } from './sandbox-gateway/server';
import { SecretsManagerService } from './secrets/secrets-service';
import { stateMachineArn } from './sfn/arns';
import { SqsQueryService } from './sqs/query/sqs-query-service';
import { SqsService } from './sqs/sqs-service';
import { startSweeper } from './sweeper';

export interface RuntimeOptions {
  /** Edge port; default 4566, 0 for any free port. */
  readonly port?: number;
  readonly host?: string;
  /** Where tables, queues, executions and secrets live; default `.paysaga/` in the working directory. */
  readonly dataDir?: string;
  /** Run without disk: nothing survives stop(). */
  readonly memory?: boolean;
  readonly stage?: string;
  readonly region?: string;
  /** Start the sandbox gateway and put its secret (default true). */
  readonly sandbox?: boolean;
  /** Poll the intake queue into the intake function (default true). */
  readonly intake?: boolean;
  /** Replace functions' handlers (tests). */
  readonly functionOverrides?: Partial<Record<keyof ResourceNames['functions'], LambdaHandler>>;
  /** Multiplies the saga's Retry intervals (tests: 0.001). */
  readonly retryIntervalScale?: number;
  /** Multiplies every merchant-webhook duration: attempt timeout, back-off, retry window, secret overlap (tests). */
  readonly webhookTimeScale?: number;
  /** Deliver merchant webhooks (poll the notification and delivery queues; default true). */
  readonly webhooks?: boolean;
  /** Where runtime lines go (saga outcomes, errors); default JSON lines on stdout. */
  readonly log?: RuntimeLog;
  /**
   * Called once if the runtime can no longer serve: its DynamoDB worker stopped on its own, after which
   * every DynamoDB request fails. The runtime stays up (answering those errors) until stopped: `npm start`
   * stops and exits non-zero, so the operator (or a supervisor) sees it and starts it again.
   */
  readonly onFatal?: (error: Error) => void;
  /**
   * The HTTP front door (POST/GET /v1/payments): its port (default 4567, or any free port when `port` is 0)
   * and its clients (default: the data dir's api-clients.json); false to not serve it.
   */
  readonly frontDoor?: { readonly port?: number; readonly clients?: readonly LocalApiClient[] } | false;
  /**
   * The expired-hold sweeper's timer (EventBridge Scheduler on AWS): default every SWEEPER.intervalMinutes
   * (core/config/sweeper.ts); `intervalMs` to change it, false for none.
   */
  readonly sweeper?: { readonly intervalMs?: number } | false;
  /** Fault injection for the chaos run (local/chaos/); off unless given, never set by `npm start`. */
  readonly faults?: {
    readonly invocation?: InvocationFaultHook;
    readonly intakeRedelivery?: (record: SQSRecord) => boolean;
  };
}

export interface Runtime {
  readonly endpoint: string;
  /** Absolute data dir, or undefined with `memory`. */
  readonly dataDir: string | undefined;
  readonly names: ResourceNames;
  readonly region: string;
  readonly sandbox: SandboxGateway | undefined;
  /** The front door's URL and clients (with their API keys), unless it was turned off. */
  readonly frontDoor: { readonly url: string; readonly clients: readonly LocalApiClient[] } | undefined;
  /** The environment an AWS SDK v3 client (or a handler) needs to use this runtime. */
  readonly env: Readonly<Record<string, string>>;
  /** In-process services, for tests and the demo; callers outside local/ use the endpoint. */
  readonly internals: {
    readonly sqs: SqsService;
    readonly s3: S3Service;
    readonly events: EventBridgeService;
    readonly secrets: SecretsManagerService;
    readonly functions: FunctionInvoker;
    readonly saga: SagaWiring;
  };
  stop(): Promise<void>;
}

/** The sandbox accepts any test-mode key; this one says where it came from. */
const LOCAL_GATEWAY_API_KEY = 'sk_test_paysaga_local';

/** The environment of paysaga's functions (ENV_KEYS) plus the standard AWS SDK settings. */
export function runtimeEnv(endpoint: string, region: string, names: ResourceNames): Record<string, string> {
  const queueUrl = (name: string) => `${endpoint}/${LOCAL_ACCOUNT_ID}/${name}`;
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    [ENV_KEYS.stage]: names.stage,
    [ENV_KEYS.ledgerTable]: names.tables.ledger,
    [ENV_KEYS.paymentsTable]: names.tables.payments,
    [ENV_KEYS.idempotencyTable]: names.tables.idempotency,
    [ENV_KEYS.eventBusName]: names.eventBus,
    [ENV_KEYS.stateMachineArn]: stateMachineArn(region, LOCAL_ACCOUNT_ID, names.stateMachine),
    [ENV_KEYS.intakeDlqUrl]: queueUrl(names.queues.intakeDlq),
    [ENV_KEYS.topUpStateMachineArn]: topUpStateMachineArn(names, region),
    [ENV_KEYS.topUpIntakeDlqUrl]: queueUrl(names.queues.topUpIntakeDlq),
    [ENV_KEYS.refundStateMachineArn]: refundStateMachineArn(names, region),
    [ENV_KEYS.refundIntakeDlqUrl]: queueUrl(names.queues.refundIntakeDlq),
    [ENV_KEYS.notificationQueueUrl]: queueUrl(names.queues.notification),
    [ENV_KEYS.gatewaySecretId]: names.gatewaySecret,
    [ENV_KEYS.webhookDeliveryQueueUrl]: queueUrl(names.queues.webhookDelivery),
    [ENV_KEYS.webhookDlqUrl]: queueUrl(names.queues.webhookDlq),
    [ENV_KEYS.webhookKeyId]: `arn:aws:kms:${region}:${LOCAL_ACCOUNT_ID}:key/${LOCAL_WEBHOOK_KEY_ID}`,
    [ENV_KEYS.webhookUrlMode]: 'local',
    [ENV_KEYS.historyBucket]: bucketNames(names.stage).history,
    [ENV_KEYS.importBucket]: bucketNames(names.stage).imports,
    [ENV_KEYS.paymentRecordTtlDays]: String(historyRetention(names.stage).paymentRecordTtlDays),
  };
}

/**
 * Starts the sandbox gateway, on the port it had last time when that is free:
 * handlers cache the gateway secret (its apiBase) per process, so a runtime
 * restarted in the same process keeps working.
 */
async function startSandbox(dataDir: string | undefined): Promise<SandboxGateway> {
  if (!dataDir) return startSandboxGateway({});
  const stateFile = join(dataDir, 'runtime.json');
  const state = readJsonFile<{ sandboxPort?: number }>(stateFile, {});
  const dataFile = join(dataDir, 'sandbox-gateway.jsonl');
  let sandbox: SandboxGateway;
  try {
    sandbox = await startSandboxGateway({ dataFile, port: state.sandboxPort ?? 0 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    sandbox = await startSandboxGateway({ dataFile, port: 0 });
  }
  writeJsonDurably(stateFile, { ...state, sandboxPort: sandbox.port });
  return sandbox;
}

async function createQueues(sqs: SqsService, names: ResourceNames): Promise<void> {
  // Dead-letter queues first: a RedrivePolicy names its DLQ by ARN.
  const ordered = [...QUEUE_KEYS].sort(
    (a, b) => Number(Boolean(QUEUES[a].redrive)) - Number(Boolean(QUEUES[b].redrive)),
  );
  for (const key of ordered) {
    const spec = QUEUES[key];
    const policy =
      spec.redrive && redrivePolicy(key, sqs.queueArn(names.queues[spec.redrive.deadLetterQueue]));
    await sqs.ensureQueue(names.queues[key], {
      VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(spec.retentionDays * 24 * 3600),
      ...(policy && { RedrivePolicy: policy }),
    });
  }
}

/**
 * Starts paysaga locally: one edge endpoint speaking the AWS JSON protocols
 * (DynamoDB by dynalite, SQS by fauxqs, EventBridge, Step Functions, Secrets
 * Manager), wired from the same names, patterns and ASL as stacks/, with the
 * handlers in-process and the intake queue polled like a Lambda event source.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const stage = options.stage ?? 'local';
  const region = options.region ?? DEFAULT_REGION;
  const names = resourceNames(stage);
  const log = options.log ?? jsonLineLog();
  const dataDir = options.memory ? undefined : resolve(options.dataDir ?? '.paysaga');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;

  const stops: Array<() => Promise<void>> = [async () => unlock()];
  const stop = async () => {
    for (const step of stops.reverse()) {
      try {
        await step();
      } catch (error) {
        log.error('stop step failed', error);
      }
    }
  };

  try {
    // The outbox's table stream: dynalite has none, so the DynamoDB service logs that table's writes.
    const outbox = outboxStream(names, dataDir);
    // Not waited for here: dynalite loads on its worker (~0.2-0.6 s) while the services below start; a
    // worker that fails to start rejects it (awaited before the first DynamoDB request, ensureTables).
    const dynamodbStarting = startDynamoDb({
      ...(dataDir && { dataDir }),
      streams: [outbox],
      onStopped: (error) => {
        log.error('the local DynamoDB stopped: every DynamoDB request now fails until a restart', error);
        options.onFatal?.(error);
      },
    });
    dynamodbStarting.catch(() => undefined);
    stops.push(async () => (await dynamodbStarting.catch(() => undefined))?.close());
    const secrets = new SecretsManagerService({ region, ...(dataDir && { dataDir }) });
    const kms = new KmsService({ region, ...(dataDir && { dataDir }) });
    const events = new EventBridgeService({
      region,
      onDeliveryError: (error, rule, target) =>
        log.error(`event delivery to ${target} of rule ${rule} failed`, error),
    });
    const edge: Edge = await startEdge({
      port: options.port ?? 4566,
      ...(options.host && { host: options.host }),
      region,
      services: [secrets, events, kms],
      onInternalError: (error, target) => log.error(`edge request ${target} failed`, error),
    });
    stops.push(() => edge.close());
    // The handlers run in this process: their AWS calls reach the edge without the loopback socket.
    const servedInProcess = serveInProcess(new URL(edge.endpoint).origin, inProcessEndpoint(edge));
    stops.push(async () => servedInProcess());
    const apiClients =
      options.frontDoor === false ? [] : (options.frontDoor?.clients ?? loadApiClients(dataDir));
    const env = {
      ...runtimeEnv(edge.endpoint, region, names),
      [ENV_KEYS.apiClients]: apiClientsEnv(apiClients),
      // The CSV import's producers locally: the front door's clients, each under its own source.
      [ENV_KEYS.importSources]: JSON.stringify([...new Set(apiClients.map((client) => client.source))]),
      ...(options.webhookTimeScale !== undefined && {
        [ENV_KEYS.webhookTimeScale]: String(options.webhookTimeScale),
      }),
    };
    // Handlers run in this process and build their SDK clients from these at load time.
    for (const [key, value] of Object.entries(env)) process.env[key] = value;
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

    const sqs = await SqsService.start({ endpoint: edge.endpoint, region, ...(dataDir && { dataDir }) });
    stops.push(() => sqs.close());
    edge.addRawService(sqs);
    edge.addQueryService(
      new SqsQueryService({
        sqs,
        onInternalError: (error, action) => log.error(`SQS query request ${action} failed`, error),
      }),
    );
    await createQueues(sqs, names);

    // S3 (the history archive): fauxqs's S3 behind the same edge, objects as files under <dataDir>/s3.
    const s3 = await S3Service.start({ region, ...(dataDir && { dataDir }) });
    stops.push(() => s3.close());
    edge.addRestService(s3);
    s3.ensureBucket(bucketNames(names.stage).history);

    events.createEventBus(names.eventBus);
    events.putRule({
      name: names.intakeRule,
      eventBusName: names.eventBus,
      pattern: PAYMENT_REQUESTED_PATTERN,
      description: 'PaymentRequested -> intake queue',
      targets: [
        sqsTarget({
          id: 'intake-queue',
          sqs,
          queueName: names.queues.intake,
          deadLetterQueueName: names.queues.intakeRuleDlq,
        }),
      ],
    });
    stops.push(() => events.drain());

    edge.addRawService(await dynamodbStarting);
    const dynamoClient = new DynamoDBClient({
      endpoint: edge.endpoint,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTables(dynamoClient, names.tables);
    const cleared = await clearStaleInProgress(dynamoClient, names.tables.idempotency);
    if (cleared > 0)
      log.info('idempotency records of steps killed with the previous run cleared', { cleared });

    let sandbox: SandboxGateway | undefined;
    if (options.sandbox ?? true) {
      sandbox = await startSandbox(dataDir);
      const started = sandbox;
      stops.push(() => started.stop());
      secrets.putSecret(
        names.gatewaySecret,
        JSON.stringify({ apiKey: LOCAL_GATEWAY_API_KEY, apiBase: sandbox.url }),
      );
    }

    const functions = new FunctionInvoker({
      names,
      region,
      ...(options.functionOverrides && { overrides: options.functionOverrides }),
      ...(options.faults?.invocation && { faults: options.faults.invocation }),
    });
    const saga = await startSaga({
      names,
      region,
      functions,
      sqs,
      events,
      log,
      ...(dataDir && { dataDir }),
      ...(options.retryIntervalScale !== undefined && { retryIntervalScale: options.retryIntervalScale }),
    });
    edge.addService(saga.service);
    stops.push(() => saga.stop());

    // The queue pollers stop together: each waits out its long poll (up to 1 s), one after the other
    // made every stop take ~5 s.
    const pollerStops: Array<() => Promise<void>> = [];
    stops.push(async () => {
      await Promise.all(pollerStops.map((stopPoller) => stopPoller()));
    });

    // Finance history: terminal status changes of the saga go to the archiver, as stacks/History.ts wires it.
    const archiver = await startFunctionTarget({
      id: 'archive-history',
      sqs,
      functionArn: functionArn(region, LOCAL_ACCOUNT_ID, names.functions.archiveHistory),
      bufferQueueName: `local-eventbridge-${names.sagaEndedRule}`,
      visibilityTimeoutSeconds: Math.max(60, FUNCTIONS.archiveHistory.timeoutSeconds * 2),
      region,
      invoke: (event) => functions.invoke('archiveHistory', event),
      onError: (error) => log.error('history archiver failed; the event is retried', error),
    });
    pollerStops.push(() => archiver.stop());
    events.putRule({
      name: names.sagaEndedRule,
      eventBusName: 'default',
      pattern: SAGA_TERMINAL_STATUS_PATTERN(saga.stateMachineArn),
      description: 'Terminal status changes of the payment saga go to the history archiver',
      targets: [archiver.target],
    });

    if (options.sweeper !== false) {
      const sweeper = startSweeper({
        ...(options.sweeper?.intervalMs !== undefined && { intervalMs: options.sweeper.intervalMs }),
        invoke: () => functions.invoke('sweepHolds', {}),
        log,
      });
      stops.push(() => sweeper.stop());
    }

    if (options.intake ?? true) {
      const released = await sqs.releaseInFlight(names.queues.intake);
      if (released > 0) log.info('intake messages of the previous run released', { released });
      const poller = new SqsPoller({
        sqs,
        queueName: names.queues.intake,
        region,
        invoke: (event) => functions.invoke('intake', event),
        onError: (error) => log.error('intake batch failed', error),
        ...(options.faults?.intakeRedelivery && { redeliver: options.faults.intakeRedelivery }),
      });
      poller.start();
      pollerStops.push(() => poller.stop());
      const topUpIntake = await startTopUpIntake({ names, region, sqs, events, functions, log });
      pollerStops.push(() => topUpIntake.stop());
      const refundIntake = await startRefundIntake({ names, region, sqs, events, functions, log });
      pollerStops.push(() => refundIntake.stop());
    }

    // CSV batch import: the imports bucket's uploads under incoming/ go to importCsv, as stacks/Imports.ts wires it.
    const imports = await startImports({ names, region, sqs, s3, functions, log });
    pollerStops.push(() => imports.stop());

    if (options.webhooks ?? true) {
      const webhooks = await startWebhooks({ names, region, sqs, functions, log });
      pollerStops.push(() => webhooks.stop());
    }

    const outboxConsumer = startOutboxConsumer({
      stream: outbox,
      dynamodb: dynamoClient,
      region,
      names,
      functions,
      sqs,
      log,
    });
    stops.push(() => outboxConsumer.stop());

    let frontDoor: FrontDoor | undefined;
    if (options.frontDoor !== false) {
      frontDoor = await startFrontDoor({
        port: options.frontDoor?.port ?? (options.port === 0 ? 0 : 4567),
        ...(options.host && { host: options.host }),
        clients: apiClients,
        invoke: (key, event) => functions.invoke(key, event),
        onError: (error) => log.error('front door request failed', error),
      });
      const started = frontDoor;
      stops.push(() => started.close());
    }

    return {
      endpoint: edge.endpoint,
      dataDir,
      names,
      region,
      sandbox,
      frontDoor: frontDoor && { url: frontDoor.url, clients: apiClients },
      env,
      internals: { sqs, s3, events, secrets, functions, saga },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
