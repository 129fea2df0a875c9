import '../../core/config/zod-locale';
import type * as z from 'zod/mini';
import { needsIdempotencyRecord } from '../../core/saga/steps-records';
import { type PaymentStepEvent, paymentSubject, recordAttempt } from './payment-step';
import { stepIdempotencyConfig } from './powertools';
import { powertoolsIdempotency } from './step-idempotency';
import { type StepDefinition, stepPipeline } from './step-pipeline';

/**
 * A payment saga step that may keep a Powertools idempotency record: the shared pipeline
 * (functions/commons/step-pipeline.ts) keyed by the paymentId, each attempt recorded on the payment's
 * timeline (functions/commons/payment-step.ts). The steps that need no record on an input are listed in
 * core/saga/steps-records.ts; those that never keep one take sagaStepWithoutRecord (payment-step.ts), so
 * their bundles leave Powertools idempotency out.
 */
export function sagaStep<S extends z.ZodMiniType<PaymentStepEvent>, R extends object>(
  step: StepDefinition<S, R>,
) {
  return stepPipeline<PaymentStepEvent, S, R>(
    {
      subject: paymentSubject,
      idempotency: powertoolsIdempotency(stepIdempotencyConfig),
      needsRecord: needsIdempotencyRecord,
      onAttempt: recordAttempt,
    },
    step,
  );
}
