import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDocumentClient } from '../../core/aws/dynamodb';
import { memoryLog } from '../../local/edge/runtime-log';
import { type Runtime, type RuntimeOptions, startRuntime } from '../../local/runtime';
import { removeDir, tempDir } from './temp-dirs';

export interface TestRuntime extends Runtime {
  readonly log: ReturnType<typeof memoryLog>;
  /** Stops the runtime and removes its temp data dir (unless `keepDataDir`). */
  dispose(): Promise<void>;
}

/** A fresh temp data dir (removed by dispose, or by the caller: removeDir of ./temp-dirs.ts, in afterAll). */
export function tempDataDir(label = 'paysaga-e2e'): string {
  return tempDir(label);
}

/**
 * Starts a runtime on a free loopback port, in memory unless a data dir is
 * given, with fast saga retries and its log kept in memory.
 */
export async function startTestRuntime(
  options: RuntimeOptions & { keepDataDir?: boolean } = {},
): Promise<TestRuntime> {
  const log = memoryLog();
  // Handlers log through Powertools in this process; keep test output to errors.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const runtime = await startRuntime({
    port: 0,
    memory: options.dataDir === undefined,
    retryIntervalScale: 0.001,
    log,
    ...options,
  });
  return {
    ...runtime,
    log,
    async dispose() {
      try {
        await runtime.stop();
      } finally {
        if (!options.keepDataDir) removeDir(runtime.dataDir);
      }
    },
  };
}

/** SDK client settings for a runtime: what AWS_ENDPOINT_URL etc. give a client in another process. */
export function clientConfig(runtime: Pick<Runtime, 'endpoint' | 'region'>) {
  return {
    endpoint: runtime.endpoint,
    region: runtime.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
}

/** Real AWS SDK v3 clients pointed at the runtime. */
export function sdkClients(runtime: Pick<Runtime, 'endpoint' | 'region'>) {
  const config = clientConfig(runtime);
  const dynamodb = new DynamoDBClient(config);
  return {
    dynamodb,
    /** The lean document client core's stores take (core/aws/dynamodb.ts, as the functions bundle it). */
    documents: new DynamoDocumentClient(config),
    /** The SDK's own document client, for tests of the edge against the real SDK. */
    sdkDocuments: DynamoDBDocumentClient.from(dynamodb),
    sqs: new SQSClient(config),
    events: new EventBridgeClient(config),
    sfn: new SFNClient(config),
    secrets: new SecretsManagerClient(config),
  };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
