/**
 * The one place where paysaga's resource names, queue wiring and saga state
 * names are defined. stacks/, local/, the CLI and the tests all read these, so
 * a queue's redrive policy or a state name is never written twice.
 */

export const APP_NAME = 'paysaga';

export const STAGES = ['local', 'dev', 'prod'] as const;
export type Stage = string;

/** Queues, in the order operations sees them. `dlqOf` names the source queue a DLQ redrives to. */
export const QUEUE_KEYS = [
  'intake',
  'intakeDlq',
  'intakeRuleDlq',
  'notification',
  'notificationDlq',
  'outboxDlq',
  'compensationDlq',
  'topUpIntake',
  'topUpIntakeDlq',
  'webhookDelivery',
  'webhookDlq',
  'refundIntake',
  'refundIntakeDlq',
] as const;
export type QueueKey = (typeof QUEUE_KEYS)[number];

export interface QueueSpec {
  readonly suffix: string;
  /** Seconds a received message stays invisible; >= 6x the consumer's timeout as AWS advises. */
  readonly visibilityTimeoutSeconds: number;
  readonly retentionDays: number;
  /** Set on source queues: where a message goes after maxReceiveCount receives. */
  readonly redrive?: { readonly deadLetterQueue: QueueKey; readonly maxReceiveCount: number };
  /** Set on dead-letter queues: what they hold, for `payctl dlq list`. */
  readonly deadLetter?: { readonly description: string; readonly redrivesTo?: QueueKey };
}

export const QUEUES: Readonly<Record<QueueKey, QueueSpec>> = {
  intake: {
    suffix: 'intake',
    visibilityTimeoutSeconds: 180,
    retentionDays: 4,
    redrive: { deadLetterQueue: 'intakeDlq', maxReceiveCount: 5 },
  },
  intakeDlq: {
    suffix: 'intake-dlq',
    visibilityTimeoutSeconds: 30,
    retentionDays: 14,
    deadLetter: { description: 'PaymentRequested events that could not start a saga', redrivesTo: 'intake' },
  },
  intakeRuleDlq: {
    suffix: 'intake-rule-dlq',
    visibilityTimeoutSeconds: 30,
    retentionDays: 14,
    deadLetter: {
      description: 'events EventBridge could not deliver to the intake queue',
      redrivesTo: 'intake',
    },
  },
  notification: {
    suffix: 'notification',
    visibilityTimeoutSeconds: 60,
    retentionDays: 4,
    redrive: { deadLetterQueue: 'notificationDlq', maxReceiveCount: 5 },
  },
  notificationDlq: {
    suffix: 'notification-dlq',
    visibilityTimeoutSeconds: 30,
    retentionDays: 14,
    deadLetter: {
      description: 'merchant notifications that could not be delivered',
      redrivesTo: 'notification',
    },
  },
  /** The outbox's on-failure destination: stream batches publish-outbox could not publish after its retries. */
  outboxDlq: {
    suffix: 'outbox-dlq',
    visibilityTimeoutSeconds: 30,
    retentionDays: 14,
    deadLetter: {
      description:
        'front-door requests the outbox could not put on the bus after its retries (stream batch positions; each request stays recorded, unpublished)',
    },
  },
  compensationDlq: {
    suffix: 'compensation-dlq',
    visibilityTimeoutSeconds: 30,
    retentionDays: 14,
    deadLetter: {
      description:
        'compensations that failed after their retries: payments (refund, release) and top-ups (kind top-up-compensation: refund)',
    },
  },
  /** TopUpRequested events (the front door's and producers' own), for the top-up intake function. */
  topUpIntake: {
    suffix: 'top-up-intake',
    visibilityTimeoutSeconds: 180,
    retentionDays: 4,
    redrive: { deadLetterQueue: 'topUpIntakeDlq', maxReceiveCount: 5 },
  },
  /** Its own DLQ (not the intake DLQ): a redrive must go back to the top-up intake, which starts top-ups. */
  topUpIntakeDlq: {
    suffix: 'top-up-intake-dlq',
    visibilityTimeoutSeconds: 30,
    retentionDays: 14,
    deadLetter: {
      description:
        'TopUpRequested events that could not start a top-up (rejected with a reason, or undeliverable)',
      redrivesTo: 'topUpIntake',
    },
  },
  /**
   * One message per (webhook event, endpoint): each delivery retried on its own with SQS DelaySeconds
   * (core/webhooks/deliver.ts). The redrive only catches a delivery function that keeps failing.
   */
  webhookDelivery: {
    suffix: 'webhook-delivery',
    visibilityTimeoutSeconds: 180,
    retentionDays: 4,
    redrive: { deadLetterQueue: 'webhookDlq', maxReceiveCount: 5 },
  },
  webhookDlq: {
    suffix: 'webhook-dlq',
    visibilityTimeoutSeconds: 30,
    retentionDays: 14,
    deadLetter: {
      description:
        'webhook deliveries that failed for their whole retry window (deadLetter.reason in the body); a redrive starts a new window',
      redrivesTo: 'webhookDelivery',
    },
  },
  /** RefundRequested events (the front door's, payctl's and producers' own), for the refund intake function. */
  refundIntake: {
    suffix: 'refund-intake',
    visibilityTimeoutSeconds: 180,
    retentionDays: 4,
    redrive: { deadLetterQueue: 'refundIntakeDlq', maxReceiveCount: 5 },
  },
  /** Its own DLQ: a redrive must go back to the refund intake, which starts refunds. */
  refundIntakeDlq: {
    suffix: 'refund-intake-dlq',
    visibilityTimeoutSeconds: 30,
    retentionDays: 14,
    deadLetter: {
      description:
        'RefundRequested events that could not start a refund (rejected with a reason, or undeliverable)',
      redrivesTo: 'refundIntake',
    },
  },
};

