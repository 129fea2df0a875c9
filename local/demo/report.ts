import type { QueueKey, ResourceNames } from '../../core/config/names';
import type { Progress } from './drive';
import type { DemoSummary } from './verify';

const pad = (text: string, width: number) => text.padEnd(width);
const money = (minor: number) =>
  `${Math.trunc(minor / 100).toLocaleString('en-US')}.${String(Math.abs(minor) % 100).padStart(2, '0')}`;

/** One progress line: a bar over the sagas that ended, plus what was sent. */
export function progressLine(p: Progress, width = 30): string {
  const ratio = p.expected === 0 ? 1 : Math.min(1, p.terminal / p.expected);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.terminal}/${p.expected} sagas ended  (${p.sent}/${p.toSend} events sent, ${p.started} started)`;
}

/** The summary as a human table, checks last. */
export function renderSummary(summary: DemoSummary, names: ResourceNames): string {
  const s = summary;
  const lines: string[] = [];
  const row = (label: string, value: string | number) => lines.push(`  ${pad(label, 34)} ${value}`);
  lines.push(`paysaga demo ${s.runId}`, '');
  lines.push('sent');
  row('events (PutEvents entries)', s.sent.events);
  row('payments (unique, valid)', s.sent.payments);
  row('duplicates (same id + payload)', s.sent.duplicates);
  row('malformed (schema violations)', s.sent.malformed);
  row('card number in a field', s.sent.cardNumber);
  lines.push('', 'outcome');
  row('sagas started', s.sagas.started);
  row('succeeded', s.sagas.succeeded);
  for (const [reason, n] of Object.entries(s.sagas.failedByReason).sort(([, a], [, b]) => b - a)) {
    row(`failed: ${reason}`, n);
  }
  row('compensated (hold released/refund)', s.sagas.compensated);
  row('held for redrive (Charge retries out)', s.sagas.holdsKeptForRedrive);
  if (s.sagas.stillRunning > 0) row('STILL RUNNING', s.sagas.stillRunning);
  row('duplicates suppressed', `${s.duplicatesSuppressed} of ${s.sent.duplicates}`);
  lines.push('', 'dead-letter queues (new messages)');
  for (const [key, n] of Object.entries(s.dlq)) row(names.queues[key as QueueKey], n);
  lines.push('', 'money');
  row('gateway charges (live / refunded)', `${s.gateway.live} / ${s.gateway.refunded}`);
  for (const [currency, minor] of Object.entries(s.ledger.settledMinor)) {
    row(`settled ${currency} (held)`, `${money(minor)} (${money(s.ledger.heldMinor[currency] ?? 0)})`);
  }
  lines.push('', 'time');
  row('send', `${(s.timing.sendMs / 1000).toFixed(1)} s`);
  row(
    'first event -> last saga ended',
    `${(s.timing.totalMs / 1000).toFixed(1)} s (${s.timing.sagasPerSecond} sagas/s)`,
  );
  row('latency PutEvents -> end p50 / p99', `${s.timing.latencyP50Ms} / ${s.timing.latencyP99Ms} ms`);
  lines.push('', 'checks (against the ledger and the gateway)');
  for (const c of s.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  const failed = s.checks.filter((c) => !c.ok).length;
  lines.push(
    '',
    failed === 0
      ? `all ${s.checks.length} checks passed`
      : `${failed} of ${s.checks.length} checks FAILED: the summary disagrees with the ledger or the gateway`,
  );
  return lines.join('\n');
}
