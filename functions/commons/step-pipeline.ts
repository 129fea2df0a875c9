import '../../core/config/zod-locale';
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
import { type InvocationLog, invocationLog, logger } from './logger';
import { countStepFailure } from './step-metrics';

/** What a saga's steps act on: its log key (paymentId, topUpId, refundId), its id in the input, its noun. */
export interface StepSubject<E> {
  readonly logKey: string;
  readonly noun: string;
  readonly idOf: (event: E) => string;
}

/** One attempt, as the pipeline tells a saga that keeps a timeline (the payment saga does). */
export interface StepAttempt {
  readonly log: InvocationLog;
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

/** A step's run under its idempotency record, and what each invocation must tell that record. */
export interface IdempotentRun<I, R> {
  readonly run: (input: I, attempt: StepAttempt) => Promise<R>;
  readonly registerLambdaContext: (context: Context) => void;
}

/**
 * How a saga's steps keep Powertools idempotency records (functions/commons/step-idempotency.ts). The
 * pipeline does not import Powertools idempotency itself: a saga whose steps keep no record (refunds)
 * passes none and its bundles leave it out.
 */
export interface StepIdempotency {
  /** Built once per handler: the step's run under its record, keyed by the step's own prefix. */
  readonly wrap: <I, R>(
    run: (input: I, attempt: StepAttempt) => Promise<R>,
    stepName: string,
  ) => IdempotentRun<I, R>;
  /** Whether the error says another invocation holds the record (the step is in progress elsewhere). */
  readonly inProgress: (error: unknown) => boolean;
}

/** What a saga gives the pipeline of its steps. */
export interface SagaPipeline<E> {
  readonly subject: StepSubject<E>;
  /** The saga's idempotency records; absent: its steps keep none (each must say `idempotent: false`). */
  readonly idempotency?: StepIdempotency;
  /**
   * Called after each attempt (never throws into the step); what it answers after a success is added
   * to the step's result (the payment saga carries a timeline entry in the state that way).
   */
  readonly onAttempt?: (attempt: StepAttempt) => Promise<object | undefined>;
  /** Per step and validated input: run under the idempotency record? (absent: always, unless `idempotent: false`) */
  readonly needsRecord?: (stepName: string, input: unknown) => boolean;
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
>(saga: SagaPipeline<E>, step: StepDefinition<S, R>) {
  const recorded = step.idempotent === false ? undefined : saga.idempotency?.wrap(step.run, step.name);
  if (step.idempotent !== false && !recorded) {
    throw new Error(`${step.name} keeps an idempotency record, but its saga has no idempotency store`);
  }
  const run = recorded?.run ?? step.run;

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
      // This invocation's keys on each line (functions/commons/logger.ts invocationLog).
      const log = invocationLog({
        [saga.subject.logKey]: subjectId,
        executionArn: input.executionArn,
        step: step.name,
        requestId: context.awsRequestId,
      });
      recorded?.registerLambdaContext(context);
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
        const inProgress = saga.idempotency?.inProgress(error) ?? false;
        const shaped = shapeStepError(log, step.name, saga.subject.noun, error, inProgress);
        countStepFailure(step.name, shaped);
        await saga.onAttempt?.({ ...attempt, error: shaped });
        throw shaped;
      }
    });
}

/**
 * The pipeline of a step that never keeps a Powertools idempotency record (`idempotent: false`, no
 * idempotency store given): its function neither bundles nor loads Powertools idempotency. The refund
 * steps, the payment steps that keep none and both RecordOutcome steps are built on it.
 */
export function stepPipelineWithoutRecord<
  E extends { readonly executionArn: string },
  S extends z.ZodMiniType<E>,
  R extends object,
>(
  saga: Omit<SagaPipeline<E>, 'idempotency' | 'needsRecord'>,
  step: Omit<StepDefinition<S, R>, 'idempotent'>,
) {
  return stepPipeline<E, S, R>(saga, { ...step, idempotent: false });
}

/**
 * Shapes an error for the ASL's Retry/Catch by name: Powertools' in-progress
 * error (`inProgress`, as the saga's StepIdempotency tells it) becomes StepInProgressError; our errors keep their reason code in the
 * message; transient errors (core/errors.ts) go out as they are, to be retried;
 * anything else becomes UnexpectedStepError, which the ASL routes to an outcome.
 */
export function shapeStepError(
  log: InvocationLog,
  stepName: string,
  noun: string,
  error: unknown,
  inProgress: boolean,
): unknown {
  if (inProgress) {
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
