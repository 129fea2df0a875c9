import type { ConsoleMeta, PaymentsPage as Page } from '../../../cli/console/api-types';
import { getJson } from '../api';
import { ErrorBox, Loading, StatusBadge, useLoad } from '../components/common';
import { daysAgoUtc, formatInstant, todayUtc } from '../format';
import { href } from '../router';

const PAGE_SIZES = [10, 25, 50, 100] as const;
const FILTERS = ['q', 'status', 'currency', 'from', 'to', 'minAmount', 'maxAmount', 'limit'] as const;

/** Payments of a period: filter by status, dates, currency, amount; search by paymentId; page through. */
export function PaymentsPage({ meta, params }: { meta: ConsoleMeta; params: URLSearchParams }) {
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  filters.from ||= daysAgoUtc(6);
  filters.to ||= todayUtc();
  const offset = Number(params.get('offset') ?? 0) || 0;
  const limit = Number(filters.limit) || 25;
  const key = params.toString();
  const page = useLoad(() => getJson<Page>('payments', { ...filters, offset, limit }), [key]);

  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const next = Object.fromEntries(FILTERS.map((f) => [f, String(form.get(f) ?? '').trim()]));
    location.hash = href('payments', next);
  };

  return (
    <>
      <h1>Payments</h1>
      <form key={key} class="filters" onSubmit={submit} aria-label="Filter payments">
        <label>
          Payment ID
          <input name="q" type="search" defaultValue={filters.q} placeholder="pay_… (exact or prefix)" />
        </label>
        <label>
          Status
          <select name="status">
            <option value="">any</option>
            {meta.statuses.map((s) => (
              <option key={s} value={s} selected={filters.status === s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Currency
          <select name="currency">
            <option value="">any</option>
            {meta.currencies.map((c) => (
              <option key={c} value={c} selected={filters.currency === c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input name="from" type="date" defaultValue={filters.from} required />
        </label>
        <label>
          To
          <input name="to" type="date" defaultValue={filters.to} required />
        </label>
        <label>
          Min amount
          <input
            name="minAmount"
            inputMode="decimal"
            pattern="\d+(\.\d+)?"
            defaultValue={filters.minAmount}
            placeholder="0.00"
          />
        </label>
        <label>
          Max amount
          <input
            name="maxAmount"
            inputMode="decimal"
            pattern="\d+(\.\d+)?"
            defaultValue={filters.maxAmount}
            placeholder="any"
          />
        </label>
        <label>
          Per page
          <select name="limit">
            {[...new Set([...PAGE_SIZES, limit])].map((n) => (
              <option key={n} value={n} selected={n === limit}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>
      {page.error && <ErrorBox message={page.error} />}
      {page.loading && !page.data && <Loading what="payments" />}
      {page.data && (
        <>
          <p class="muted" aria-live="polite" data-testid="payments-count">
            {page.data.matched} payment(s) match
            {page.data.matched > 0 && `; showing ${offset + 1}–${offset + page.data.items.length}`}
            {page.data.truncated &&
              ` (stopped after ${page.data.scanned} payments: narrow the period, or use payctl report)`}
          </p>
          <table class="data" data-testid="payments-table">
            <caption class="sr-only">Payments matching the filters</caption>
            <thead>
              <tr>
                <th scope="col">Payment</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Amount
                </th>
                <th scope="col">Requested (UTC)</th>
                <th scope="col">Payer</th>
                <th scope="col">Payee</th>
                <th scope="col">Reason</th>
                <th scope="col">Compensations</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((p) => (
                <tr key={p.paymentId} data-payment-id={p.paymentId}>
                  <td>
                    <a href={href(`payments/${encodeURIComponent(p.paymentId)}`)}>{p.paymentId}</a>
                  </td>
                  <td>
                    <StatusBadge status={p.status} />
                  </td>
                  <td class="num">
                    {p.amount} {p.currency}
                  </td>
                  <td>{formatInstant(p.requestedAt)}</td>
                  <td>
                    <a href={href(`wallets/${encodeURIComponent(p.payer)}`)}>{p.payer}</a>
                  </td>
                  <td>{p.payee}</td>
                  <td>{p.reasonCode ?? ''}</td>
                  <td>{p.compensations.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            {offset > 0 ? (
              <a href={href('payments', { ...filters, offset: Math.max(0, offset - limit) })}>← Previous</a>
            ) : (
              <span class="muted">← Previous</span>
            )}
            {page.data.nextOffset !== undefined ? (
              <a href={href('payments', { ...filters, offset: page.data.nextOffset })}>Next →</a>
            ) : (
              <span class="muted">Next →</span>
            )}
          </nav>
        </>
      )}
    </>
  );
}
