import '../../core/config/zod-locale';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import type * as z from 'zod/mini';
import { IDEMPOTENCY_TTL_SECONDS } from './powertools';
import { powertoolsIdempotency } from './step-idempotency';
import { type StepDefinition, stepPipeline } from './step-pipeline';
import { type TopUpStepEvent, topUpSubject } from './topup-subject';

/** The top-up step's idempotency key is the topUpId; payload validation refuses a replay whose money differs. */
function topUpIdempotencyConfig(): IdempotencyConfig {
  return new IdempotencyConfig({
    eventKeyJmesPath: 'topUp.topUpId',
    payloadValidationJmesPath: '[topUp.walletId, topUp.amount, topUp.paymentMethod]',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  });
}

/** A top-up saga step: the shared pipeline (functions/commons/step-pipeline.ts) keyed by the topUpId. */
export function topUpStep<S extends z.ZodMiniType<TopUpStepEvent>, R extends object>(
  step: StepDefinition<S, R>,
) {
  return stepPipeline<TopUpStepEvent, S, R>(
    {
      subject: topUpSubject,
      idempotency: powertoolsIdempotency(topUpIdempotencyConfig),
    },
    step,
  );
}
