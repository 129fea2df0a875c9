import type { StepResultView, StepView } from '../../core/history/timeline';
import { renderTable } from '../output';
import { formatDuration, money, oneLine, signed } from './format';
import type { PaymentHistory } from './history';
import { renderRefunds } from './history-refunds-view';

function resultText(result: StepResultView | undefined): string {
  if (!result) return '';
  const parts: string[] = [];
  if (result.holdId)
    parts.push(`hold ${result.holdId} ${money(result.held)} until ${result.holdExpiresAt ?? '?'}`);
  if (result.chargeId)
    parts.push(
      `charge ${result.chargeId} ${result.chargeStatus ?? ''}${result.recovered ? ' (found at the gateway)' : ''}`.trim(),
    );
  if (result.captured) parts.push(`captured ${money(result.captured)}`);
  if (result.refundId || result.refundStatus)
    parts.push(
      `refund ${result.refundId ?? '-'} ${result.refundStatus ?? ''}${result.ledgerReversed ? ', ledger reversed' : ''}`.trim(),
    );
  if (result.releaseOutcome) parts.push(`${result.releaseOutcome}`);
  if (result.released && result.released.minor > 0) parts.push(`released ${money(result.released)}`);
  if (result.messageId) parts.push(`message ${result.messageId}`);
  if (result.outcomeStatus)
    parts.push(`${result.outcomeStatus}${result.reasonCode ? ` (${result.reasonCode})` : ''}`);
  return parts.join('; ');
}

function statusText(step: StepView): string {
  if (step.kind === 'end') return 'reached';
  if (step.status === 'caught') return 'failed -> caught';
  if (step.status === 'failed') return 'FAILED (execution stopped)';
  return step.status;
}

/** The timeline for people: header, one row per state with retries below it, journal, money, outcome. */
export function renderHistory(history: PaymentHistory): string[] {
  const { timeline: t } = history;
  const lines: string[] = [];
  const p = t.payment;
  lines.push(
    `Payment   ${t.paymentId}${p ? `  ${money(p.amount)}  ${p.walletId} -> ${p.merchantId}  requested ${p.requestedAt}` : ''}`,
  );
  lines.push(`Execution ${t.executionArn}`);
  lines.push(
    `Source    ${history.source === 'execution' ? 'Step Functions execution history' : `history archive ${history.archiveId} (written ${history.archivedAt}; the execution is no longer in Step Functions)`}`,
  );
  lines.push(
    `Ran       ${t.startedAt} -> ${t.stoppedAt ?? '(running)'}  ${formatDuration(t.durationMs)}${t.redriveCount > 0 ? `  redriven ${t.redriveCount}x` : ''}`,
  );
  lines.push('');
  const rows = t.steps.map((step, i) => ({ step, n: i + 1 }));
  const table = renderTable(rows, [
    { header: '#', value: (r) => r.n, align: 'right' },
    { header: 'STATE', value: (r) => r.step.state },
    { header: 'KIND', value: (r) => r.step.kind.replace('_', ' ') },
    ...(t.redriveCount > 0 ? [{ header: 'RUN', value: (r: (typeof rows)[number]) => r.step.run }] : []),
    { header: 'STARTED', value: (r) => r.step.enteredAt },
    { header: 'ENDED', value: (r) => r.step.exitedAt ?? '' },
    { header: 'TOOK', value: (r) => formatDuration(r.step.durationMs), align: 'right' },
    { header: 'TRIES', value: (r) => r.step.attempts.length || '', align: 'right' },
    { header: 'STATUS', value: (r) => statusText(r.step) },
    { header: 'RESULT', value: (r) => resultText(r.step.result) },
  ]).split('\n');
  lines.push(...(table.slice(0, 2) as string[]));
  for (const [i, row] of table.slice(2).entries()) {
    lines.push(row);
    const step = rows[i]?.step;
    if (!step) continue;
    for (const attempt of step.attempts) {
      if (attempt.outcome === 'succeeded') continue;
      lines.push(
        `      attempt ${attempt.attempt} ${attempt.outcome.replace('_', ' ')} after ${formatDuration(attempt.durationMs)}: ${attempt.error ?? ''}${attempt.cause ? ` — ${oneLine(attempt.cause)}` : ''}`,
      );
    }
    if (step.journal.length > 0) lines.push(`      journal: ${step.journal.join(', ')}`);
  }
  lines.push('');
  lines.push('Journal');
  if (t.journal.length === 0) lines.push('  (no ledger entries)');
  const operationWidth = Math.max(8, ...t.journal.map((entry) => entry.operation.length));
  for (const entry of t.journal) {
    const postings = entry.lines.map((l) => `${l.account} ${signed(l.amount)}`).join(', ');
    lines.push(
      `  ${entry.operation.padEnd(operationWidth)} ${entry.effectiveAt}  ${entry.currency}  ${postings}${entry.balanced ? '' : '  UNBALANCED'}`,
    );
  }
  if (t.money) {
    lines.push('');
    lines.push(
      `Money     held ${money(t.money.held)}, captured ${money(t.money.captured)}, refunded ${money(t.money.refunded)}, released ${money(t.money.released)}`,
    );
  }
  const o = t.outcome;
  lines.push(
    `Outcome   ${o.summary.toUpperCase().replace('_', ' ')}${o.reasonCode ? ` (${o.reasonCode})` : ''}${o.failedState ? ` at ${o.failedState}` : ''}  [execution ${o.executionStatus}${o.paymentStatus ? `, payment ${o.paymentStatus}` : ''}]`,
  );
  if (o.reason) lines.push(`          reason: ${oneLine(o.reason, 300)}`);
  if (o.compensations.length > 0) lines.push(`          compensations: ${o.compensations.join(', ')}`);
  if (o.summary === 'stopped') {
    lines.push(`          the execution stopped with ${o.error ?? 'an error'}: ${oneLine(o.cause, 300)}`);
    lines.push(`          ${heldNow(t)}`);
    lines.push('          redrive the execution once the cause is fixed (payctl sagas redrive)');
  }
  if (o.summary === 'needs_attention') lines.push(`          ${heldNow(t)}`);
  lines.push(...renderRefunds(t.refunds));
  return lines;
}

/** What the ledger holds for the payment now, from its journal entries: never assumed from the state. */
function heldNow(t: PaymentHistory['timeline']): string {
  const m = t.money;
  if (!m?.open) return 'what is held is unknown: the payment or its journal could not be read';
  const open = m.open.minor > 0 ? `a hold of ${money(m.open)} is open` : 'no hold is open';
  const charged = t.steps.some((s) => s.result?.chargeId)
    ? 'a gateway charge is recorded'
    : 'the saga recorded no gateway charge';
  return `${open}; captured ${money(m.captured)}, refunded ${money(m.refunded)}, released ${money(m.released)}; ${charged}`;
}
