import { useState } from 'preact/hooks';
import type { ConsoleMeta, VolumeRow } from '../../../cli/console/api-types';
import { getJson } from '../api';
import { VolumeChart } from '../charts/VolumeChart';
import { daysOf, volumeSeries } from '../charts/volume-data';
import { ErrorBox, Loading, StatusBadge, useLoad } from '../components/common';
import { daysAgoUtc, todayUtc } from '../format';
import { href } from '../router';

/** Payments requested per day, one currency at a time, stacked by status; the numbers below the chart. */
export function VolumePage({ params }: { meta: ConsoleMeta; params: URLSearchParams }) {
  const from = params.get('from') || daysAgoUtc(13);
  const to = params.get('to') || todayUtc();
  const rows = useLoad(() => getJson<VolumeRow[]>('volume', { from, to }), [from, to]);
  const currencies = [...new Set((rows.data ?? []).map((r) => r.currency))].sort();
  const [chosen, setChosen] = useState<string>();
  const currency = chosen && currencies.includes(chosen) ? chosen : currencies[0];

  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    location.hash = href('volume', {
      from: String(form.get('from') ?? ''),
      to: String(form.get('to') ?? ''),
    });
  };

  return (
    <>
      <h1>Daily volume</h1>
      <form key={`${from}-${to}`} class="filters" onSubmit={submit} aria-label="Period">
        <label>
          From
          <input name="from" type="date" defaultValue={from} required />
        </label>
        <label>
          To
          <input name="to" type="date" defaultValue={to} required />
        </label>
        <button type="submit">Show</button>
        {currencies.length > 0 && (
          <label>
            Currency
            <select onChange={(e) => setChosen((e.currentTarget as HTMLSelectElement).value)}>
              {currencies.map((c) => (
                <option key={c} value={c} selected={c === currency}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        )}
      </form>
      {rows.error && <ErrorBox message={rows.error} />}
      {!rows.data && !rows.error && <Loading what="volume" />}
      {rows.data && !currency && <p class="muted">No payments in this period.</p>}
      {rows.data && currency && (
        <>
          <VolumeChart data={volumeSeries(rows.data, currency, daysOf(from, to))} currency={currency} />
          <table class="data" data-testid="volume-table">
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Currency</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Payments
                </th>
                <th scope="col" class="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.data.map((r) => (
                <tr key={`${r.day}-${r.currency}-${r.status}`}>
                  <td>{r.day}</td>
                  <td>{r.currency}</td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td class="num">{r.count}</td>
                  <td class="num">{r.amount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
