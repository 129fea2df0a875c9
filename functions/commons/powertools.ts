import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { IDEMPOTENCY_TABLE } from '../../core/config/names';
import { dynamoDb } from './clients/dynamodb';
import { env } from './env';
import { LeanDynamoPersistenceLayer } from './idempotency-store';

export { logger } from './logger';

/**
 * Idempotency records outlive Step Functions' 14-day redrive window, so a
 * redriven step replays its stored result instead of running again.
 */
export const IDEMPOTENCY_TTL_SECONDS = 15 * 24 * 3600;

/**
 * A persistence layer for one step. Each step needs its own: Powertools'
 * configure() stores the step's key prefix on the layer at every invocation, so
 * a layer shared by steps running concurrently in one process (the local
 * runtime) would mix their keys and replay one step's result for another.
 */
export function idempotencyStore(): LeanDynamoPersistenceLayer {
  const tableName = env.idempotencyTable;
  if (!tableName)
    throw new Error('IDEMPOTENCY_TABLE is not set; every saga step needs the idempotency table');
  return new LeanDynamoPersistenceLayer({
    tableName,
    keyAttr: IDEMPOTENCY_TABLE.partitionKey,
    expiryAttr: IDEMPOTENCY_TABLE.ttlAttribute,
    client: dynamoDb,
  });
}

/**
 * The step's idempotency key is the paymentId alone (one key travels the whole
 * path); payload validation refuses a replay whose money fields differ.
 */
export function stepIdempotencyConfig(): IdempotencyConfig {
  return new IdempotencyConfig({
    eventKeyJmesPath: 'payment.paymentId',
    payloadValidationJmesPath:
      '[payment.walletId, payment.merchantId, payment.amount, payment.paymentMethod]',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  });
}

/** A saga step's name (its keyPrefix's last part) from its function key: releaseFunds -> release-funds. */
export const stepNameOf = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The idempotency key prefix of a saga step: one per step, so steps never replay each other's results. */
export const stepKeyPrefix = (stepName: string): string => `paysaga.${stepName}`;

/**
 * What a step that dies after its side effect but before Powertools saves its
 * result leaves behind: its record in progress, locked until the dead
 * invocation's deadline (`lockMs` from now). The chaos run and the tests use it
 * to put a completed step's record back in that state.
 */
export async function leaveStepInProgress(stepName: string, event: unknown, lockMs: number): Promise<void> {
  const store = idempotencyStore();
  store.configure({ config: stepIdempotencyConfig(), keyPrefix: stepKeyPrefix(stepName) });
  const data = event as Parameters<LeanDynamoPersistenceLayer['deleteRecord']>[0];
  await store.deleteRecord(data);
  await store.saveInProgress(data, lockMs);
}