export const TABLE_KEYS = ['ledger', 'payments', 'idempotency'] as const;
export type TableKey = (typeof TABLE_KEYS)[number];

/** Every table has the same key shape: a string partition key `pk` and sort key `sk`. */
export const TABLE_KEY_SCHEMA = { partitionKey: 'pk', sortKey: 'sk' } as const;
/** The idempotency table uses Powertools' default key `id` and TTL attribute `expiration`. */
export const IDEMPOTENCY_TABLE = { partitionKey: 'id', ttlAttribute: 'expiration' } as const;

/** Lambda functions; `entry` is relative to the repository root. */
export const FUNCTION_KEYS = [
  'intake',
  'reserve',
  'charge',
  'settle',
  'notify',
  'releaseFunds',
  'refundCharge',
  'recordOutcome',
  'archiveHistory',
  'sweepHolds',
  'apiSubmit',
  'publishOutbox',
  'apiRead',
  'apiWalletsWrite',
  'apiWalletsRead',
  'topUpIntake',
  'topUpCharge',
  'topUpCredit',
  'topUpRefund',
  'topUpRecordOutcome',
  'apiTopUpSubmit',
  'apiTopUpRead',
  'webhookFanout',
  'webhookDeliver',
  'apiWebhooks',
  'refundIntake',
  'refundReserve',
  'refundAtGateway',
  'refundPostReversal',
  'refundRelease',
  'refundRecordOutcome',
  'apiRefunds',
  'importCsv',
] as const;
export type FunctionKey = (typeof FUNCTION_KEYS)[number];

export interface FunctionSpec {
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Placeholder in workflows/payment-saga.asl.json substituted with this function's ARN. */
  readonly aslPlaceholder?: string;
  /** Placeholder in workflows/top-up-saga.asl.json (TOP_UP_ASL_FILE) substituted with this function's ARN. */
  readonly topUpAslPlaceholder?: string;
  /** Placeholder in workflows/refund-saga.asl.json substituted with this function's ARN. */
  readonly refundAslPlaceholder?: string;
}

