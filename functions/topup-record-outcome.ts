import { required } from '../core/config/env';
import { resourceNames } from '../core/config/names';
import { topUpOutcomeNotification } from '../core/saga/notification';
import { buildTopUpOutcome, type TopUpOutcomeRecord } from '../core/topups/outcome';
import { TopUpRecordOutcomeInput } from '../core/topups/state';
import { env } from './commons/env';
import { queueNotification } from './commons/notification-queue';
import { topUpStore } from './commons/topup-deps';
import { topUpStepWithoutRecord } from './commons/topup-subject';

/**
 * RecordOutcome (top-up): records the final status and reason, and returns the
 * outcome event for the ASL to publish. A conditional status write: no
 * idempotency record needed, a retry writes the same status again. Queues
 * top_up.succeeded or top_up.failed on the notification queue (the same
 * notificationId on a retry; the fan-out dedupes).
 */
export const handler = topUpStepWithoutRecord({
  name: 'topup-record-outcome',
  input: TopUpRecordOutcomeInput,
  run: async (input): Promise<TopUpOutcomeRecord> => {
    const now = new Date();
    const outcome = buildTopUpOutcome(
      input,
      {
        eventBusName: required(env, 'eventBusName'),
        compensationDlqName: resourceNames(env.stage).queues.compensationDlq,
      },
      now.toISOString(),
    );
    const { saga } = input;
    await topUpStore().advance(
      saga.topUp.topUpId,
      outcome.status,
      {
        ...(saga.charge && { chargeId: saga.charge.chargeId }),
        ...(saga.refund?.refundId && { refundId: saga.refund.refundId }),
        ...(outcome.reasonCode && { reasonCode: outcome.reasonCode }),
        ...(outcome.status !== 'SUCCEEDED' && { reason: outcome.cause.slice(0, 1000) }),
        ...(outcome.failedState && { failedState: outcome.failedState }),
      },
      now,
    );
    await queueNotification(topUpOutcomeNotification(input, outcome, now.toISOString()));
    return outcome;
  },
});
