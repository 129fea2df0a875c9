import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Ledger } from '../core/ledger';
import { DETAIL_TYPES, PAYSAGA_SOURCE, SAGA_TERMINAL_STATUS_PATTERN } from '../events/envelope';
import { IN_PROCESS_CHANNEL, type InProcessExchanged } from '../local/edge/in-process';
import type { BusEvent } from '../local/events/eventbridge-service';
import type { Runtime } from '../local/runtime';
import { sdkClients } from '../test/helpers/runtime';
import { type LevelResult, measureLevel, measurePaced } from './measure';

export interface E2eResult extends LevelResult {
  readonly failed: number;
}

/** Requests per saga seen by the edge (AWS API calls by X-Amz-Target) and the sandbox gateway (HTTP paths). */
export interface CallProfile {
  readonly sagas: number;
  readonly perSaga: Record<string, number>;
}

/**
 * End-to-end through the local runtime: each worker puts one PaymentRequested
 * (real PutEvents through the SDK), waits for the saga's terminal status (an
 * EventBridge rule on the Step Functions status events, as an archiver would
 * see them), and sends the next. `concurrency` workers = sagas in flight.
 */
export class E2eBench {
  private readonly waiters = new Map<string, (status: string) => void>();
  private readonly clients: ReturnType<typeof sdkClients>;
  private readonly ledger: Ledger;
  private serial = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly runId: string,
  ) {
    this.clients = sdkClients(runtime);
    this.ledger = new Ledger({ doc: this.clients.documents, tableName: runtime.names.tables.ledger });
    runtime.internals.events.putRule({
      name: `bench-terminal-${runId}`,
      eventBusName: 'default',
      pattern: SAGA_TERMINAL_STATUS_PATTERN(runtime.internals.saga.stateMachineArn),
      targets: [
        {
          id: 'bench',
          arn: 'local:bench',
          synchronous: true,
          deliver: async (event: BusEvent) => {
            const detail = event.detail as { name: string; status: string };
            this.waiters.get(detail.name)?.(detail.status);
          },
        },
      ],
    });
    // A request intake refuses never becomes a saga: its PaymentRejected ends the wait instead.
    runtime.internals.events.putRule({
      name: `bench-rejected-${runId}`,
      eventBusName: runtime.names.eventBus,
      pattern: { source: [PAYSAGA_SOURCE], 'detail-type': [DETAIL_TYPES.paymentRejected] },
      targets: [
        {
          id: 'bench',
          arn: 'local:bench-rejected',
          synchronous: true,
          deliver: async (event: BusEvent) => {
            const detail = event.detail as { paymentId?: string; reason?: string };
            if (detail.paymentId) this.rejections.push(`${detail.paymentId}: ${detail.reason}`);
            if (detail.paymentId) this.waiters.get(detail.paymentId)?.('REJECTED');
          },
        },
      ],
    });
  }

  /** Requests intake rejected, with the reason (none expected: every bench request is valid). */
  readonly rejections: string[] = [];

  private async wallet(label: string): Promise<string> {
    const walletId = `${this.runId}-${label}`;
    await this.ledger.openWallet(walletId, 'EUR');
    await this.ledger.deposit(walletId, { value: 90_000_000, currency: 'EUR' }, `${walletId}-seed`);
    return walletId;
  }

  /** One saga, PutEvents to terminal status; resolves with its status. */
  private async saga(walletId: string): Promise<string> {
    const paymentId = `${this.runId}-${this.serial++}`;
    const ended = new Promise<string>((resolve) => this.waiters.set(paymentId, resolve));
    const result = await this.clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.runtime.names.eventBus,
            Source: 'paysaga.bench',
            DetailType: DETAIL_TYPES.paymentRequested,
            Detail: JSON.stringify({
              schemaVersion: '1',
              paymentId,
              walletId,
              merchantId: 'mer_bench',
              amount: { value: 1250, currency: 'EUR', exponent: 2 },
              paymentMethod: 'pm_card_visa',
              requestedAt: new Date().toISOString(),
            }),
          },
        ],
      }),
    );
    if (result.FailedEntryCount)
      throw new Error(`PutEvents refused the request: ${result.Entries?.[0]?.ErrorMessage}`);
    const status = await ended;
    this.waiters.delete(paymentId);
    return status;
  }

  async level(concurrency: number, sagas: number): Promise<E2eResult> {
    const wallets = await Promise.all(
      Array.from({ length: concurrency }, (_, i) => this.wallet(`c${concurrency}-w${i}-${this.serial}`)),
    );
    let failed = 0;
    const result = await measureLevel(concurrency, sagas, async (worker) => {
      const status = await this.saga(wallets[worker] as string);
      if (status !== 'SUCCEEDED') failed++;
    });
    return { ...result, failed };
  }

  /**
   * Open loop: a saga started every 1/`ratePerSecond` s, whatever is in flight (the latency a producer
   * sending at that rate sees). Wallets are taken in turn from a pool larger than the sagas in flight.
   */
  async paced(ratePerSecond: number, sagas: number): Promise<E2eResult> {
    const pool = Math.max(16, Math.ceil(ratePerSecond));
    const wallets = await Promise.all(
      Array.from({ length: pool }, (_, i) => this.wallet(`paced-w${i}-${this.serial}`)),
    );
    let failed = 0;
    const result = await measurePaced(ratePerSecond, sagas, async (run) => {
      const status = await this.saga(wallets[run % pool] as string);
      if (status !== 'SUCCEEDED') failed++;
    });
    return { ...result, failed };
  }

  /** Runs `sagas` one at a time while counting every HTTP request the edge and the sandbox receive. */
  async profile(sagas: number, gatewayPort: number | undefined): Promise<CallProfile> {
    const edgePort = new URL(this.runtime.endpoint).port;
    const counts: Record<string, number> = {};
    const onRequest = (message: unknown) => {
      const request = (message as { request: IncomingMessage }).request;
      const port = request.socket.localPort;
      const target = request.headers['x-amz-target'];
      let key: string | undefined;
      if (String(port) === edgePort)
        key =
          typeof target === 'string'
            ? target.replace(/^DynamoDB_20120810\./, 'DynamoDB.')
            : edgeRequestWithoutTarget(request);
      else if (port === gatewayPort)
        key = `gateway ${request.method} ${request.url?.replace(/\/pi_[^/?]+/, '/{id}')}`;
      if (key) counts[key] = (counts[key] ?? 0) + 1;
    };
    // The handlers' calls, which the edge answers in process (local/edge/in-process.ts).
    const onInProcess = (message: unknown) => {
      const { port, request } = message as InProcessExchanged;
      if (String(port) !== edgePort) return;
      const key = String(request.headers['x-amz-target']).replace(/^DynamoDB_20120810\./, 'DynamoDB.');
      counts[key] = (counts[key] ?? 0) + 1;
    };
    const wallet = await this.wallet('profile');
    subscribe('http.server.request.start', onRequest);
    subscribe(IN_PROCESS_CHANNEL, onInProcess);
    try {
      for (let i = 0; i < sagas; i++) await this.saga(wallet);
    } finally {
      unsubscribe('http.server.request.start', onRequest);
      unsubscribe(IN_PROCESS_CHANNEL, onInProcess);
    }
    const perSaga = Object.fromEntries(
      Object.entries(counts)
        .sort(([, a], [, b]) => b - a)
        .map(([key, n]) => [key, Math.round((n / sagas) * 10) / 10]),
    );
    return { sagas, perSaga };
  }
}

/**
 * Requests without X-Amz-Target, by the service of their SigV4 scope: S3 REST requests (the history
 * archive) by operation (`x-id`, which the SDK sends) or method, never by object key; SQS query-protocol
 * requests by Action.
 */
function edgeRequestWithoutTarget(request: IncomingMessage): string {
  const url = new URL(request.url ?? '/', 'http://edge');
  const service = /\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(request.headers.authorization ?? '')?.[1];
  if (service === 's3') return `S3.${url.searchParams.get('x-id') ?? request.method}`;
  return `${service ?? 'unsigned'} ${url.searchParams.get('Action') ?? request.method}`;
}