export const FUNCTIONS: Readonly<Record<FunctionKey, FunctionSpec>> = {
  intake: { entry: 'functions/intake.ts', memoryMb: 512, timeoutSeconds: 30 },
  reserve: {
    entry: 'functions/reserve.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    aslPlaceholder: 'ReserveFunctionArn',
  },
  charge: {
    entry: 'functions/charge.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    aslPlaceholder: 'ChargeFunctionArn',
  },
  settle: {
    entry: 'functions/settle.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    aslPlaceholder: 'SettleFunctionArn',
  },
  notify: {
    entry: 'functions/notify.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    aslPlaceholder: 'NotifyFunctionArn',
  },
  releaseFunds: {
    entry: 'functions/release-funds.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    aslPlaceholder: 'ReleaseFundsFunctionArn',
  },
  refundCharge: {
    entry: 'functions/refund-charge.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    aslPlaceholder: 'RefundChargeFunctionArn',
  },
  recordOutcome: {
    entry: 'functions/record-outcome.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    aslPlaceholder: 'RecordOutcomeFunctionArn',
  },
  /** Writes the immutable saga history archive on the saga's terminal status change (finance). */
  archiveHistory: { entry: 'functions/archive-history.ts', memoryMb: 256, timeoutSeconds: 30 },
  /** The expired-hold sweeper, on a schedule (EventBridge Scheduler; a timer locally): core/sweeper/. */
  sweepHolds: { entry: 'functions/sweep-holds.ts', memoryMb: 512, timeoutSeconds: 300 },
  /** Front door: POST /v1/payments (validates, records the client's request, puts PaymentRequested). */
  apiSubmit: { entry: 'functions/api-submit.ts', memoryMb: 512, timeoutSeconds: 10 },
  /** Front door's outbox: publishes recorded requests not yet on the bus, from the payments table's stream. */
  publishOutbox: { entry: 'functions/publish-outbox.ts', memoryMb: 256, timeoutSeconds: 30 },
  /** Front door: GET /v1/payments/{paymentId} and GET /v1/openapi.json. */
  apiRead: { entry: 'functions/api-read.ts', memoryMb: 256, timeoutSeconds: 10 },
  /** Front door: POST /v1/wallets (opens a wallet in the ledger, records the client as its owner). */
  apiWalletsWrite: { entry: 'functions/api-wallets-write.ts', memoryMb: 256, timeoutSeconds: 10 },
  /** Front door: GET /v1/wallets/{walletId} and its statement (the caller's own wallets). */
  apiWalletsRead: { entry: 'functions/api-wallets-read.ts', memoryMb: 256, timeoutSeconds: 10 },
  /** Top-up intake: validates TopUpRequested and starts the top-up saga (execution name = topUpId). */
  topUpIntake: { entry: 'functions/topup-intake.ts', memoryMb: 512, timeoutSeconds: 30 },
  topUpCharge: {
    entry: 'functions/topup-charge.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    topUpAslPlaceholder: 'TopUpChargeFunctionArn',
  },
  topUpCredit: {
    entry: 'functions/topup-credit.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    topUpAslPlaceholder: 'TopUpCreditFunctionArn',
  },
  topUpRefund: {
    entry: 'functions/topup-refund.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    topUpAslPlaceholder: 'TopUpRefundFunctionArn',
  },
  topUpRecordOutcome: {
    entry: 'functions/topup-record-outcome.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    topUpAslPlaceholder: 'TopUpRecordOutcomeFunctionArn',
  },
  /** Front door: POST /v1/wallets/{walletId}/top-ups (validates, records, puts TopUpRequested). */
  apiTopUpSubmit: { entry: 'functions/api-topups-submit.ts', memoryMb: 512, timeoutSeconds: 10 },
  /** Front door: GET /v1/wallets/{walletId}/top-ups/{topUpId}. */
  apiTopUpRead: { entry: 'functions/api-topups-read.ts', memoryMb: 256, timeoutSeconds: 10 },
  /** Merchant webhooks: the notification queue's consumer, one delivery message per subscribed endpoint. */
  webhookFanout: { entry: 'functions/webhook-fanout.ts', memoryMb: 256, timeoutSeconds: 30 },
  /** Merchant webhooks: one signed attempt per delivery message (10 s each, in parallel), retried by SQS delay. */
  webhookDeliver: { entry: 'functions/webhook-deliver.ts', memoryMb: 256, timeoutSeconds: 30 },
  /** Front door: /v1/webhook-endpoints (create, read, delete, rotate-secret; the caller's own endpoints). */
  apiWebhooks: { entry: 'functions/api-webhooks.ts', memoryMb: 256, timeoutSeconds: 10 },
  /** Refund intake: validates RefundRequested, records it and starts the refund saga (refundExecutionName). */
  refundIntake: { entry: 'functions/refund-intake.ts', memoryMb: 512, timeoutSeconds: 30 },
  refundReserve: {
    entry: 'functions/refund-reserve.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    refundAslPlaceholder: 'RefundReserveFunctionArn',
  },
  refundAtGateway: {
    entry: 'functions/refund-at-gateway.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    refundAslPlaceholder: 'RefundAtGatewayFunctionArn',
  },
  refundPostReversal: {
    entry: 'functions/refund-post-reversal.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    refundAslPlaceholder: 'RefundPostReversalFunctionArn',
  },
  refundRelease: {
    entry: 'functions/refund-release.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    refundAslPlaceholder: 'RefundReleaseFunctionArn',
  },
  refundRecordOutcome: {
    entry: 'functions/refund-record-outcome.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    refundAslPlaceholder: 'RefundRecordOutcomeFunctionArn',
  },
  /** Front door: POST /v1/payments/{paymentId}/refunds and GET .../refunds/{refundId}. */
  apiRefunds: { entry: 'functions/api-refunds.ts', memoryMb: 256, timeoutSeconds: 10 },
  /** CSV batch import: S3 ObjectCreated under incoming/<source>/ -> PaymentRequested per valid row (core/imports/). */
  importCsv: { entry: 'functions/import-csv.ts', memoryMb: 1024, timeoutSeconds: 900 },
};

