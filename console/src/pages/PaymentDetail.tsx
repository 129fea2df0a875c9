import { Fragment } from 'preact';
import type { PaymentDetail } from '../../../cli/console/api-types';
import { getJson } from '../api';
import { TimelineChart } from '../charts/TimelineChart';
import { ErrorBox, Loading, Section, StatusBadge, useLoad } from '../components/common';
import { formatDuration, formatInstant } from '../format';
import { href } from '../router';
import { PaymentRefunds } from './PaymentRefunds';
import { PaymentWebhooks } from './PaymentWebhooks';

const OUTCOME_TEXT: Readonly<Record<string, string>> = {
  succeeded: 'Succeeded: charged, settled and notified',
  failed: 'Failed: what was done has been undone (or there was nothing to undo)',
  needs_attention: 'Needs attention: a compensation failed after its retries (compensation DLQ)',
  stopped: 'Stopped at a step after its retries: the hold is kept; redrive once the cause is fixed',
  running: 'Running',
};

/** One payment: facts, the saga timeline chart, its steps and attempts, the journal entries. */
export function PaymentDetailPage({ paymentId }: { paymentId: string }) {
  const detail = useLoad(
    () => getJson<PaymentDetail>(`payments/${encodeURIComponent(paymentId)}`),
    [paymentId],
  );
  if (detail.error) return <ErrorBox message={detail.error} />;
  if (!detail.data) return <Loading what={`payment ${paymentId}`} />;
  const { payment, history } = detail.data;
  const timeline = history.timeline;
  const facts: Array<[string, string | undefined]> = [
    [
      'Amount',
      payment
        ? `${payment.amount} ${payment.currency}`
        : timeline.payment && `${timeline.payment.amount.major} ${timeline.payment.amount.currency}`,
    ],
    ['Payer wallet', payment?.payer ?? timeline.payment?.walletId],
    ['Payee merchant', payment?.payee ?? timeline.payment?.merchantId],
    ['Requested (UTC)', formatInstant(payment?.requestedAt ?? timeline.payment?.requestedAt)],
    ['Completed (UTC)', formatInstant(payment?.completedAt)],
    [
      'Reason',
      payment?.reasonCode &&
        `${payment.reasonCode}${payment.failureReason ? ` — ${payment.failureReason}` : ''}`,
    ],
    ['Gateway charge', payment?.chargeId],
    ['Refund', payment?.refundId],
  ];
  return (
    <>
      <p>
        <a href={href('payments')}>← Payments</a>
      </p>
      <h1>
        Payment <code>{paymentId}</code> {payment && <StatusBadge status={payment.status} />}
      </h1>
      <dl class="facts">
        {facts
          .filter(([, value]) => value)
          .map(([label, value]) => (
            <Fragment key={label}>
              <dt>{label}</dt>
              <dd>
                {label === 'Payer wallet' && value ? (
                  <a href={href(`wallets/${encodeURIComponent(value)}`)} data-testid="wallet-link">
                    {value}
                  </a>
                ) : (
                  value
                )}
              </dd>
            </Fragment>
          ))}
      </dl>
      {history.source === 'archive' && (
        <p class="muted">
          From the history archive ({history.archiveId}, {formatInstant(history.archivedAt)}): Step Functions
          no longer has the execution.
        </p>
      )}
      <Section title="Saga timeline">
        <p class={`outcome outcome-${timeline.outcome.summary}`} data-testid="saga-outcome">
          <strong>{OUTCOME_TEXT[timeline.outcome.summary] ?? timeline.outcome.summary}</strong>
          {timeline.outcome.reasonCode && ` (${timeline.outcome.reasonCode})`}
          {timeline.outcome.compensations.length > 0 &&
            ` — compensations: ${timeline.outcome.compensations.join(', ')}`}
          {timeline.durationMs !== undefined && ` — ${formatDuration(timeline.durationMs)}`}
          {timeline.redriveCount > 0 && ` — redriven ${timeline.redriveCount}×`}
        </p>
        <TimelineChart timeline={timeline} />
        <table class="data" data-testid="steps-table">
          <caption>Steps and attempts</caption>
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Attempts
              </th>
              <th scope="col">Failed attempts</th>
              <th scope="col" class="num">
                Duration
              </th>
            </tr>
          </thead>
          <tbody>
            {timeline.steps.map((s) => (
              <tr key={`${s.state}-${s.run}-${s.enteredAt}`} data-state={s.state} data-kind={s.kind}>
                <td>
                  {s.state}
                  {s.run > 0 ? ` (run ${s.run + 1})` : ''}
                </td>
                <td>{s.kind}</td>
                <td>{s.status}</td>
                <td class="num">{s.attempts.length}</td>
                <td>
                  {s.attempts
                    .filter((a) => a.outcome === 'failed' || a.outcome === 'timed_out')
                    .map((a) => `#${a.attempt} ${a.error ?? a.outcome}`)
                    .join(', ')}
                </td>
                <td class="num">{s.durationMs === undefined ? '' : formatDuration(s.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Journal entries">
        {timeline.journal.length === 0 && <p class="muted">No journal entries: nothing was held or moved.</p>}
        {timeline.journal.length > 0 && (
          <table class="data" data-testid="journal-table">
            <thead>
              <tr>
                <th scope="col">Entry</th>
                <th scope="col">Operation</th>
                <th scope="col">Effective (UTC)</th>
                <th scope="col">Account</th>
                <th scope="col" class="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {timeline.journal.flatMap((entry) =>
                entry.lines.map((line, i) => (
                  <tr key={`${entry.entryId}-${i}`} class={i === 0 ? 'entry-start' : ''}>
                    <td>{i === 0 ? entry.entryId : ''}</td>
                    <td>{i === 0 ? entry.operation : ''}</td>
                    <td>{i === 0 ? formatInstant(entry.effectiveAt) : ''}</td>
                    <td>{line.account}</td>
                    <td class="num">
                      {line.amount.major} {line.amount.currency}
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        )}
        {timeline.money && (
          <p class="muted">
            Held {timeline.money.held.major}, captured {timeline.money.captured.major}, refunded{' '}
            {timeline.money.refunded.major}, released {timeline.money.released.major}{' '}
            {timeline.money.held.currency}
          </p>
        )}
      </Section>
      <PaymentRefunds paymentId={paymentId} />
      <PaymentWebhooks paymentId={paymentId} />
    </>
  );
}
