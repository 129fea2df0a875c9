import type { OpsActionOutcome } from '../../../events/ops.v1';
import type { OpsDeps } from '../deps';
import { clip } from '../format';
import { type RedriveItem, type RedriveOptions, redriveSagas, type SagaSummary } from '../sagas';
import { type Audited, runAudited } from './audited';

/**
 * The saga redrive as one audited action (payctl sagas redrive, the console's
 * redrive button, the hosted console API): RedriveExecution of the sagas that
 * passed the pre-flight (the caller ran inspectSaga / listFailedSagas and
 * showed them), optionally waiting for them to end, then the audit record
 * sagas.redrive with how each ended.
 */

export interface SagaRedriveSummary {
  readonly redriven: number;
  readonly succeeded: number;
  readonly compensated: number;
  readonly failedAgain: number;
  readonly stillRunning: number;
  readonly notRedriven: number;
  readonly skipped: number;
}

export interface SagaRedriveResult {
  readonly items: readonly RedriveItem[];
  readonly summary: SagaRedriveSummary;
  /** How many of the sagas asked for came out as hoped: ended well when waited for, else redriven. */
  readonly ok: number;
}

export interface SagaRedriveSelection {
  /** Sagas that passed the pre-flight. */
  readonly ready: readonly SagaSummary[];
  /** How many were refused by the pre-flight (reported in the record). */
  readonly skipped: number;
  /** The audit record's target: one execution ARN, or the selection in words. */
  readonly target: string;
}

function summarize(items: readonly RedriveItem[], skipped: number): SagaRedriveSummary {
  const count = (outcome: RedriveItem['outcome']) => items.filter((i) => i.outcome === outcome).length;
  return {
    redriven: items.length - count('not_redriven'),
    succeeded: count('succeeded'),
    compensated: count('compensated'),
    failedAgain: count('failed_again'),
    stillRunning: count('still_running'),
    notRedriven: count('not_redriven'),
    skipped,
  };
}

export function redriveSagasAction(
  deps: OpsDeps,
  selection: SagaRedriveSelection,
  options: RedriveOptions = {},
): Promise<Audited<SagaRedriveResult>> {
  const { ready, skipped, target } = selection;
  return runAudited(deps, { action: 'sagas.redrive', target }, async () => {
    const items = await redriveSagas(deps, ready, options);
    const s = summarize(items, skipped);
    // A saga that ended compensated (declined on the retry, say) is resolved: nothing is left stuck.
    const ok = options.wait !== false ? s.succeeded + s.compensated : s.redriven;
    const outcome: OpsActionOutcome = ok === ready.length ? 'succeeded' : ok > 0 ? 'partial' : 'failed';
    return {
      result: { items, summary: s, ok },
      outcome,
      count: s.redriven,
      message: clip(
        `succeeded ${s.succeeded}, compensated ${s.compensated}, failed again ${s.failedAgain}, still running ${s.stillRunning}, not redriven ${s.notRedriven}, skipped ${s.skipped}; payments: ${items.map((i) => `${i.paymentId}=${i.outcome}`).join(' ')}`,
        2000,
      ),
    };
  });
}
