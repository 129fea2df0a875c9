import '../../core/config/zod-locale';
import type * as z from 'zod/mini';
import { needsIdempotencyRecord } from '../../core/saga/steps-records';
import { attemptEntry, type CarriedEntry, carriedEntries, timelineRuleOf } from '../../core/saga/timeline';
import { paymentLog } from './deps';
import { stepIdempotencyConfig } from './powertools';
import { powertoolsIdempotency } from './step-idempotency';
import { type StepAttempt, type StepDefinition, stepPipeline } from './step-pipeline';

type StepEvent =
  | { readonly payment: { readonly paymentId: string }; readonly executionArn: string }
  | { readonly saga: { readonly payment: { readonly paymentId: string } }; readonly executionArn: string };

const paymentIdOf = (event: StepEvent): string =>
  ('payment' in event ? event.payment : event.saga.payment).paymentId;

/**
 * A payment saga step: the shared pipeline (functions/commons/step-pipeline.ts)
 * keyed by the paymentId, each attempt recorded on the payment's timeline (core/saga/timeline.ts); the
 * steps that need no idempotency record are listed in core/saga/steps-records.ts.
 */
export function sagaStep<S extends z.ZodMiniType<StepEvent>, R extends object>(step: StepDefinition<S, R>) {
  return stepPipeline<StepEvent, S, R>(
    {
      subject: { logKey: 'paymentId', noun: 'payment', idOf: paymentIdOf },
      idempotency: powertoolsIdempotency(stepIdempotencyConfig),
      needsRecord: needsIdempotencyRecord,
      onAttempt: recordAttempt,
    },
    step,
  );
}

/**
 * One timeline entry per attempt, as core/saga/timeline.ts rules: a forward step's succeeded attempt is
 * carried in its result (`timeline`) instead of written; RecordOutcome writes its own (with the Outcome);
 * any other attempt is written now, together with the entries its input carries. Losing an entry must
 * not fail (and so repeat) a step that moved money.
 */
async function recordAttempt(attempt: StepAttempt): Promise<{ timeline: CarriedEntry[] } | undefined> {
  const rule = timelineRuleOf(attempt.stepName);
  const entry = attemptEntry(attempt);
  if (!attempt.error && rule === 'carry') return { timeline: [entry] };
  if (!attempt.error && rule === 'self') return undefined;
  try {
    await paymentLog().appendSteps(attempt.subjectId, [
      ...carriedEntries(attempt.input as Parameters<typeof carriedEntries>[0]),
      entry,
    ]);
  } catch (appendError) {
    attempt.log.warn('timeline entry not recorded', { error: appendError as Error });
  }
  return undefined;
}
