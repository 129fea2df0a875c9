import '../../core/config/zod-locale';
import type * as z from 'zod/mini';
import { keepsNoRecord } from '../../core/saga/steps-records';
import { attemptEntry, type CarriedEntry, carriedEntries, timelineRuleOf } from '../../core/saga/timeline';
import { paymentLog } from './deps';
import {
  type StepAttempt,
  type StepDefinition,
  type StepSubject,
  stepPipelineWithoutRecord,
} from './step-pipeline';

export type PaymentStepEvent =
  | { readonly payment: { readonly paymentId: string }; readonly executionArn: string }
  | { readonly saga: { readonly payment: { readonly paymentId: string } }; readonly executionArn: string };

/** The payment saga's subject: log key, noun and id, shared by both step factories. */
export const paymentSubject: StepSubject<PaymentStepEvent> = {
  logKey: 'paymentId',
  noun: 'payment',
  idOf: (event) => ('payment' in event ? event.payment : event.saga.payment).paymentId,
};

/**
 * A payment saga step that never keeps a Powertools idempotency record (core/saga/steps-records.ts
 * keepsNoRecord: reserve, settle, notify): every attempt runs with `idempotent: false`, and the function
 * does not bundle or load Powertools idempotency (issue 18 goal 1, init), as the refund steps
 * (functions/commons/refund-step.ts). A step that may keep a record is refused here: it takes sagaStep
 * (functions/commons/saga-step.ts).
 */
export function sagaStepWithoutRecord<S extends z.ZodMiniType<PaymentStepEvent>, R extends object>(
  step: Omit<StepDefinition<S, R>, 'idempotent'>,
) {
  if (!keepsNoRecord(step.name)) {
    throw new Error(`${step.name} may keep an idempotency record: build it with sagaStep`);
  }
  return withoutIdempotency(step);
}

/**
 * RecordOutcome's pipeline: one conditional status write, which keeps no Powertools idempotency record by
 * its own declaration (not listed in core/saga/steps-records.ts, which the chaos run's crash schedule
 * reads: it treats RecordOutcome apart), so its bundle leaves Powertools idempotency out too.
 */
export function recordOutcomeStep<S extends z.ZodMiniType<PaymentStepEvent>, R extends object>(
  step: Omit<StepDefinition<S, R>, 'idempotent'>,
) {
  return withoutIdempotency(step);
}

function withoutIdempotency<S extends z.ZodMiniType<PaymentStepEvent>, R extends object>(
  step: Omit<StepDefinition<S, R>, 'idempotent'>,
) {
  return stepPipelineWithoutRecord<PaymentStepEvent, S, R>(
    { subject: paymentSubject, onAttempt: recordAttempt },
    step,
  );
}

/**
 * One timeline entry per attempt, as core/saga/timeline.ts rules: a forward step's succeeded attempt is
 * carried in its result (`timeline`) instead of written; RecordOutcome writes its own (with the Outcome);
 * any other attempt is written now, together with the entries its input carries. Losing an entry must
 * not fail (and so repeat) a step that moved money.
 */
export async function recordAttempt(attempt: StepAttempt): Promise<{ timeline: CarriedEntry[] } | undefined> {
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
