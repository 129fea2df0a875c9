import { useState } from 'preact/hooks';
import type { ActionResult, ConsoleMeta } from '../../../cli/console/api-types';
import type { EventLog } from '../../../core/webhooks/delivery-store';
import { getJson, postJson } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorBox, Loading, Section, useLoad } from '../components/common';
import { formatInstant } from '../format';

/**
 * The payment page's webhook panel: each webhook event of the payment, every
 * attempt (time, status code, latency, error, endpoint), and, with
 * --allow-actions, a resend (the audited webhooks.resend, as payctl webhooks resend).
 */
export function PaymentWebhooks({ paymentId }: { paymentId: string }) {
  const meta = useLoad(() => getJson<ConsoleMeta>('meta'), []);
  const logs = useLoad(
    () => getJson<EventLog[]>(`payments/${encodeURIComponent(paymentId)}/webhooks`),
    [paymentId],
  );
  const [resending, setResending] = useState<string>();
  const [result, setResult] = useState<ActionResult>();
  return (
    <Section title="Webhooks">
      {result && (
        <p class={result.ok ? 'notice' : 'error'} role="status" data-testid="webhook-action-result">
          {result.summary}
        </p>
      )}
      {logs.error && <ErrorBox message={logs.error} />}
      {!logs.data && !logs.error && <Loading what="webhook deliveries" />}
      {logs.data?.length === 0 && <p class="muted">No webhook event for this payment.</p>}
      {logs.data?.map((log, index) => {
        const eventId = log.event?.eventId ?? log.attempts[0]?.eventId ?? log.deliveries[0]?.eventId;
        return (
          <div key={eventId ?? index} data-testid="webhook-event" data-event-id={eventId}>
            <p>
              <code>{eventId}</code> {log.event?.type}{' '}
              {log.deliveries.map((d) => `${d.endpointId}: ${d.status}`).join(', ')}{' '}
              {meta.data?.allowActions && eventId && (
                <button type="button" onClick={() => setResending(eventId)} aria-label={`Resend ${eventId}`}>
                  Resend…
                </button>
              )}
            </p>
            <table class="data" data-testid="webhook-attempts">
              <thead>
                <tr>
                  <th scope="col">Time (UTC)</th>
                  <th scope="col">Endpoint</th>
                  <th scope="col" class="num">
                    Attempt
                  </th>
                  <th scope="col" class="num">
                    Status
                  </th>
                  <th scope="col" class="num">
                    Latency
                  </th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {log.attempts.map((a) => (
                  <tr key={`${a.endpointId}-${a.attempt}-${a.at}`}>
                    <td>{formatInstant(a.at)}</td>
                    <td>{a.endpointId}</td>
                    <td class="num">
                      {a.attempt}
                      {a.resentBy ? ` (resent by ${a.resentBy})` : ''}
                    </td>
                    <td class="num">{a.statusCode ?? ''}</td>
                    <td class="num">{a.latencyMs} ms</td>
                    <td>{a.error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
      {resending && (
        <ConfirmDialog
          title={`Resend webhook event ${resending}?`}
          confirmLabel="Resend"
          onClose={() => setResending(undefined)}
          onConfirm={async () => {
            setResult(await postJson<ActionResult>(`webhooks/${encodeURIComponent(resending)}/resend`));
            logs.reload();
          }}
        >
          <p>
            The event is delivered again, with the same id, to every subscribed endpoint of its client. The
            resend is recorded in the audit log.
          </p>
        </ConfirmDialog>
      )}
    </Section>
  );
}
