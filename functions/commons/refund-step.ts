import '../../core/config/zod-locale';
import type * as z from 'zod/mini';
import { type StepDefinition, stepPipelineWithoutRecord } from './step-pipeline';

type RefundStepEvent =
  | { readonly refund: { readonly refundId: string }; readonly executionArn: string }
  | { readonly saga: { readonly refund: { readonly refundId: string } }; readonly executionArn: string };

const refundIdOf = (event: RefundStepEvent): string =>
  ('refund' in event ? event.refund : event.saga.refund).refundId;

/**
 * A refund saga step: the shared pipeline (functions/commons/step-pipeline.ts) logged by refundId. No
 * refund step keeps a Powertools record (each is idempotent by its own conditional write, gateway key or
 * journal entry, as core/refunds/definition.ts says): every one runs with `idempotent: false`, and the
 * refund functions do not load Powertools idempotency at all (no `idempotency` given to the pipeline).
 */
export function refundStep<S extends z.ZodMiniType<RefundStepEvent>, R extends object>(
  step: Omit<StepDefinition<S, R>, 'idempotent'>,
) {
  return stepPipelineWithoutRecord<RefundStepEvent, S, R>(
    { subject: { logKey: 'refundId', noun: 'refund', idOf: refundIdOf } },
    step,
  );
}
