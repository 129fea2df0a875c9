import { useState } from 'preact/hooks';
import type { ActionResult, ConsoleMeta, SagaSummary } from '../../../cli/console/api-types';
import { getJson, postJson } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorBox, Loading, useLoad } from '../components/common';
import { formatInstant } from '../format';
import { href } from '../router';

/** Sagas that stopped without succeeding (14 days), each with payctl's redrive verdict. */
export function SagasPage({ meta }: { meta: ConsoleMeta }) {
  const sagas = useLoad(() => getJson<SagaSummary[]>('sagas/failed', { days: 14 }), []);
  const [redriving, setRedriving] = useState<SagaSummary>();
  const [result, setResult] = useState<ActionResult>();
  return (
    <>
      <h1>Failed sagas</h1>
      {result && (
        <p class={result.ok ? 'notice' : 'error'} role="status" data-testid="action-result">
          {result.summary}
        </p>
      )}
      {sagas.error && <ErrorBox message={sagas.error} />}
      {!sagas.data && !sagas.error && <Loading what="failed sagas" />}
      {sagas.data?.length === 0 && (
        <p class="muted">No failed, timed-out or aborted sagas in the last 14 days.</p>
      )}
      {sagas.data && sagas.data.length > 0 && (
        <table class="data" data-testid="sagas-table">
          <thead>
            <tr>
              <th scope="col">Payment</th>
              <th scope="col">Status</th>
              <th scope="col">At state</th>
              <th scope="col">Error</th>
              <th scope="col">Stopped (UTC)</th>
              <th scope="col" class="num">
                Redrives
              </th>
              <th scope="col">Verdict</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sagas.data.map((s) => (
              <tr key={s.executionArn} data-payment-id={s.paymentId}>
                <td>
                  <a href={href(`payments/${encodeURIComponent(s.paymentId)}`)}>{s.paymentId}</a>
                </td>
                <td>{s.status}</td>
                <td>{s.failedState ?? ''}</td>
                <td title={s.cause}>{s.error ?? ''}</td>
                <td>{formatInstant(s.stoppedAt)}</td>
                <td class="num">{s.redriveCount}</td>
                <td>{s.verdict}</td>
                <td>
                  {meta.allowActions && s.redrivable && (
                    <button
                      type="button"
                      onClick={() => setRedriving(s)}
                      aria-label={`Redrive the saga of ${s.paymentId}`}
                    >
                      Redrive…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {redriving && (
        <ConfirmDialog
          title={`Redrive the saga of ${redriving.paymentId}?`}
          confirmLabel="Redrive"
          onClose={() => setRedriving(undefined)}
          onConfirm={async () => {
            setResult(
              await postJson<ActionResult>(`sagas/${encodeURIComponent(redriving.paymentId)}/redrive`),
            );
            sagas.reload();
          }}
        >
          <p>
            Step Functions re-runs <strong>{redriving.failedState ?? 'the failed state'}</strong> with its
            recorded input ({redriving.error ?? redriving.status}); steps already done are not repeated. The
            redrive is recorded in the audit log.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