/**
 * The front door's HTTP contract: routes, OAuth scopes (a Cognito resource
 * server on AWS, the local API-key file locally) and default per-client limits.
 */
export const API = {
  basePath: 'v1',
  routes: {
    submitPayment: { method: 'POST', path: '/v1/payments', function: 'apiSubmit', scope: 'write' },
    getPayment: { method: 'GET', path: '/v1/payments/{paymentId}', function: 'apiRead', scope: 'read' },
    openApi: { method: 'GET', path: '/v1/openapi.json', function: 'apiRead', scope: 'read' },
    openWallet: { method: 'POST', path: '/v1/wallets', function: 'apiWalletsWrite', scope: 'walletsWrite' },
    getWallet: {
      method: 'GET',
      path: '/v1/wallets/{walletId}',
      function: 'apiWalletsRead',
      scope: 'walletsRead',
    },
    walletStatement: {
      method: 'GET',
      path: '/v1/wallets/{walletId}/transactions',
      function: 'apiWalletsRead',
      scope: 'walletsRead',
    },
    topUpWallet: {
      method: 'POST',
      path: '/v1/wallets/{walletId}/top-ups',
      function: 'apiTopUpSubmit',
      scope: 'walletsWrite',
    },
    getTopUp: {
      method: 'GET',
      path: '/v1/wallets/{walletId}/top-ups/{topUpId}',
      function: 'apiTopUpRead',
      scope: 'walletsRead',
    },
    createWebhookEndpoint: {
      method: 'POST',
      path: '/v1/webhook-endpoints',
      function: 'apiWebhooks',
      scope: 'webhooksWrite',
    },
    getWebhookEndpoint: {
      method: 'GET',
      path: '/v1/webhook-endpoints/{endpointId}',
      function: 'apiWebhooks',
      scope: 'webhooksRead',
    },
    deleteWebhookEndpoint: {
      method: 'DELETE',
      path: '/v1/webhook-endpoints/{endpointId}',
      function: 'apiWebhooks',
      scope: 'webhooksWrite',
    },
    requestRefund: {
      method: 'POST',
      path: '/v1/payments/{paymentId}/refunds',
      function: 'apiRefunds',
      scope: 'write',
    },
    getRefund: {
      method: 'GET',
      path: '/v1/payments/{paymentId}/refunds/{refundId}',
      function: 'apiRefunds',
      scope: 'read',
    },
    rotateWebhookSecret: {
      method: 'POST',
      path: '/v1/webhook-endpoints/{endpointId}/rotate-secret',
      function: 'apiWebhooks',
      scope: 'webhooksWrite',
    },
  },
  idempotencyHeader: 'Idempotency-Key',
  resourceServer: 'paysaga-api',
  scopes: {
    write: 'payments.write',
    read: 'payments.read',
    walletsWrite: 'wallets.write',
    walletsRead: 'wallets.read',
    webhooksWrite: 'webhooks.write',
    webhooksRead: 'webhooks.read',
  },
  /** Per client unless its configuration says otherwise: requests/second and burst (API Gateway usage plan). */
  defaultThrottle: { rateLimit: 50, burstLimit: 100 },
} as const satisfies {
  /** `scope`: what the caller's token must carry (the authorizer's scopes on AWS, the handler checks it too). */
  routes: Record<
    string,
    {
      method: string;
      path: string;
      function: FunctionKey;
      scope: 'write' | 'read' | 'walletsWrite' | 'walletsRead' | 'webhooksWrite' | 'webhooksRead';
    }
  >;
  [key: string]: unknown;
};

/** A scope as it appears in an access token: `<resource server>/<scope>`. */
export function apiScope(scope: keyof typeof API.scopes): string {
  return `${API.resourceServer}/${API.scopes[scope]}`;
}

