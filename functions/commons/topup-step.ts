import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
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
import { IDEMPOTENCY_TTL_SECONDS, idempotencyStore, logger } from './powertools';

type TopUpStepEvent =
  | { readonly topUp: { readonly topUpId: string }; readonly executionArn: string }
  | { readonly saga: { readonly topUp: { readonly topUpId: string } }; readonly executionArn: string };

const topUpIdOf = (event: TopUpStepEvent): string =>
  ('topUp' in event ? event.topUp : event.saga.topUp).topUpId;

/** The top-up step's idempotency key is the topUpId; payload validation refuses a replay whose money differs. */
function topUpIdempotencyConfig(): IdempotencyConfig {
  return new IdempotencyConfig({
    eventKeyJmesPath: 'topUp.topUpId',
    payloadValidationJmesPath: '[topUp.walletId, topUp.amount, topUp.paymentMethod]',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  });
}

/**
 * The payment steps' pipeline (functions/commons/saga-step.ts) for the top-up
 * saga: Logger context first (topUpId and execution id on every line), zod at
 * the boundary, the side-effecting function wrapped in Powertools idempotency
 * under the step's own key prefix, errors shaped for the ASL's Retry/Catch.
 */
export function topUpStep<S extends z.ZodType<TopUpStepEvent>, R extends object>(step: {
  readonly name: string;
  readonly input: S;
  readonly run: (input: z.output<S>) => Promise<R>;
  /** Steps whose effect is a plain conditional write may skip the idempotency record. */
  readonly idempotent?: boolean;
}) {
  const config = topUpIdempotencyConfig();
  const run =
    step.idempotent === false
      ? step.run
      : makeIdempotent(step.run, {
          persistenceStore: idempotencyStore(),
          config,
          keyPrefix: `paysaga.${step.name}`,
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
      const log = logger.createChild({
        persistentKeys: {
          topUpId: topUpIdOf(parsed.data),
          executionArn: parsed.data.executionArn,
          step: step.name,
          requestId: context.awsRequestId,
        },
      });
      config.registerLambdaContext(context);
      const startedAt = Date.now();
      try {
        const result = await run(parsed.data);
        log.info('step succeeded', { durationMs: Date.now() - startedAt });
        return result;
      } catch (error) {
        throw shapeTopUpStepError(log, step.name, error);
      }
    });
}

/** As the payment steps shape theirs: in-progress is retried, ours keep their reason, the unknown is named. */
function shapeTopUpStepError(log: Logger, stepName: string, error: unknown): unknown {
  if (error instanceof IdempotencyAlreadyInProgressError) {
    log.warn('step already in progress elsewhere; the saga will retry');
    return new StepInProgressError(`${stepName} is already running for this top-up`);
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
  const unexpected = new UnexpectedStepError(stepName, error.name, error.message);
  unexpected.message = withReasonCode(unexpected.message, unexpected.reasonCode);
  return unexpected;
}
