import { required } from '../core/config/env';
import { resourceNames } from '../core/config/names';
import { paymentOutcomeNotification } from '../core/saga/notification';
import { buildOutcome, type OutcomeRecord } from '../core/saga/outcome';
import { RecordOutcomeInput } from '../core/saga/state';
import { attemptEntry, carriedEntries } from '../core/saga/timeline';
import { paymentLog } from './commons/deps';
import { env } from './commons/env';
import { countOutcome } from './commons/metrics';
import { queueNotification } from './commons/notification-queue';
import { recordOutcomeStep } from './commons/payment-step';

/**
 * RecordOutcome: records the payment's final status and reason, and returns the
 * outcome events for the ASL to publish. A conditional status write, so it
 * needs no idempotency record: a retry writes the same status again. The
 * outcome is dated by the payment's recorded terminal time, and its timeline
 * entry is keyed by that time and the status, so a retry neither adds a second
 * Outcome entry nor changes the events' occurredAt. A failed payment's
 * payment.failed goes on the notification queue (the same notificationId on a
 * retry; the fan-out dedupes), as Notify queues a succeeded one's. Then one
 * timeline write: the entries the saga state carries (the forward steps'
 * succeeded attempts, core/saga/timeline.ts), this attempt's and the Outcome,
 * last, so an attempt that failed before it is recorded as failed.
 */
export const handler = recordOutcomeStep({
  name: 'record-outcome',
  input: RecordOutcomeInput,
  run: async (input, attempt): Promise<OutcomeRecord> => {
    // The clock and the payments log only: stepDeps() would bring the whole ledger into this bundle.
    const now = () => new Date();
    const payments = paymentLog();
    const destinations = {
      eventBusName: required(env, 'eventBusName'),
      compensationDlqName: resourceNames(env.stage).queues.compensationDlq,
    };
    const { paymentId } = input.saga.payment;
    const first = buildOutcome(input, destinations, now().toISOString());
    if (first.status !== 'SUCCEEDED') {
      await payments.advance(paymentId, first.status, {
        ...(first.reasonCode && { reasonCode: first.reasonCode }),
        reason: first.cause,
        ...(first.failedState && { failedState: first.failedState }),
        compensations: first.compensations,
      });
    }
    const at = (await payments.get(paymentId))?.terminalAt ?? now().toISOString();
    const outcome = buildOutcome(input, destinations, at);
    countOutcome(outcome, input.saga);
    const notification = paymentOutcomeNotification(input, outcome, at);
    if (notification) await queueNotification(notification);
    await payments.appendSteps(paymentId, [
      ...carriedEntries(input),
      attemptEntry(attempt),
      {
        attemptId: `outcome-${outcome.status}`,
        step: 'Outcome',
        outcome: 'succeeded',
        at,
        detail: { status: outcome.status },
      },
    ]);
    return outcome;
  },
});
