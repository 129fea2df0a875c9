import { Logger } from '@aws-lambda-powertools/logger';
import { env } from './env';

/**
 * One structured JSON logger per function; paymentId and execution id are appended per invocation.
 * Its own module, so a function that only logs does not load Powertools idempotency (and its JMESPath
 * and zlib) with powertools.ts: that was part of every cold start (`npm run bench:lambda`).
 */
export const logger = new Logger({ serviceName: 'paysaga', persistentKeys: { stage: env.stage } });
