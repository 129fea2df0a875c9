/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** The command failed; nothing (or nothing more) was changed. */
  failure: 1,
  /** Bad arguments: unknown queue, malformed ARN, unknown paymentId, ... */
  usage: 2,
  /** Some items succeeded and some failed; the output says which. */
  partial: 3,
  /** The check ran and found problems (reconcile). */
  discrepancies: 4,
} as const;

/** An error a person can act on: what was wrong and what to do. Printed without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}
