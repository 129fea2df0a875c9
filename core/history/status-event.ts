import '../config/zod-locale';
import * as z from 'zod/mini';

/**
 * The EventBridge event Step Functions emits when an execution's status
 * changes (source aws.states, detail-type "Step Functions Execution Status
 * Change"); the archiver reads only what it needs from it.
 */
export const TERMINAL_EXECUTION_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export const ExecutionStatusChangeEvent = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string().check(z.minLength(1)),
    stateMachineArn: z.string().check(z.minLength(1)),
    name: z.string().check(z.minLength(1)),
    status: z.string(),
    /** Which run ended: 0, or the redrive count at the time (AWS includes it since redrive exists). */
    redriveCount: z.optional(z.int().check(z.nonnegative())),
  }),
});
export type ExecutionStatusChangeEvent = z.infer<typeof ExecutionStatusChangeEvent>;

export function isTerminalStatus(status: string): boolean {
  return (TERMINAL_EXECUTION_STATUSES as readonly string[]).includes(status);
}

/** The archiver was handed something other than a Step Functions status change. */
export class InvalidStatusEventError extends Error {
  override readonly name = 'InvalidStatusEventError';
}

export function parseStatusChangeEvent(event: unknown): ExecutionStatusChangeEvent {
  const parsed = ExecutionStatusChangeEvent.safeParse(event);
  if (!parsed.success) {
    throw new InvalidStatusEventError(
      `not a Step Functions Execution Status Change event: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
