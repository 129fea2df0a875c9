import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { env } from './env';

/**
 * One structured JSON logger per function; paymentId and execution id are appended per invocation.
 * Its own module, so a function that only logs does not load Powertools idempotency (and its JMESPath
 * and zlib) with powertools.ts: that was part of every cold start (`npm run bench:lambda`).
 */
export const logger = new Logger({ serviceName: 'paysaga', persistentKeys: { stage: env.stage } });

/** One line: a message and its attributes. */
type LogLine = (message: string, attributes?: LogAttributes) => void;

/** What a step logs through: the function's logger, one invocation's keys on each line. */
export interface InvocationLog {
  readonly debug: LogLine;
  readonly info: LogLine;
  readonly warn: LogLine;
  readonly error: LogLine;
}

/**
 * The function's logger with `keys` added to every line an invocation logs. Not appendKeys: the local
 * runtime runs several invocations of one module at once, and keys appended to the shared logger would
 * label one invocation's lines with another's. Not createChild: it builds a whole Logger (options, env,
 * formatter), ~0.1 ms per invocation, seven per saga on the runtime's main thread (issue 18 goal 3).
 */
export function invocationLog(keys: LogAttributes): InvocationLog {
  const line =
    (level: 'debug' | 'info' | 'warn' | 'error'): LogLine =>
    (message, attributes) =>
      attributes ? logger[level](message, keys, attributes) : logger[level](message, keys);
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
