import '../../core/config/zod-locale';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import type * as z from 'zod/mini';
import { IDEMPOTENCY_TTL_SECONDS } from './powertools';
import { type StepDefinition, stepPipeline } from './step-pipeline';

type RefundStepEvent =
  | { readonly refund: { readonly refundId: string }; readonly executionArn: string }
  | { readonly saga: { readonly refund: { readonly refundId: string } }; readonly executionArn: string };

const refundIdOf = (event: RefundStepEvent): string =>
  ('refund' in event ? event.refund : event.saga.refund).refundId;

/**
 * Kept for the pipeline's shape only: no refund step keeps a Powertools record
 * (each is idempotent by its own conditional write, gateway key or journal
 * entry, as core/refunds/definition.ts says), so every refund step runs with
 * `idempotent: false`.
 */
function refundIdempotencyConfig(): IdempotencyConfig {
  return new IdempotencyConfig({
    eventKeyJmesPath: 'refund.refundId',
    payloadValidationJmesPath: '[refund.paymentId, refund.amount]',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  });
}

/** A refund saga step: the shared pipeline (functions/commons/step-pipeline.ts) logged by refundId. */
export function refundStep<S extends z.ZodMiniType<RefundStepEvent>, R extends object>(
  step: Omit<StepDefinition<S, R>, 'idempotent'>,
) {
  return stepPipeline<RefundStepEvent, S, R>(
    {
      subject: { logKey: 'refundId', noun: 'refund', idOf: refundIdOf },
      idempotencyConfig: refundIdempotencyConfig,
    },
    { ...step, idempotent: false },
  );
}
