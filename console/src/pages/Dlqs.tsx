import { useState } from 'preact/hooks';
import type {
  ActionResult,
  ConsoleMeta,
  DlqMessage,
  DlqPeek,
  DlqSummary,
  RedrivePlan,
} from '../../../cli/console/api-types';
import { getJson, postJson } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorBox, Loading, Section, useLoad } from '../components/common';
import { RefundResolveDialog } from '../components/RefundResolveDialog';
import { ResolveDialog } from '../components/ResolveDialog';
import { formatAge, formatInstant } from '../format';
import { href } from '../router';

/** A refund parked by the refund saga, resolved by `payctl payments resolve-refund`. */
interface ParkedRefund {
  readonly paymentId: string;
  readonly refundId: string;
}

/**
 * `onResolve`: the compensation DLQ's messages get a Resolve button: a payment's
 * (payctl payments resolve), or a refund's (payctl payments resolve-refund).
 */
function MessagesTable({
  messages,
  onResolve,
  onResolveRefund,
}: {
  messages: readonly DlqMessage[];
  onResolve?: (paymentId: string) => void;
  onResolveRefund?: (refund: ParkedRefund) => void;
}) {
  if (messages.length === 0) return <p class="muted">No messages.</p>;
  return (
    <table class="data" data-testid="dlq-messages">
      <thead>
        <tr>
          <th scope="col">Message</th>
          <th scope="col">Payment</th>
          <th scope="col">Reason</th>
          <th scope="col">First failure (UTC)</th>
          <th scope="col" class="num">
            Receives
          </th>
          {onResolve && (
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {messages.map((m) => (
          <tr key={m.messageId}>
            <td>
              <details>
                <summary>{m.messageId.slice(0, 8)}…</summary>
                <pre>{typeof m.body === 'string' ? m.body : JSON.stringify(m.body, null, 2)}</pre>
              </details>
            </td>
            <td>
              {m.paymentId ? (
                <a href={href(`payments/${encodeURIComponent(m.paymentId)}`)}>{m.paymentId}</a>
              ) : (
                '—'
              )}
            </td>
            <td>
              <code>{m.reasonCode}</code> {m.reason}
            </td>
            <td>{formatInstant(m.firstFailureAt)}</td>
            <td class="num">{m.receiveCount}</td>
            {onResolve && (
              <td class="actions">
                {m.paymentId && m.refundId && onResolveRefund && (
                  <button
                    type="button"
                    onClick={() =>
                      m.paymentId &&
                      m.refundId &&
                      onResolveRefund({ paymentId: m.paymentId, refundId: m.refundId })
                    }
                    aria-label={`Resolve refund ${m.refundId}`}
                  >
                    Resolve refund…
                  </button>
                )}
                {m.paymentId && !m.refundId && (
                  <button
                    type="button"
                    onClick={() => m.paymentId && onResolve(m.paymentId)}
                    aria-label={`Resolve ${m.paymentId}`}
                  >
                    Resolve…
                  </button>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Asks the server what a redrive would move, shows it, and redrives on confirmation. */
function RedriveDialog({
  queue,
  onDone,
  onClose,
}: {
  queue: DlqSummary;
  onDone: (r: ActionResult) => void;
  onClose: () => void;
}) {
  const preview = useLoad(async () => {
    const plan = await getJson<RedrivePlan>(`dlqs/${queue.key}/plan`);
    const peek = await getJson<DlqPeek>(`dlqs/${queue.key}`, { limit: 10 });
    return { plan, peek };
  }, [queue.key]);
  const [includeRejected, setIncludeRejected] = useState(false);
  const rejections = Object.entries(preview.data?.plan.rejections ?? {});
  const rejected = rejections.reduce((sum, [, n]) => sum + n, 0);
  return (
    <ConfirmDialog
      title={`Redrive ${queue.queue}?`}
      confirmLabel="Redrive"
      onClose={onClose}
      onConfirm={async () => {
        onDone(await postJson<ActionResult>(`dlqs/${queue.key}/redrive`, { includeRejected }));
      }}
    >
      {preview.error && <ErrorBox message={preview.error} />}
      {!preview.data && !preview.error && <Loading what="what would move" />}
      {preview.data && (
        <>
          <p data-testid="redrive-plan">
            This moves <strong>{preview.data.plan.toMove}</strong> message(s) from{' '}
            <code>{preview.data.plan.queue}</code> back to <code>{preview.data.plan.destination}</code>, where
            they are processed again. The redrive is recorded in the audit log.
          </p>
          <p class="muted">
            {preview.data.plan.method === 'move-task'
              ? 'Moved by an SQS message move task.'
              : 'Moved by the console itself (send, then delete): SQS move tasks do not take this queue.'}
          </p>
          {rejected > 0 && (
            <div class="warning" data-testid="redrive-rejections">
              <p>
                {rejected} of the {preview.data.plan.checked} message(s) checked are intake rejections (
                {rejections.map(([code, n]) => `${code}: ${n}`).join(', ')}), already reported upstream as
                PaymentRejected: a redrive would reject them again, or start a payment upstream was told was
                refused.
              </p>
              <label>
                <input
                  type="checkbox"
                  checked={includeRejected}
                  onChange={(e) => setIncludeRejected((e.currentTarget as HTMLInputElement).checked)}
                />{' '}
                Also move the intake rejections
              </label>
            </div>
          )}
          {preview.data.plan.inFlight > 0 && (
            <p class="warning">
              {preview.data.plan.inFlight} message(s) are in flight and will not be moved.
            </p>
          )}
          <MessagesTable messages={preview.data.peek.messages} />
        </>
      )}
    </ConfirmDialog>
  );
}

/** Dead-letter queues: depth, oldest message, peek, and (with --allow-actions) redrive. */
export function DlqsPage({ meta, selected }: { meta: ConsoleMeta; selected?: string }) {
  const queues = useLoad(() => getJson<DlqSummary[]>('dlqs'), []);
  // Peeking receives and restores messages, as listing does to age them: one after the other, never both at once.
  const peek = useLoad(
    async () => (selected && queues.data ? getJson<DlqPeek>(`dlqs/${selected}`, { limit: 20 }) : undefined),
    [selected, queues.data],
  );
  const [redriving, setRedriving] = useState<DlqSummary>();
  const [resolving, setResolving] = useState<string>();
  const [resolvingRefund, setResolvingRefund] = useState<ParkedRefund>();
  // Parked compensations are resolved one payment at a time, never redriven (payctl payments resolve).
  const resolvable = meta.allowActions && selected === 'compensationDlq';
  const [result, setResult] = useState<ActionResult>();

  return (
    <>
      <h1>Dead-letter queues</h1>
      {result && (
        <p class={result.ok ? 'notice' : 'error'} role="status" data-testid="action-result">
          {result.summary}
          {result.detail?.auditId && ` (audit ${result.detail.auditId})`}
        </p>
      )}
      {queues.error && <ErrorBox message={queues.error} />}
      {!queues.data && !queues.error && <Loading what="queues" />}
      {queues.data && (
        <table class="data" data-testid="dlq-table">
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Holds</th>
              <th scope="col" class="num">
                Depth
              </th>
              <th scope="col" class="num">
                In flight
              </th>
              <th scope="col" class="num">
                Oldest
              </th>
              <th scope="col">Redrives to</th>
              <th scope="col">Last redrive</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {queues.data.map((q) => (
              <tr key={q.key} data-queue={q.key}>
                <th scope="row">{q.queue}</th>
                <td>{q.holds}</td>
                <td class="num" data-testid="depth">
                  {q.depth}
                </td>
                <td class="num">{q.inFlight}</td>
                <td class="num">
                  {formatAge(q.oldestAgeSeconds)}
                  {q.oldestSampled ? '+' : ''}
                </td>
                <td>{q.source ?? 'resolved by hand'}</td>
                <td>{q.redrive ? `${q.redrive.status} ${q.redrive.moved}/${q.redrive.toMove}` : '—'}</td>
                <td class="actions">
                  <div>
                    <a href={href(`dlqs/${q.key}`)} aria-label={`Peek ${q.queue}`}>
                      Peek
                    </a>
                    {meta.allowActions && q.source && (
                      <button
                        type="button"
                        disabled={q.depth === 0}
                        onClick={() => setRedriving(q)}
                        aria-label={`Redrive ${q.queue}`}
                      >
                        Redrive…
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!meta.allowActions && (
        <p class="muted">Read-only console: start it with payctl console --allow-actions to redrive.</p>
      )}
      {selected && (
        <Section title={`Messages in ${peek.data?.queue ?? selected}`}>
          {peek.error && <ErrorBox message={peek.error} />}
          {peek.loading && <Loading what="messages" />}
          {peek.data && !peek.loading && (
            <MessagesTable
              messages={peek.data.messages}
              {...(resolvable && { onResolve: setResolving, onResolveRefund: setResolvingRefund })}
            />
          )}
        </Section>
      )}
      {resolving && (
        <ResolveDialog
          paymentId={resolving}
          onClose={() => setResolving(undefined)}
          onDone={(r) => {
            setResult(r);
            queues.reload();
          }}
        />
      )}
      {resolvingRefund && (
        <RefundResolveDialog
          paymentId={resolvingRefund.paymentId}
          refundId={resolvingRefund.refundId}
          onClose={() => setResolvingRefund(undefined)}
          onDone={(r) => {
            setResult(r);
            queues.reload();
          }}
        />
      )}
      {redriving && (
        <RedriveDialog
          queue={redriving}
          onClose={() => setRedriving(undefined)}
          onDone={(r) => {
            setResult(r);
            queues.reload();
          }}
        />
      )}
    </>
  );
}
