import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { ActionResult, ConsoleMeta } from '../../../cli/console/api-types';
import type { WalletDetail } from '../../../cli/wallets/wallets';
import type { StatementResponse } from '../../../core/wallets/contract';
import { getJson, postJson } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorBox, Loading, Section, useLoad } from '../components/common';
import { formatInstant } from '../format';
import { href, parseHash } from '../router';

const PAGE_SIZE = 25;

/** Minor units as a decimal text in the currency's exponent, exactly (no floats). */
export function major(minor: number, exponent: number): string {
  const sign = minor < 0 ? '-' : '';
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, '0');
  return exponent === 0
    ? `${sign}${digits}`
    : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** #/wallets: look a wallet up by its id. */
export function WalletsPage() {
  const [walletId, setWalletId] = useState('');
  return (
    <>
      <h1>Wallets</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          if (walletId.trim()) location.hash = href(`wallets/${encodeURIComponent(walletId.trim())}`);
        }}
      >
        <label>
          Wallet id{' '}
          <input name="walletId" value={walletId} onInput={(e) => setWalletId(e.currentTarget.value)} />
        </label>
        <button type="submit">Show</button>
      </form>
    </>
  );
}

/** The statement of one wallet and window: its parent keys it by both, so a cursor never outlives them. */
function Statement({ walletId, params }: { walletId: string; params: URLSearchParams }) {
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  // The cursors of the pages before this one, so "Newer" can go back.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(
    () =>
      getJson<StatementResponse>(`wallets/${encodeURIComponent(walletId)}/transactions`, {
        from,
        to,
        limit: PAGE_SIZE,
        cursor,
      }),
    [walletId, from, to, cursor],
  );
  // The window as the address has it now, not as this render saw it: two quick changes (From, then To)
  // must not let the second undo the first.
  const window = (next: { from?: string; to?: string }) => {
    const current = parseHash(location.hash).params;
    location.hash = href(`wallets/${encodeURIComponent(walletId)}`, {
      from: current.get('from') ?? '',
      to: current.get('to') ?? '',
      ...next,
    });
  };
  return (
    <Section title="Statement">
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          From{' '}
          <input
            type="date"
            name="from"
            value={from}
            onChange={(e) => window({ from: e.currentTarget.value })}
          />
        </label>
        <label>
          To{' '}
          <input type="date" name="to" value={to} onChange={(e) => window({ to: e.currentTarget.value })} />
        </label>
      </form>
      {page.error && <ErrorBox message={page.error} />}
      {!page.data && !page.error && <Loading what="the statement" />}
      {page.data && page.data.lines.length === 0 && <p class="muted">No lines in this window.</p>}
      {page.data && page.data.lines.length > 0 && (
        <table class="data" data-testid="statement-table">
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Type</th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col" class="num">
                Balance after
              </th>
              <th scope="col">Reference</th>
            </tr>
          </thead>
          <tbody>
            {page.data.lines.map((line) => (
              <tr key={line.entryId} data-type={line.type}>
                <td>{formatInstant(line.at)}</td>
                <td>{line.type}</td>
                <td class="num">{major(line.amount, page.data?.exponent ?? 2)}</td>
                <td class="num">{major(line.balanceAfter, page.data?.exponent ?? 2)}</td>
                <td>
                  {line.paymentId ? (
                    <a href={href(`payments/${encodeURIComponent(line.paymentId)}`)}>{line.paymentId}</a>
                  ) : (
                    (line.topUpId ?? line.adjustmentId)
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="pager">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          ← Newer
        </button>{' '}
        <button
          type="button"
          disabled={!page.data?.nextCursor}
          onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}
        >
          Older →
        </button>
      </p>
    </Section>
  );
}

function Adjust({ wallet, onDone }: { wallet: WalletDetail; onDone: () => void }) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState(false);
  const [result, setResult] = useState<ActionResult>();
  return (
    <Section title="Manual adjustment">
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setAsking(true);
        }}
      >
        <label>
          Amount ({wallet.currency}, negative debits){' '}
          <input
            name="amount"
            value={amount}
            required
            pattern="-?\d+(\.\d+)?"
            onInput={(e) => setAmount(e.currentTarget.value)}
          />
        </label>
        <label>
          Reason{' '}
          <input
            name="reason"
            value={reason}
            required
            maxLength={500}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Adjust…</button>
      </form>
      {result && (
        <p class={result.ok ? 'ok' : 'error'} role="status">
          {result.summary}
        </p>
      )}
      {asking && (
        <ConfirmDialog
          title={`Adjust ${wallet.walletId} by ${amount} ${wallet.currency}?`}
          confirmLabel="Adjust"
          onClose={() => setAsking(false)}
          onConfirm={async () => {
            setResult(
              await postJson<ActionResult>(`wallets/${encodeURIComponent(wallet.walletId)}/adjust`, {
                amount,
                reason,
              }),
            );
            onDone();
          }}
        >
          <p>
            A {amount.startsWith('-') ? 'debit' : 'credit'} of {amount.replace(/^-/, '')} {wallet.currency}{' '}
            against the adjustments account, recorded in the audit log. Reason: {reason}
          </p>
        </ConfirmDialog>
      )}
    </Section>
  );
}

interface WalletDetailProps {
  readonly walletId: string;
  readonly params: URLSearchParams;
  readonly meta: ConsoleMeta;
}

/**
 * #/wallets/<id>: balance, open holds (each linking to its payment), the statement a page at a time.
 * Keyed by the walletId: going to another wallet (a link, the address bar) starts afresh instead of
 * showing the last wallet's figures and paging the new one with the last one's cursor.
 */
export function WalletDetailPage(props: WalletDetailProps) {
  return <WalletView key={props.walletId} {...props} />;
}

function WalletView({ walletId, params, meta }: WalletDetailProps) {
  const wallet = useLoad(() => getJson<WalletDetail>(`wallets/${encodeURIComponent(walletId)}`), [walletId]);
  const [version, setVersion] = useState(0);
  if (wallet.error) return <ErrorBox message={wallet.error} />;
  if (!wallet.data) return <Loading what={`wallet ${walletId}`} />;
  const w = wallet.data;
  const facts: Array<[string, string]> = [
    ['Available', `${major(w.available, w.exponent)} ${w.currency}`],
    ['Held', `${major(w.held, w.exponent)} ${w.currency}`],
    ['Owner (API client)', w.ownerClientId ?? 'opened outside the front door'],
    ['Opened (UTC)', formatInstant(w.openedAt) ?? w.openedAt],
    ['As of (UTC)', formatInstant(w.asOf) ?? w.asOf],
  ];
  return (
    <>
      <p>
        <a href={href('wallets')}>← Wallets</a>
      </p>
      <h1>
        Wallet <code>{walletId}</code>
      </h1>
      <dl class="facts" data-testid="wallet-facts">
        {facts.map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
      <Section title="Open holds">
        {w.holds.length === 0 && <p class="muted">No open holds.</p>}
        {w.holds.length > 0 && (
          <table class="data" data-testid="holds-table">
            <thead>
              <tr>
                <th scope="col">Payment</th>
                <th scope="col" class="num">
                  Amount
                </th>
                <th scope="col">Reserved (UTC)</th>
                <th scope="col">Expires (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {w.holds.map((hold) => (
                <tr key={hold.paymentId}>
                  <td>
                    <a href={href(`payments/${encodeURIComponent(hold.paymentId)}`)}>{hold.paymentId}</a>
                  </td>
                  <td class="num">{major(hold.amount, w.exponent)}</td>
                  <td>{formatInstant(hold.reservedAt)}</td>
                  <td>{formatInstant(hold.expiresAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Statement
        key={`${version}|${params.get('from') ?? ''}|${params.get('to') ?? ''}`}
        walletId={walletId}
        params={params}
      />
      {meta.allowActions && (
        <Adjust
          wallet={w}
          onDone={() => {
            wallet.reload();
            setVersion((v) => v + 1);
          }}
        />
      )}
    </>
  );
}
