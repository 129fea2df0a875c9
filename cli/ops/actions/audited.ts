import type { OpsAction } from '../../../core/audit/audit-log';
import type { OpsActionOutcome } from '../../../events/ops.v1';
import { recordOpsAction } from '../audit';
import type { OpsDeps } from '../deps';

/**
 * The audited-action workflow every operations action shares (payctl, the
 * console, the hosted console API): do the work, then write its audit record
 * (the payments table, then OpsActionPerformed on the bus) with the caller's
 * identity. Callers only render what came back.
 */

/** What the audit write did: the record's id, or why it is incomplete. */
export interface AuditNote {
  readonly auditId?: string;
  /** The record is stored, but OpsActionPerformed was not published. */
  readonly warning?: string;
  /** The action was done, but no record could be written: record it by hand (payctl exits 3). */
  readonly problem?: string;
}

export interface Audited<R> {
  readonly result: R;
  readonly outcome: OpsActionOutcome;
  readonly audit: AuditNote;
}

type ActionRecord = Omit<OpsAction, 'actor' | 'stage'>;

/** What an action's work answers: its result and how its audit record reads. */
export interface ActionDone<R> {
  readonly result: R;
  readonly outcome: OpsActionOutcome;
  readonly count: number;
  readonly message?: string;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Writes the audit record of an action that was done (or attempted). Never
 * throws: the action stands either way, so a failed write comes back as a
 * problem for the caller to report (and exit non-zero on) after the result.
 */
export async function auditAction(deps: OpsDeps, action: ActionRecord): Promise<AuditNote> {
  try {
    const recorded = await recordOpsAction(deps, action);
    return {
      auditId: recorded.entry.auditId,
      ...(!recorded.published && {
        warning: `audit record ${recorded.entry.auditId} stored, but OpsActionPerformed was not published (${recorded.publishError})`,
      }),
    };
  } catch (error) {
    return {
      problem: `${action.action} on ${action.target} was done (${action.outcome}, ${action.count} item(s)) but its audit record could not be written: ${errorText(error)}; record it by hand`,
    };
  }
}

/**
 * Runs `work` and audits it: its outcome when it returns, `failed` (count 0,
 * the error's message) when it throws, and then the error is thrown on.
 */
export async function runAudited<R>(
  deps: OpsDeps,
  what: Pick<ActionRecord, 'action' | 'target'>,
  work: () => Promise<ActionDone<R>>,
): Promise<Audited<R>> {
  let done: ActionDone<R>;
  try {
    done = await work();
  } catch (error) {
    await auditAction(deps, { ...what, count: 0, outcome: 'failed', message: errorText(error) });
    throw error;
  }
  const audit = await auditAction(deps, {
    ...what,
    count: done.count,
    outcome: done.outcome,
    ...(done.message !== undefined && { message: done.message }),
  });
  return { result: done.result, outcome: done.outcome, audit };
}
