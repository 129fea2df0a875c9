import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '../../core/aws/eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '../../core/aws/secrets-manager';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '../../core/aws/sfn';
import { SendMessageCommand, SQSClient } from '../../core/aws/sqs';
import { ENV_KEYS } from '../../core/config/env';
import { FUNCTION_KEYS, FUNCTIONS, type FunctionKey, resourceNames } from '../../core/config/names';
import { Ledger, LedgerReader } from '../../core/ledger';
import { money } from '../../core/money';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import { renderSagaDefinition, sagaPlaceholders } from '../../core/saga/definition';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import { lambdaContext } from '../../local/lambda/context';
import { type LocalDynamo, startDynalite } from './dynalite';
import { mockLeanClient } from './lean-aws-mock';
import { type StartedSandbox, startSandbox } from './sandbox';

/**
 * Runs the real ASL in aws-local-stepfunctions with the real handlers, against
 * dynalite and the sandbox gateway. Only the SQS, EventBridge, Step Functions
 * and Secrets Manager APIs are faked, at the SDK client boundary.
 */

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * One scheduled fault for one attempt of a state: throw before the handler runs, or after it did its work;
 * `afterBeforeRecord`: after its work but before Powertools saved the result, so the step's idempotency
 * record stays in progress for `lockMs` (the dead invocation's deadline).
 */
export type Fault =
  | { readonly when: 'before' | 'after'; readonly error: Error }
  | { readonly when: 'afterBeforeRecord'; readonly error: Error; readonly lockMs: number };

/** Per state name, the fault of each attempt in order (undefined = no fault for that attempt). */
export type FaultPlan = Readonly<Record<string, ReadonlyArray<Fault | undefined>>>;

export interface RunOptions {
  readonly faults?: FaultPlan;
  /** Runs before a state's handler on every attempt (e.g. to void a hold behind the saga's back). */
  readonly beforeState?: Readonly<Record<string, () => Promise<void>>>;
  /**
   * States whose in-progress retrier (the first) waits as the ASL says, in real time; every other
   * retry is immediate. For tests of a step locked by a crashed invocation.
   */
  readonly realInProgressWaits?: readonly string[];
}

/** A DynamoDB error the handlers' client answers, before the SDK's own retries (as after them). */
export interface DynamoFault {
  readonly table: keyof LocalDynamo['tables'];
  readonly error: () => Error;
  /** How many matching requests fail; then the table answers again. */
  readonly times: number;
  /** Which requests to fail (default: every request to the table). */
  readonly match?: (input: Record<string, unknown>) => boolean;
}

export interface SagaRun {
  readonly executionArn: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: Record<string, unknown>;
  readonly error?: string;
  readonly cause?: string;
  /** The state where the execution failed (for redrive), when it failed. */
  readonly failedState?: string;
  readonly statesEntered: string[];
  readonly attempts: Readonly<Record<string, number>>;
  /** The raw input each state was entered with, last time. */
  readonly stateInputs: ReadonlyMap<string, unknown>;
}

export interface SentMessage {
  readonly queueUrl: string;
  readonly body: string;
  readonly attributes?: Record<string, { StringValue?: string }>;
}

export class ErrorNamed extends Error {
  constructor(name: string, message = `${name} (injected)`) {
    super(message);
    this.name = name;
  }
}

export class TransientInjectedError extends Error {
  override readonly name = 'GatewayUnavailableError';
}

const STAGE = 'test';
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const functionArn = (key: FunctionKey) =>
  `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${resourceNames(STAGE).functions[key]}`;

export interface SagaHarness {
  readonly dynamo: LocalDynamo;
  readonly gateway: StartedSandbox;
  readonly ledger: Ledger;
  readonly ledgerReader: LedgerReader;
  readonly payments: DynamoPaymentLog;
  readonly handlers: Readonly<Record<FunctionKey, Handler>>;
  readonly names: ReturnType<typeof resourceNames>;
  /** Every SQS message sent (by handlers or by the ASL's sqs:sendMessage states). */
  readonly sentMessages: SentMessage[];
  /** Every event put on the bus (by handlers or by the ASL's events:putEvents states). */
  readonly publishedEvents: PutEventsRequestEntry[];
  /** Sagas started through the faked StartExecution, by execution name. */
  readonly startedSagas: Map<string, Promise<SagaRun>>;
  /** Makes SendMessage to the notification queue fail (to test Notify's dead-lettering). */
  failNotificationsFor: Set<string>;
  run(payment: PaymentRequested, options?: RunOptions): Promise<SagaRun>;
  redrive(run: SagaRun, options?: RunOptions): Promise<SagaRun>;
  invoke(key: FunctionKey, event: unknown): Promise<unknown>;
  /** Makes the handlers' DynamoDB client fail requests as the fault says, from now on. */
  failDynamo(fault: DynamoFault): void;
  openWallet(currency: string, balance: number): Promise<string>;
  payment(overrides?: Partial<PaymentRequested>): PaymentRequested;
  eventsFor(paymentId: string): { detailType: string; detail: Record<string, unknown> }[];
  messagesTo(queueUrl: string, paymentId?: string): SentMessage[];
  stop(): Promise<void>;
}

export async function startSagaHarness(
  options: { gatewayTimeoutMs?: number; gatewayMaxNetworkRetries?: number } = {},
): Promise<SagaHarness> {
  const dynamo = await startDynalite();
  const gateway = await startSandbox();
  const names = resourceNames(STAGE);
  const queueUrl = (name: string) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${names.stateMachine}`;
  const secretId = names.gatewaySecret;

  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_DEV: 'false',
    [ENV_KEYS.stage]: STAGE,
    [ENV_KEYS.ledgerTable]: dynamo.tables.ledger,
    [ENV_KEYS.paymentsTable]: dynamo.tables.payments,
    [ENV_KEYS.idempotencyTable]: dynamo.tables.idempotency,
    [ENV_KEYS.eventBusName]: names.eventBus,
    [ENV_KEYS.stateMachineArn]: stateMachineArn,
    [ENV_KEYS.intakeDlqUrl]: queueUrl(names.queues.intakeDlq),
    [ENV_KEYS.notificationQueueUrl]: queueUrl(names.queues.notification),
    [ENV_KEYS.gatewaySecretId]: secretId,
    // ArchiveHistory reads its bucket when imported (the harness never invokes it).
    [ENV_KEYS.historyBucket]: `${names.eventBus}-history`,
    // So do the webhook functions their key and queues (the harness never invokes them either).
    [ENV_KEYS.webhookKeyId]: 'alias/paysaga-harness-webhooks',
    [ENV_KEYS.webhookDeliveryQueueUrl]: queueUrl(names.queues.webhookDelivery),
    [ENV_KEYS.webhookDlqUrl]: queueUrl(names.queues.webhookDlq),
    [ENV_KEYS.gatewayTimeoutMs]: String(options.gatewayTimeoutMs ?? 400),
    [ENV_KEYS.gatewayMaxNetworkRetries]: String(options.gatewayMaxNetworkRetries ?? 1),
    // Every handler is loaded, the front door's too; it has no clients here.
    [ENV_KEYS.apiClients]: '[]',
    // ... and the CSV import function, which reads its producers' sources when imported.
    [ENV_KEYS.importSources]: '[]',
    // ... and the refund intake and front door, which name the refund saga's executions.
    [ENV_KEYS.refundStateMachineArn]: stateMachineArn.replace(names.stateMachine, names.refundStateMachine),
    [ENV_KEYS.refundIntakeDlqUrl]: queueUrl(names.queues.refundIntakeDlq),
  });

  const sentMessages: SentMessage[] = [];
  const publishedEvents: PutEventsRequestEntry[] = [];
  const startedSagas = new Map<string, Promise<SagaRun>>();
  const startedInputs = new Map<string, string>();
  const failNotificationsFor = new Set<string>();

  mockLeanClient(SecretsManagerClient)
    .on(GetSecretValueCommand, { SecretId: secretId })
    .resolves({ SecretString: JSON.stringify({ apiKey: gateway.apiKey, apiBase: gateway.url }) });
  mockLeanClient(SQSClient)
    .on(SendMessageCommand)
    .callsFake(
      (input: { QueueUrl: string; MessageBody: string; MessageAttributes?: SentMessage['attributes'] }) => {
        const paymentId = input.MessageAttributes?.paymentId?.StringValue;
        if (
          input.QueueUrl.endsWith(names.queues.notification) &&
          paymentId &&
          failNotificationsFor.has(paymentId)
        ) {
          throw new ErrorNamed('QueueDoesNotExist', 'notification queue unavailable (injected)');
        }
        sentMessages.push({
          queueUrl: input.QueueUrl,
          body: input.MessageBody,
          attributes: input.MessageAttributes,
        });
        return { MessageId: randomUUID() };
      },
    );
  mockLeanClient(EventBridgeClient)
    .on(PutEventsCommand)
    .callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      publishedEvents.push(...input.Entries);
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: randomUUID() })) };
    });

  // Handlers read their environment when first imported: only now.
  const handlers = Object.fromEntries(
    await Promise.all(
      FUNCTION_KEYS.map(async (key) => {
        const module = (await import(`../../${FUNCTIONS[key].entry}`)) as { handler: Handler };
        return [key, module.handler] as const;
      }),
    ),
  ) as Record<FunctionKey, Handler>;

  const dynamoFaults: { fault: DynamoFault; left: number }[] = [];
  const { dynamoDb } = (await import('../../functions/commons/clients/dynamodb')) as {
    dynamoDb: { middlewareStack: { add: (mw: unknown, options: unknown) => void } };
  };
  dynamoDb.middlewareStack.add(
    (next: (args: { input: Record<string, unknown> }) => Promise<unknown>) =>
      async (args: { input: Record<string, unknown> }) => {
        const armed = dynamoFaults.find(
          ({ fault, left }) =>
            left > 0 &&
            args.input.TableName === dynamo.tables[fault.table] &&
            (fault.match?.(args.input) ?? true),
        );
        if (armed) {
          armed.left--;
          throw armed.fault.error();
        }
        return next(args);
      },
    // Before the SDK's retry middleware: the step sees the error as it would after the SDK gave up.
    { step: 'initialize', name: 'sagaHarnessDynamoFaults' },
  );
  const { leaveStepInProgress, stepNameOf } = await import('../../functions/commons/powertools');

  const invoke = (key: FunctionKey, event: unknown) =>
    handlers[key](
      structuredClone(event),
      lambdaContext({ functionName: names.functions[key], timeoutSeconds: FUNCTIONS[key].timeoutSeconds }),
    );

  const substitutions = Object.fromEntries(
    sagaPlaceholders().map((placeholder) => {
      const key = FUNCTION_KEYS.find((k) => FUNCTIONS[k].aslPlaceholder === placeholder);
      if (key) return [placeholder, functionArn(key)];
      if (placeholder === 'CompensationDlqUrl') return [placeholder, queueUrl(names.queues.compensationDlq)];
      return [placeholder, queueUrl(names.queues.notificationDlq)];
    }),
  );
  const definition = renderSagaDefinition(substitutions) as {
    StartAt: string;
    States: Record<string, { Type: string; Resource?: string }>;
  };
  const taskStates = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
  const keyByArn = new Map(FUNCTION_KEYS.map((key) => [functionArn(key), key]));

  async function execute(
    executionArn: string,
    startAt: string,
    input: unknown,
    runOptions: RunOptions,
    previous?: SagaRun,
  ): Promise<SagaRun> {
    const attempts: Record<string, number> = { ...previous?.attempts };
    const statesEntered = [...(previous?.statesEntered ?? [])];
    const stateInputs = new Map(previous?.stateInputs);
    const localHandlers = Object.fromEntries(
      taskStates.map(([stateName, state]) => [
        stateName,
        async (taskInput: unknown) => {
          const attempt = attempts[stateName] ?? 0;
          attempts[stateName] = attempt + 1;
          const fault = runOptions.faults?.[stateName]?.[attempt];
          if (fault?.when === 'before') throw fault.error;
          await runOptions.beforeState?.[stateName]?.();
          const result = await runTask(state.Resource ?? '', taskInput);
          if (fault?.when === 'afterBeforeRecord') {
            const key = keyByArn.get(state.Resource ?? '');
            if (!key) throw new Error(`${stateName} invokes no saga function`);
            await leaveStepInProgress(stepNameOf(key), taskInput, fault.lockMs);
          }
          if (fault) throw fault.error;
          return result;
        },
      ]),
    );
    // A redrive starts at the failed state, which leaves earlier states unreachable: skip validation then.
    const validationOptions = startAt === definition.StartAt ? { checkArn: false } : { noValidate: true };
    const machine = new StateMachine({ ...definition, StartAt: startAt } as never, { validationOptions });
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: localHandlers as never,
        retryIntervalOverrides: Object.fromEntries(
          taskStates.map(([name]) => [name, runOptions.realInProgressWaits?.includes(name) ? [-1, 0] : 0]),
        ),
      },
      context: {
        Execution: { Id: executionArn, Name: executionArn.split(':').at(-1), Input: input },
      } as never,
    });
    const logging = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') {
          statesEntered.push(event.state.name);
          stateInputs.set(event.state.name, event.state.input);
        }
      }
    })();
    let result: SagaRun;
    try {
      const output = (await execution.result) as Record<string, unknown>;
      result = { executionArn, status: 'SUCCEEDED', output, statesEntered, attempts, stateInputs };
    } catch (error) {
      await logging;
      // The engine wraps the state's error in an ExecutionError whose cause is the error itself.
      const failed = ((error as Error).cause ?? error) as Error & { cause?: unknown };
      result = {
        executionArn,
        status: 'FAILED',
        error: failed.name,
        cause: typeof failed.cause === 'string' ? failed.cause : failed.message,
        failedState: statesEntered.at(-1),
        statesEntered,
        attempts,
        stateInputs,
      };
    }
    await logging;
    return result;
  }

  async function runTask(resource: string, taskInput: unknown): Promise<unknown> {
    const key = keyByArn.get(resource);
    if (key) return invoke(key, taskInput);
    const params = taskInput as Record<string, unknown>;
    if (resource === 'arn:aws:states:::sqs:sendMessage') {
      sentMessages.push({ queueUrl: String(params.QueueUrl), body: JSON.stringify(params.MessageBody) });
      return { MessageId: randomUUID() };
    }
    if (resource === 'arn:aws:states:::events:putEvents') {
      publishedEvents.push(...(params.Entries as PutEventsRequestEntry[]));
      return { FailedEntryCount: 0 };
    }
    throw new Error(`the harness cannot run resource ${resource}`);
  }

  const run = (payment: PaymentRequested, runOptions: RunOptions = {}) =>
    execute(
      `arn:aws:states:${REGION}:${ACCOUNT}:execution:${names.stateMachine}:${payment.paymentId}`,
      definition.StartAt,
      { payment },
      runOptions,
    );

  mockLeanClient(SFNClient)
    .on(StartExecutionCommand)
    .callsFake(async (input: { name: string; input: string }) => {
      const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${names.stateMachine}:${input.name}`;
      const existing = startedInputs.get(input.name);
      // Like AWS: the same name and input while running returns the execution; closed or different input is refused.
      if (existing !== undefined) {
        const running =
          (await Promise.race([startedSagas.get(input.name), Promise.resolve('running')])) === 'running';
        if (existing === input.input && running) return { executionArn, startDate: new Date() };
        throw new ExecutionAlreadyExists({
          message: `Execution Already Exists: '${executionArn}'`,
          $metadata: {},
        });
      }
      startedInputs.set(input.name, input.input);
      startedSagas.set(input.name, execute(executionArn, definition.StartAt, JSON.parse(input.input), {}));
      return { executionArn, startDate: new Date() };
    })
    .on(DescribeExecutionCommand)
    .callsFake((input: { executionArn: string }) => {
      const name = input.executionArn.split(':').at(-1) ?? '';
      return { executionArn: input.executionArn, input: startedInputs.get(name), status: 'SUCCEEDED' };
    });

  const ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger });
  return {
    dynamo,
    gateway,
    ledger,
    ledgerReader: new LedgerReader(dynamo.doc, dynamo.tables.ledger),
    payments: new DynamoPaymentLog(dynamo.doc, dynamo.tables.payments),
    handlers,
    names,
    sentMessages,
    publishedEvents,
    startedSagas,
    failNotificationsFor,
    run,
    redrive: (previous, runOptions = {}) => {
      const failedState = previous.failedState;
      if (previous.status !== 'FAILED' || !failedState) throw new Error('only a failed run can be redriven');
      return execute(
        previous.executionArn,
        failedState,
        previous.stateInputs.get(failedState),
        runOptions,
        previous,
      );
    },
    invoke,
    failDynamo(fault) {
      dynamoFaults.push({ fault, left: fault.times });
    },
    async openWallet(currency, balance) {
      const walletId = `wal_${randomUUID().slice(0, 12)}`;
      await ledger.openWallet(walletId, currency);
      if (balance > 0) await ledger.deposit(walletId, money(balance, currency), `dep_${walletId}`);
      return walletId;
    },
    payment(overrides = {}) {
      return {
        schemaVersion: '1',
        paymentId: `pay_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
        walletId: 'wal_unset',
        merchantId: 'mer_bookshop',
        amount: { value: 1250, currency: 'EUR', exponent: 2 },
        paymentMethod: 'pm_card_visa',
        description: 'two paperbacks',
        requestedAt: new Date().toISOString(),
        ...overrides,
      };
    },
    eventsFor(paymentId) {
      return publishedEvents
        .map((entry) => ({ detailType: entry.DetailType ?? '', detail: JSON.parse(entry.Detail ?? '{}') }))
        .filter((event) => event.detail.paymentId === paymentId);
    },
    messagesTo(url, paymentId) {
      return sentMessages.filter((m) => m.queueUrl === url && (!paymentId || m.body.includes(paymentId)));
    },
    async stop() {
      await Promise.allSettled(startedSagas.values());
      await gateway.stop();
      await dynamo.stop();
    },
  };
}
