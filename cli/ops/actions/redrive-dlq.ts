import type { QueueKey } from '../../../core/config/names';
import type { OpsDeps } from '../deps';
import {
  cancelRedrive,
  type RedrivePlan,
  type RedriveProgress,
  type RedriveResult,
  redriveDlq,
  redriveOutcome,
} from '../dlq';
import { type Audited, type AuditNote, auditAction, runAudited } from './audited';

/**
 * The DLQ redrive as one audited action (payctl dlq redrive, the console's
 * redrive button, the hosted console API): the planned move (planRedrive and
 * its pre-flight run first, by the caller, so it can show and confirm them),
 * then the audit record dlq.redrive with what moved.
 */
export function redriveDlqAction(
  deps: OpsDeps,
  plan: RedrivePlan,
  options: { pollMs?: number; onProgress?: (progress: RedriveProgress) => void } = {},
): Promise<Audited<RedriveResult>> {
  return runAudited(
    deps,
    { action: 'dlq.redrive', target: `${plan.queue} -> ${plan.destination}` },
    async () => {
      const result = await redriveDlq(deps, plan, options);
      return {
        result,
        outcome: redriveOutcome(result),
        count: result.moved,
        ...(result.failureReason !== undefined && { message: result.failureReason }),
      };
    },
  );
}

/** Cancels the running redrive of a DLQ (what moved stays moved); audited once it is cancelled. */
export async function cancelDlqRedriveAction(
  deps: OpsDeps,
  key: QueueKey,
): Promise<{ readonly result: { queue: string; moved: number }; readonly audit: AuditNote }> {
  const result = await cancelRedrive(deps, key);
  const audit = await auditAction(deps, {
    action: 'dlq.redrive.cancel',
    target: result.queue,
    count: result.moved,
    outcome: 'succeeded',
  });
  return { result, audit };
}
