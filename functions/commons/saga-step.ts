import { IdempotencyAlreadyInProgressError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import {
  DEPLOYMENT_ERROR_NAMES,
  InvalidPaymentError,
  isTransient,
  PaysagaError,
  StepInProgressError,
  UnexpectedStepError,
} from '../../core/errors';
import { withReasonCode } from '../../core/saga/outcome';
import { paymentLog } from './deps';
import { idempotencyStore, logger, stepIdempotencyConfig, stepKeyPrefix } from './powertools';
import { countStepFailure } from './step-metrics';

type StepEvent =
  | { readonly payment: { readonly paymentId: string }; readonly executionArn: string }
  | { readonly saga: { readonly payment: { readonly paymentId: string } }; readonly executionArn: string };

const paymentIdOf = (event: StepEvent): string =>
  ('payment' in event ? event.payment : event.saga.payment).paymentId;

/**
 * The middy pipeline every saga step shares: Logger context first (paymentId
 * and execution id on every line), input validated with zod at the boundary,
 * the side-effecting function wrapped in Powertools idempotency under the
 * step's own key prefix, and errors shaped for the ASL's Retry/Catch by name.
 */
export function sagaStep<S extends z.ZodType<StepEvent>, R extends object>(step: {
  readonly name: string;
  readonly input: S;
  readonly run: (input: z.output<S>) => Promise<R>;
  /** Steps whose effect is a plain conditional write may skip the idempotency record. */
  readonly idempotent?: boolean;
}) {
  const config = stepIdempotencyConfig();
  const run =
    step.idempotent === false
      ? step.run
      : makeIdempotent(step.run, {
          persistenceStore: idempotencyStore(),
          config,
          keyPrefix: stepKeyPrefix(step.name),
        });

  return middy<unknown, R>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event: unknown, context: Context): Promise<R> => {
      const parsed = step.input.safeParse(event);
      if (!parsed.success) {
        throw new InvalidPaymentError(
          `${step.name} received a malformed saga state: ${z.prettifyError(parsed.error)}`,
        );
      }
      const paymentId = paymentIdOf(parsed.data);
      // A child per invocation: in the local runtime many invocations share this module concurrently,
      // and keys appended to the shared logger would label one payment's lines with another's id.
      const log = logger.createChild({
        persistentKeys: {
          paymentId,
          executionArn: parsed.data.executionArn,
          step: step.name,
          requestId: context.awsRequestId,
        },
      });
      config.registerLambdaContext(context);
      const startedAt = new Date();
      try {
        const result = await run(parsed.data);
        log.info('step succeeded', { durationMs: Date.now() - startedAt.getTime() });
        await recordAttempt(log, paymentId, step.name, startedAt, context.awsRequestId);
        return result;
      } catch (error) {
        const shaped = shapeStepError(log, step.name, error);
        countStepFailure(step.name, shaped);
        await recordAttempt(log, paymentId, step.name, startedAt, context.awsRequestId, shaped);
        throw shaped;
      }
    });
}

/** One timeline entry per attempt; losing one must not fail (and so repeat) a step that moved money. */
async function recordAttempt(
  log: Logger,
  paymentId: string,
  stepName: string,
  startedAt: Date,
  attemptId: string,
  error?: unknown,
) {
  const detail = {
    durationMs: Date.now() - startedAt.getTime(),
    ...(error instanceof Error && { error: error.name, message: error.message.slice(0, 500) }),
  };
  try {
    await paymentLog().appendStep(
      paymentId,
      { step: stepName, outcome: error ? 'failed' : 'succeeded', at: startedAt.toISOString(), detail },
      attemptId,
    );
  } catch (appendError) {
    log.warn('timeline entry not recorded', { error: appendError as Error });
  }
}

/**
 * Shapes an error for the ASL's Retry/Catch by name: Powertools' in-progress
 * error becomes StepInProgressError; our errors keep their reason code in the
 * message; transient errors (core/errors.ts) go out as they are, to be retried;
 * anything else becomes UnexpectedStepError, which the ASL routes to an outcome.
 */
function shapeStepError(log: Logger, stepName: string, error: unknown): unknown {
  if (error instanceof IdempotencyAlreadyInProgressError) {
    log.warn('step already in progress elsewhere; the saga will retry');
    return new StepInProgressError(`${stepName} is already running for this payment`);
  }
  if (error instanceof PaysagaError) {
    log.warn('step failed', {
      errorName: error.name,
      reasonCode: error.reasonCode,
      errorMessage: error.message,
    });
    error.message = withReasonCode(error.message, error.reasonCode);
    return error;
  }
  if (!(error instanceof Error) || isTransient(error)) {
    log.warn('step failed; the saga retries it', { error: error as Error });
    return error;
  }
  log.error('step failed unexpectedly', { error });
  if ((DEPLOYMENT_ERROR_NAMES as readonly string[]).includes(error.name)) return error;
  // Neither transient nor final: named so the ASL routes it to an outcome instead of failing silently.
  const unexpected = new UnexpectedStepError(stepName, error.name, error.message);
  unexpected.message = withReasonCode(unexpected.message, unexpected.reasonCode);
  return unexpected;
}
