import type * as z from 'zod';
import { needsIdempotencyRecord } from '../../core/saga/steps-records';
import { paymentLog } from './deps';
import { stepIdempotencyConfig } from './powertools';
import { type StepAttempt, type StepDefinition, stepPipeline } from './step-pipeline';

type StepEvent =
  | { readonly payment: { readonly paymentId: string }; readonly executionArn: string }
  | { readonly saga: { readonly payment: { readonly paymentId: string } }; readonly executionArn: string };

const paymentIdOf = (event: StepEvent): string =>
  ('payment' in event ? event.payment : event.saga.payment).paymentId;

/**
 * A payment saga step: the shared pipeline (functions/commons/step-pipeline.ts)
 * keyed by the paymentId, each attempt recorded on the payment's timeline; the
 * steps that need no idempotency record are listed in core/saga/steps-records.ts.
 */
export function sagaStep<S extends z.ZodType<StepEvent>, R extends object>(step: StepDefinition<S, R>) {
  return stepPipeline<StepEvent, S, R>(
    {
      subject: { logKey: 'paymentId', noun: 'payment', idOf: paymentIdOf },
      idempotencyConfig: stepIdempotencyConfig,
      needsRecord: needsIdempotencyRecord,
      onAttempt: recordAttempt,
    },
    step,
  );
}

/** One timeline entry per attempt; losing one must not fail (and so repeat) a step that moved money. */
async function recordAttempt(attempt: StepAttempt) {
  const { error } = attempt;
  const detail = {
    durationMs: Date.now() - attempt.startedAt.getTime(),
    ...(error instanceof Error && { error: error.name, message: error.message.slice(0, 500) }),
  };
  try {
    await paymentLog().appendStep(
      attempt.subjectId,
      {
        step: attempt.stepName,
        outcome: error ? 'failed' : 'succeeded',
        at: attempt.startedAt.toISOString(),
        detail,
      },
      attempt.attemptId,
    );
  } catch (appendError) {
    attempt.log.warn('timeline entry not recorded', { error: appendError as Error });
  }
}
