import { QUEUE_KEYS, QUEUES, type QueueKey, type ResourceNames } from '../../core/config/names';
import { PaymentId } from '../../events/common';
import { UsageError } from '../errors';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `--since`: a duration back from now (`90s`, `30m`, `24h`, `14d`) or an ISO
 * date/time (`2026-11-22`, `2026-11-22T10:00:00Z`).
 */
export function parseSince(text: string, now: Date = new Date()): Date {
  const duration = /^(\d+)\s*([smhd])$/i.exec(text.trim());
  if (duration) {
    const unit = (duration[2] ?? 'h').toLowerCase() as keyof typeof UNIT_MS;
    return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[unit]);
  }
  const date = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? new Date(text.trim()) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--since ${JSON.stringify(text)} is neither a duration (90s, 30m, 24h, 14d) nor an ISO date (2026-11-22T10:00:00Z)`,
    );
  }
  return date;
}

export function parsePositiveInt(option: string, text: string, max?: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1 || (max && value > max)) {
    throw new UsageError(
      `${option} must be a whole number from 1${max ? ` to ${max}` : ''}, not ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** The dead-letter queues of names.ts, in the order operations sees them. */
export const DLQ_KEYS: readonly QueueKey[] = QUEUE_KEYS.filter((key) => QUEUES[key].deadLetter);

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * A dead-letter queue named by the operator: its short name (`intake-dlq`),
 * its key (`intakeDlq`), its full name for the stage or its URL.
 */
export function resolveDlq(names: ResourceNames, text: string): QueueKey {
  const wanted = text.trim().replace(/^.*\//, '');
  const key = QUEUE_KEYS.find(
    (k) => k === wanted || QUEUES[k].suffix === wanted || kebab(k) === wanted || names.queues[k] === wanted,
  );
  const known = DLQ_KEYS.map((k) => QUEUES[k].suffix).join(', ');
  if (!key) {
    throw new UsageError(
      `unknown queue ${JSON.stringify(text)} on stage ${names.stage}: the dead-letter queues are ${known}`,
    );
  }
  if (!QUEUES[key].deadLetter) {
    const dlq = QUEUES[key].redrive?.deadLetterQueue;
    throw new UsageError(
      `${names.queues[key]} is not a dead-letter queue${dlq ? `; its DLQ is ${QUEUES[dlq].suffix}` : ''} (dead-letter queues: ${known})`,
    );
  }
  return key;
}

/** A saga named by paymentId or by execution ARN; a malformed one is a usage error. */
export type SagaRef = { readonly paymentId: string } | { readonly executionArn: string };

const EXECUTION_ARN =
  /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:([A-Za-z0-9_-]{1,80}):([A-Za-z0-9_-]{1,80})$/;

export function parseSagaRef(names: ResourceNames, text: string): SagaRef {
  const value = text.trim();
  if (value.startsWith('arn:')) {
    const match = EXECUTION_ARN.exec(value);
    if (!match) {
      throw new UsageError(
        `malformed execution ARN ${JSON.stringify(value)}: expected arn:aws:states:<region>:<account>:execution:${names.stateMachine}:<paymentId>`,
      );
    }
    if (match[1] !== names.stateMachine) {
      throw new UsageError(
        `${value} is an execution of ${match[1]}, not of ${names.stateMachine} (stage ${names.stage}); pass --stage to pick another stage`,
      );
    }
    return { executionArn: value };
  }
  return { paymentId: parsePaymentId(value) };
}

export function parsePaymentId(text: string): string {
  const parsed = PaymentId.safeParse(text);
  if (!parsed.success) {
    throw new UsageError(
      `malformed paymentId ${JSON.stringify(text.slice(0, 100))}: a paymentId is 1-64 letters, digits, "-" or "_" (or pass the execution ARN)`,
    );
  }
  return parsed.data;
}

/** The execution ARN of a payment's saga: the execution name is the paymentId (formula in core/config). */
export { executionArnFor } from '../../core/config/executions';

export function paymentIdOf(executionArn: string): string {
  return executionArn.slice(executionArn.lastIndexOf(':') + 1);
}
