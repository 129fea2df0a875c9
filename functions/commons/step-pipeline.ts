import '../../core/config/zod-locale';
import {
  IdempotencyAlreadyInProgressError,
  type IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import {
  DEPLOYMENT_ERROR_NAMES,
  InvalidPaymentError,
  isTransient,
  PaysagaError,
  StepInProgressError,
  UnexpectedStepError,
} from '../../core/errors';
import { withReasonCode } from '../../core/saga/outcome';
import { idempotencyStore, logger, stepKeyPrefix } from './powertools';
import { countStepFailure } from './step-metrics';

/** What a saga's steps act on: its log key (paymentId, topUpId, refundId), its id in the input, its noun. */
export interface StepSubject<E> {
  readonly logKey: string;
  readonly noun: string;
  readonly idOf: (event: E) => string;
}

/** One attempt, as the pipeline tells a saga that keeps a timeline (the payment saga does). */
export interface StepAttempt {
  readonly log: Logger;
  readonly subjectId: string;
  readonly stepName: string;
  readonly startedAt: Date;
  readonly attemptId: string;
  /** The validated input: what the saga state carried to this attempt. */
  readonly input: unknown;
  readonly error?: unknown;
}

export interface StepDefinition<S extends z.ZodMiniType, R extends object> {
  readonly name: string;
  readonly input: S;
  /** `attempt`: this invocation's, for a step that records its own attempt (the payment saga's RecordOutcome). */
  readonly run: (input: z.output<S>, attempt: StepAttempt) => Promise<R>;
  /** Steps whose effect is a plain conditional write (or a keyed gateway call) may skip the idempotency record. */
  readonly idempotent?: boolean;
}

/**
 * The middy pipeline every saga's steps share (payment, top-up, refund):
 * Logger context first (the subject's id and the execution on every line),
 * input validated with zod at the boundary, the side-effecting function
 * wrapped in Powertools idempotency under the step's own key prefix unless the
 * step says it is idempotent by itself, a failure counted (step metrics), and
 * errors shaped for the ASL's Retry/Catch by name.
 */
export function stepPipeline<
  E extends { readonly executionArn: string },
  S extends z.ZodMiniType<E>,
  R extends object,
>(
  saga: {
    readonly subject: StepSubject<E>;
    /** Built once per handler: the saga's idempotency key and payload validation. */
    readonly idempotencyConfig: () => IdempotencyConfig;
    /**
     * Called after each attempt (never throws into the step); what it answers after a success is added
     * to the step's result (the payment saga carries a timeline entry in the state that way).
     */
    readonly onAttempt?: (attempt: StepAttempt) => Promise<object | undefined>;
    /** Per step and validated input: run under the idempotency record? (absent: always, unless `idempotent: false`) */
    readonly needsRecord?: (stepName: string, input: unknown) => boolean;
  },
  step: StepDefinition<S, R>,
) {
  const config = saga.idempotencyConfig();
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
      const input = parsed.data as E & z.output<S>;
      const subjectId = saga.subject.idOf(input);
      // A child per invocation: in the local runtime many invocations share this module concurrently,
      // and keys appended to the shared logger would label one subject's lines with another's id.
      const log = logger.createChild({
        persistentKeys: {
          [saga.subject.logKey]: subjectId,
          executionArn: input.executionArn,
          step: step.name,
          requestId: context.awsRequestId,
        },
      });
      config.registerLambdaContext(context);
      const startedAt = new Date();
      const attempt: StepAttempt = {
        log,
        subjectId,
        stepName: step.name,
        startedAt,
        attemptId: context.awsRequestId,
        input,
      };
      try {
        const result = await (saga.needsRecord?.(step.name, input) === false
          ? step.run(input, attempt)
          : run(input, attempt));
        log.info('step succeeded', { durationMs: Date.now() - startedAt.getTime() });
        const added = await saga.onAttempt?.(attempt);
        return added ? { ...result, ...added } : result;
      } catch (error) {
        const shaped = shapeStepError(log, step.name, saga.subject.noun, error);
        countStepFailure(step.name, shaped);
        await saga.onAttempt?.({ ...attempt, error: shaped });
        throw shaped;
      }
    });
}

/**
 * Shapes an error for the ASL's Retry/Catch by name: Powertools' in-progress
 * error becomes StepInProgressError; our errors keep their reason code in the
 * message; transient errors (core/errors.ts) go out as they are, to be retried;
 * anything else becomes UnexpectedStepError, which the ASL routes to an outcome.
 */
export function shapeStepError(log: Logger, stepName: string, noun: string, error: unknown): unknown {
  if (error instanceof IdempotencyAlreadyInProgressError) {
    log.warn('step already in progress elsewhere; the saga will retry');
    return new StepInProgressError(`${stepName} is already running for this ${noun}`);
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
