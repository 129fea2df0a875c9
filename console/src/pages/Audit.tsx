import type { AuditEntry } from '../../../cli/console/api-types';
import { getJson } from '../api';
import { ErrorBox, Loading, useLoad } from '../components/common';
import { formatInstant } from '../format';
import { href } from '../router';

/** The operations audit trail (payctl audit): who did what, newest first. */
export function AuditPage({ params }: { params: URLSearchParams }) {
  const days = Number(params.get('days') ?? 7) || 7;
  const entries = useLoad(() => getJson<AuditEntry[]>('audit', { days }), [days]);
  return (
    <>
      <h1>Audit log</h1>
      <p>
        Last {days} day(s) · <a href={href('audit', { days: 1 })}>1 day</a> ·{' '}
        <a href={href('audit', { days: 7 })}>7 days</a> · <a href={href('audit', { days: 30 })}>30 days</a>
      </p>
      {entries.error && <ErrorBox message={entries.error} />}
      {!entries.data && !entries.error && <Loading what="audit records" />}
      {entries.data?.length === 0 && <p class="muted">No audit records in this period.</p>}
      {entries.data && entries.data.length > 0 && (
        <table class="data" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">At (UTC)</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col" class="num">
                Count
              </th>
              <th scope="col">Outcome</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {entries.data.map((e) => (
              <tr key={e.auditId} data-action={e.action}>
                <td>{formatInstant(e.at)}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td>{e.target}</td>
                <td class="num">{e.count}</td>
                <td>{e.outcome}</td>
                <td>{e.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
