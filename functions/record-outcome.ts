import { required } from '../core/config/env';
import { resourceNames } from '../core/config/names';
import { buildOutcome, type OutcomeRecord } from '../core/saga/outcome';
import { RecordOutcomeInput } from '../core/saga/state';
import { stepDeps } from './commons/deps';
import { env } from './commons/env';
import { sagaStep } from './commons/saga-step';

/**
 * RecordOutcome: records the payment's final status and reason, and returns the
 * outcome events for the ASL to publish. A conditional status write, so it
 * needs no idempotency record: a retry writes the same status again.
 */
export const handler = sagaStep({
  name: 'record-outcome',
  input: RecordOutcomeInput,
  idempotent: false,
  run: async (input): Promise<OutcomeRecord> => {
    const { payments, now } = stepDeps();
    const at = now().toISOString();
    const outcome = buildOutcome(
      input,
      {
        eventBusName: required(env, 'eventBusName'),
        compensationDlqName: resourceNames(env.stage).queues.compensationDlq,
      },
      at,
    );
    const { paymentId } = input.saga.payment;
    if (outcome.status !== 'SUCCEEDED') {
      await payments.advance(paymentId, outcome.status, {
        ...(outcome.reasonCode && { reasonCode: outcome.reasonCode }),
        reason: outcome.cause,
        ...(outcome.failedState && { failedState: outcome.failedState }),
        compensations: outcome.compensations,
      });
    }
    await payments.appendStep(paymentId, {
      step: 'Outcome',
      outcome: 'succeeded',
      at,
      detail: { status: outcome.status },
    });
    return outcome;
  },
});