/**
 * Non-function placeholders in the ASL file. The outcome events' bus is not one:
 * RecordOutcome builds complete PutEvents entries from its EVENT_BUS_NAME.
 */
export const ASL_RESOURCE_PLACEHOLDERS = {
  compensationDlqUrl: 'CompensationDlqUrl',
  notificationDlqUrl: 'NotificationDlqUrl',
} as const;

export const ASL_FILE = 'workflows/payment-saga.asl.json';

/** The top-up saga's ASL (charge the payment method -> credit the wallet; refund if crediting fails for good). */
export const TOP_UP_ASL_FILE = 'workflows/top-up-saga.asl.json';

/** Non-function placeholders of the top-up ASL (its function placeholders: FUNCTIONS[*].topUpAslPlaceholder). */
export const TOP_UP_ASL_RESOURCE_PLACEHOLDERS = { compensationDlqUrl: 'CompensationDlqUrl' } as const;

/** Top-up saga state names: the contract with tests, operations and the README. */
export const TOP_UP_STATES = {
  charge: 'Charge',
  credit: 'Credit',
  refundCharge: 'RefundCharge',
  recordSuccess: 'RecordSuccess',
  recordFailure: 'RecordFailure',
  succeeded: 'Succeeded',
  failed: 'Failed',
  compensationFailed: 'CompensationFailed',
} as const;

/** Saga state names: the contract with tests, operations and the history views. */
export const SAGA_STATES = {
  reserve: 'Reserve',
  charge: 'Charge',
  settle: 'Settle',
  notify: 'Notify',
  releaseFunds: 'ReleaseFunds',
  refundCharge: 'RefundCharge',
  succeeded: 'Succeeded',
  failed: 'Failed',
  compensationFailed: 'CompensationFailed',
} as const;

export interface ResourceNames {
  readonly stage: Stage;
  readonly eventBus: string;
  readonly intakeRule: string;
  /** The rule sending the saga's terminal execution status changes to the history archiver. */
  readonly sagaEndedRule: string;
  readonly stateMachine: string;
  /** The top-up saga's state machine (executions named after the topUpId). */
  readonly topUpStateMachine: string;
  /** The rule sending TopUpRequested to the top-up intake queue. */
  readonly topUpRule: string;
  /** The refund saga's state machine (executions named by refundExecutionName). */
  readonly refundStateMachine: string;
  /** The rule sending RefundRequested to the refund intake queue. */
  readonly refundRule: string;
  readonly gatewaySecret: string;
  readonly api: string;
  readonly apiUserPool: string;
  readonly apiWebAcl: string;
  readonly queues: Readonly<Record<QueueKey, string>>;
  readonly tables: Readonly<Record<TableKey, string>>;
  readonly functions: Readonly<Record<FunctionKey, string>>;
}

const prefix = (stage: Stage): string => `${APP_NAME}-${stage}`;

function mapKeys<K extends string, V>(keys: readonly K[], value: (key: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((key) => [key, value(key)])) as Record<K, V>;
}

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Physical names of every resource for a stage. */
export function resourceNames(stage: Stage): ResourceNames {
  const p = prefix(stage);
  return {
    stage,
    eventBus: `${p}-bus`,
    intakeRule: `${p}-payment-requested`,
    sagaEndedRule: `${p}-saga-ended`,
    stateMachine: `${p}-payment-saga`,
    topUpStateMachine: `${p}-top-up-saga`,
    topUpRule: `${p}-top-up-requested`,
    refundStateMachine: `${p}-refund-saga`,
    refundRule: `${p}-refund-requested`,
    gatewaySecret: `${APP_NAME}/${stage}/gateway`,
    api: `${p}-api`,
    apiUserPool: `${p}-api-clients`,
    apiWebAcl: `${p}-api-waf`,
    queues: mapKeys(QUEUE_KEYS, (key) => `${p}-${QUEUES[key].suffix}`),
    tables: mapKeys(TABLE_KEYS, (key) => `${p}-${key}`),
    functions: mapKeys(FUNCTION_KEYS, (key) => `${p}-${kebab(key)}`),
  };
}

/** The SQS RedrivePolicy attribute for a source queue, as both AWS and the local runtime take it. */
export function redrivePolicy(key: QueueKey, deadLetterTargetArn: string): string | undefined {
  const redrive = QUEUES[key].redrive;
  if (!redrive) return undefined;
  return JSON.stringify({ deadLetterTargetArn, maxReceiveCount: redrive.maxReceiveCount });
}
