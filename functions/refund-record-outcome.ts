import { required } from '../core/config/env';
import { resourceNames } from '../core/config/names';
import { type RefundOutcomeRecord, recordRefundOutcome } from '../core/refunds/outcome';
import { RefundRecordOutcomeInput } from '../core/refunds/state';
import { env } from './commons/env';
import { queueNotification } from './commons/notification-queue';
import { refundStore } from './commons/refund-deps';
import { refundStep } from './commons/refund-step';

/**
 * RecordSuccess / RecordFailure / RecordNeedsAttention: the refund record's
 * final status and reason, refund.succeeded / refund.failed on the
 * notification queue (NOTIFICATION_QUEUE_URL), and the outcome event for the
 * ASL to publish.
 */
export const handler = refundStep({
  name: 'refund-record-outcome',
  input: RefundRecordOutcomeInput,
  run: (input): Promise<RefundOutcomeRecord> =>
    recordRefundOutcome(
      refundStore(),
      input,
      {
        eventBusName: required(env, 'eventBusName'),
        compensationDlqName: resourceNames(env.stage).queues.compensationDlq,
      },
      new Date(),
      queueNotification,
    ),
});
