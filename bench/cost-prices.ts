/**
 * The one price table of `npm run bench:cost` (bench/cost-model.ts prices every line with it; BENCHMARKS.md
 * "Cost model" quotes it). Public on-demand prices, US East (N. Virginia), from aws.amazon.com/<service>/pricing,
 * free tiers ignored. Change a price here, with the date it was read.
 */
export const PRICES_READ_ON = '2026-11-22';
export const PRICES_REGION = 'us-east-1';

export const PRICES_USD = {
  /** Step Functions Standard: $0.025 per 1,000 state transitions. */
  stateTransition: 0.025 / 1000,
  /** Lambda: $0.20 per million requests. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda arm64 duration, invoke and (since 1 Aug 2025, on-demand) init alike: $0.0000133334 per GB-s. */
  lambdaArmGbSecond: 0.0000133334,
  /** DynamoDB on-demand: $0.625 per million write request units (a table's and each index's writes). */
  dynamoWriteRequestUnit: 0.625 / 1e6,
  /** DynamoDB on-demand: $0.125 per million read request units. */
  dynamoReadRequestUnit: 0.125 / 1e6,
  /** SQS standard queues: $0.40 per million requests (of up to 64 KB each). */
  sqsRequest: 0.4 / 1e6,
  /** EventBridge: $1.00 per million custom events put (of up to 64 KB each). */
  eventBridgeEvent: 1.0 / 1e6,
  /** S3 Standard and Intelligent-Tiering: $0.005 per 1,000 PUT, COPY, POST or LIST requests. */
  s3PutRequest: 0.005 / 1000,
  /** S3 Standard and Intelligent-Tiering: $0.0004 per 1,000 GET, HEAD and other requests. */
  s3GetRequest: 0.0004 / 1000,
  /** KMS: $0.03 per 10,000 requests. */
  kmsRequest: 0.03 / 10_000,
  /** Secrets Manager: $0.05 per 10,000 API calls. */
  secretsManagerCall: 0.05 / 10_000,
} as const;

export type Prices = { readonly [K in keyof typeof PRICES_USD]: number };
