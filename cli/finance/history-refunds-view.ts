import type { RefundView } from '../../core/history/timeline';
import { formatDuration, money, oneLine } from './format';

/** A refund's amount and where it went: "EUR 25.00 (wallet EUR 5.00, card EUR 20.00)". */
function amountText(refund: RefundView): string {
  if (!refund.amount) return refund.requested ? `${money(refund.requested)} asked` : 'all refundable asked';
  const parts = [
    ...(refund.walletAmount?.minor ? [`wallet ${money(refund.walletAmount)}`] : []),
    ...(refund.gatewayAmount?.minor ? [`card ${money(refund.gatewayAmount)}`] : []),
  ];
  return `${money(refund.amount)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

function outcomeText(refund: RefundView): string {
  const at = refund.terminalAt ? ` at ${refund.terminalAt}` : '';
  if (refund.status === 'SUCCEEDED') return `SUCCEEDED${at}`;
  if (refund.status === 'FAILED' || refund.status === 'NEEDS_ATTENTION') {
    return `${refund.status.replace('_', ' ')}${refund.reasonCode ? ` (${refund.reasonCode})` : ''}${refund.failedState ? ` at ${refund.failedState}` : ''}${at}`;
  }
  return `${refund.status} (the refund saga is running)`;
}

/**
 * The payment's refunds after success for people: per refund the request, the reservation, the
 * gateway refund, the ledger reversal, the outcome, then its saga's steps (or why they are missing).
 */
export function renderRefunds(refunds: readonly RefundView[] | undefined): string[] {
  if (!refunds || refunds.length === 0) return [];
  const lines = ['', `Refunds   ${refunds.length}`];
  for (const refund of refunds) {
    lines.push(
      `  ${refund.refundId}  ${amountText(refund)}  requested ${refund.requestedAt}${refund.requestedBy ? ` by ${refund.requestedBy}` : ''}  reason: ${oneLine(refund.reason, 80)}`,
    );
    lines.push(`      reserved:  ${refund.reservation ?? '-'}`);
    lines.push(
      `      gateway:   ${refund.gatewayRefundId ?? (refund.gatewayAmount?.minor ? '-' : 'no card part')}`,
    );
    lines.push(
      `      reversal:  ${refund.reversal ? `${refund.reversal.entryId} at ${refund.reversal.effectiveAt}` : '-'}`,
    );
    lines.push(`      outcome:   ${outcomeText(refund)}`);
    if (refund.failureReason) lines.push(`      reason:    ${oneLine(refund.failureReason, 200)}`);
    const execution = refund.execution;
    if (!execution) {
      lines.push(`      saga:      ${refund.executionArn} (not in Step Functions)`);
      continue;
    }
    lines.push(
      `      saga:      ${execution.executionArn}  ${execution.status}${execution.redriveCount > 0 ? `  redriven ${execution.redriveCount}x` : ''}`,
    );
    for (const step of execution.steps) {
      const failed = step.attempts.filter((a) => a.outcome !== 'succeeded' && a.outcome !== 'running');
      lines.push(
        `        ${step.state.padEnd(22)} ${step.kind.replace('_', ' ').padEnd(12)} ${step.enteredAt}  ${formatDuration(step.durationMs).padStart(8)}  ${step.status}${failed.length > 0 ? `  (${failed.length} failed attempts: ${failed.at(-1)?.error ?? ''})` : ''}`,
      );
    }
  }
  return lines;
}
