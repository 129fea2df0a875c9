/**
 * The arithmetic of `npm run bench:cost`: the billable units one saga used (measured by bench/cost.ts)
 * and the stated assumptions (durations, init, cold-start share) -> USD per saga, one line per service,
 * priced by bench/cost-prices.ts. No I/O: test/unit/bench-cost-model.test.ts pins it.
 */
import { FUNCTIONS, type FunctionKey } from '../core/config/names';
import { PRICES_USD, type Prices } from './cost-prices';

/** DynamoDB requests of one saga as the edge saw them, in on-demand request units. */
export interface DynamoUsage {
  /** Requests by operation (GetItem, UpdateItem, ...), refused ones included. */
  readonly requests: Readonly<Record<string, number>>;
  /** Conditional writes DynamoDB refused (billed: a refused write still consumes its write units). */
  readonly refusedWrites: number;
  /** Write request units on the tables (item size, max of before and after, per started KB). */
  readonly writeUnits: number;
  /** Write request units on the global secondary indexes the writes changed (projection ALL: the item's size). */
  readonly indexWriteUnits: number;
  /** Read request units (per started 4 KB; half for an eventually consistent read). */
  readonly readUnits: number;
}

/** The billable units of one saga (or top-up, or refund). */
export interface Usage {
  readonly stateTransitions: number;
  /** Lambda invocations by function. */
  readonly lambda: Readonly<Partial<Record<FunctionKey, number>>>;
  readonly dynamo: DynamoUsage;
  readonly sqsRequests: number;
  readonly eventBridgeEvents: number;
  /** S3 PUT and LIST requests (the history archive: its object, the listing that looks for it). */
  readonly s3PutRequests: number;
  /** S3 GET and HEAD requests (the history archive). */
  readonly s3GetRequests: number;
  /** KMS requests the handlers made themselves (SSE by SQS, DynamoDB and S3 bucket keys: see BENCHMARKS.md). */
  readonly kmsRequests: number;
}

/** What the run cannot measure, stated. */
export interface Assumptions {
  /** Billed duration per invocation (ms). */
  readonly durationMs: Readonly<Record<FunctionKey, number>>;
  /** Billed init duration per cold start (ms): Lambda bills INIT for on-demand functions since 1 Aug 2025. */
  readonly initMs: Readonly<Record<FunctionKey, number>>;
  /** Share of invocations that are cold starts (0..1). */
  readonly coldStartShare: number;
  /** Functions that read the gateway secret once per cold start (one GetSecretValue; cached after). */
  readonly readsSecretOnColdStart: ReadonlySet<FunctionKey>;
}

export const COST_LINES = [
  'Step Functions state transitions',
  'Lambda requests',
  'Lambda duration (arm64 GB-s)',
  'Lambda init per cold start (arm64 GB-s)',
  'DynamoDB writes (WRU, tables)',
  'DynamoDB writes (WRU, indexes)',
  'DynamoDB reads (RRU)',
  'SQS requests',
  'EventBridge events',
  'S3 PUT/LIST (history archive)',
  'S3 GET/HEAD (history archive)',
  'KMS requests',
  'Secrets Manager (gateway secret per cold start)',
] as const;
export type CostLine = (typeof COST_LINES)[number];

export interface Cost {
  /** USD per saga, by line. */
  readonly lines: Readonly<Record<CostLine, number>>;
  readonly total: number;
  readonly lambdaRequests: number;
  readonly gbSeconds: number;
  /** Expected cold starts per saga (invocations x the cold-start share). */
  readonly coldStarts: number;
  readonly initGbSeconds: number;
  readonly secretReads: number;
}

const gb = (key: FunctionKey): number => FUNCTIONS[key].memoryMb / 1024;

/** USD per saga, by line; `prices` defaults to the one table (bench/cost-prices.ts). */
export function costOf(usage: Usage, assumptions: Assumptions, prices: Prices = PRICES_USD): Cost {
  const invocations = Object.entries(usage.lambda) as [FunctionKey, number][];
  const sum = (f: (key: FunctionKey, count: number) => number) =>
    invocations.reduce((total, [key, count]) => total + f(key, count), 0);
  const lambdaRequests = sum((_, count) => count);
  const gbSeconds = sum((key, count) => count * gb(key) * (assumptions.durationMs[key] / 1000));
  const cold = (count: number) => count * assumptions.coldStartShare;
  const coldStarts = sum((_, count) => cold(count));
  const initGbSeconds = sum((key, count) => cold(count) * gb(key) * (assumptions.initMs[key] / 1000));
  const secretReads = sum((key, count) => (assumptions.readsSecretOnColdStart.has(key) ? cold(count) : 0));
  const lines: Record<CostLine, number> = {
    'Step Functions state transitions': usage.stateTransitions * prices.stateTransition,
    'Lambda requests': lambdaRequests * prices.lambdaRequest,
    'Lambda duration (arm64 GB-s)': gbSeconds * prices.lambdaArmGbSecond,
    'Lambda init per cold start (arm64 GB-s)': initGbSeconds * prices.lambdaArmGbSecond,
    'DynamoDB writes (WRU, tables)': usage.dynamo.writeUnits * prices.dynamoWriteRequestUnit,
    'DynamoDB writes (WRU, indexes)': usage.dynamo.indexWriteUnits * prices.dynamoWriteRequestUnit,
    'DynamoDB reads (RRU)': usage.dynamo.readUnits * prices.dynamoReadRequestUnit,
    'SQS requests': usage.sqsRequests * prices.sqsRequest,
    'EventBridge events': usage.eventBridgeEvents * prices.eventBridgeEvent,
    'S3 PUT/LIST (history archive)': usage.s3PutRequests * prices.s3PutRequest,
    'S3 GET/HEAD (history archive)': usage.s3GetRequests * prices.s3GetRequest,
    'KMS requests': usage.kmsRequests * prices.kmsRequest,
    'Secrets Manager (gateway secret per cold start)': secretReads * prices.secretsManagerCall,
  };
  const total = COST_LINES.reduce((t, line) => t + lines[line], 0);
  return { lines, total, lambdaRequests, gbSeconds, coldStarts, initGbSeconds, secretReads };
}

/** USD per saga -> USD per million sagas. */
export const perMillion = (usdPerSaga: number): number => usdPerSaga * 1e6;
