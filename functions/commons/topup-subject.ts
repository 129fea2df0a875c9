import '../../core/config/zod-locale';
import type * as z from 'zod/mini';
import { type StepDefinition, type StepSubject, stepPipelineWithoutRecord } from './step-pipeline';

export type TopUpStepEvent =
  | { readonly topUp: { readonly topUpId: string }; readonly executionArn: string }
  | { readonly saga: { readonly topUp: { readonly topUpId: string } }; readonly executionArn: string };

/** The top-up saga's subject: its steps log and key by the topUpId. */
export const topUpSubject: StepSubject<TopUpStepEvent> = {
  logKey: 'topUpId',
  noun: 'top-up',
  idOf: (event) => ('topUp' in event ? event.topUp : event.saga.topUp).topUpId,
};

/**
 * The top-up RecordOutcome's pipeline: one conditional status write, no Powertools idempotency record
 * (`idempotent: false`), and so no Powertools idempotency in its bundle (topup-step.ts brings it for the
 * steps that keep records).
 */
export function topUpStepWithoutRecord<S extends z.ZodMiniType<TopUpStepEvent>, R extends object>(
  step: Omit<StepDefinition<S, R>, 'idempotent'>,
) {
  return stepPipelineWithoutRecord<TopUpStepEvent, S, R>({ subject: topUpSubject }, step);
}
