import { useEffect, useState } from 'preact/hooks';
import type {
  ActionResult,
  ConsoleMeta,
  RefundPlan,
  PaymentRefunds as Refunds,
} from '../../../cli/console/api-types';
import { getJson, postJson } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorBox, Loading, Section, useLoad } from '../components/common';
import { formatInstant, formatMoney } from '../format';

/** Refund statuses the refund saga has not finished with: the panel reloads while one is shown. */
const MOVING = new Set(['REQUESTED', 'RESERVED']);
const RELOAD_MS = 1_000;

/**
 * The payment page's Refunds panel: each refund of the payment (status,
 * amount, card and wallet parts), what is still refundable, and, with
 * --allow-actions, a Refund action behind the confirmation dialog, which shows
 * how the refund splits (card part first, then the wallet) and calls the same
 * audited action as payctl payments refund (payments.refund).
 */
export function PaymentRefunds({ paymentId }: { paymentId: string }) {
  const meta = useLoad(() => getJson<ConsoleMeta>('meta'), []);
  const path = `payments/${encodeURIComponent(paymentId)}/refunds`;
  const refunds = useLoad(() => getJson<Refunds>(path), [paymentId]);
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState<RefundPlan>();
  const [planError, setPlanError] = useState<string>();
  const [result, setResult] = useState<ActionResult>();
  // One refundId per dialog: confirming again after a lost answer asks for the same refund, never a second one.
  const [refundId, setRefundId] = useState<string>();
  const moving = refunds.data?.refunds.some((r) => MOVING.has(r.status)) ?? false;
  useEffect(() => {
    if (!moving) return undefined;
    const timer = setTimeout(() => refunds.reload(), RELOAD_MS);
    return () => clearTimeout(timer);
  }, [moving, refunds.data]);
  const plan = refunds.data?.plan;
  const money = (minor: number | undefined, currency: string) =>
    minor === undefined ? '' : formatMoney(minor, plan?.exponent ?? 2, currency);
  return (
    <Section title="Refunds">
      {result && (
        <p class={result.ok ? 'notice' : 'error'} role="status" data-testid="refund-action-result">
          {result.summary}
        </p>
      )}
      {refunds.error && <ErrorBox message={refunds.error} />}
      {!refunds.data && !refunds.error && <Loading what="refunds" />}
      {plan && (
        <p class="muted" data-testid="refundable">
          Still refundable: {money(plan.refundable.total, plan.currency)} (card{' '}
          {money(plan.refundable.gateway, plan.currency)}, wallet{' '}
          {money(plan.refundable.wallet, plan.currency)}) of {money(plan.split.captured, plan.currency)}{' '}
          captured
        </p>
      )}
      {refunds.data?.refunds.length === 0 && <p class="muted">No refund of this payment.</p>}
      {refunds.data && refunds.data.refunds.length > 0 && (
        <table class="data" data-testid="refunds">
          <thead>
            <tr>
              <th scope="col">Refund</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col" class="num">
                Card part
              </th>
              <th scope="col" class="num">
                Wallet part
              </th>
              <th scope="col">Requested (UTC)</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {refunds.data.refunds.map((r) => (
              <tr key={r.refundId} data-refund-id={r.refundId}>
                <td>
                  <code>{r.refundId}</code>
                </td>
                <td>{r.status}</td>
                <td class="num">{money(r.amount ?? r.requestedAmount, r.currency)}</td>
                <td class="num">{money(r.gatewayAmount, r.currency)}</td>
                <td class="num">{money(r.walletAmount, r.currency)}</td>
                <td>{formatInstant(r.requestedAt)}</td>
                <td>{r.requestedBy ?? ''}</td>
                <td>{r.failureReason ? `${r.reason} (${r.failureReason})` : r.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {meta.data?.allowActions && plan && plan.status === 'SUCCEEDED' && (
        <form
          class="filters"
          onSubmit={async (event) => {
            event.preventDefault();
            setPlanError(undefined);
            try {
              setAsking((await getJson<Refunds>(path, { amount: amount.trim() || undefined })).plan);
              setRefundId(`rf_console_${crypto.randomUUID()}`);
            } catch (e) {
              setPlanError(e instanceof Error ? e.message : String(e));
            }
          }}
        >
          <label>
            Amount ({plan.currency}, empty: all that is left){' '}
            <input
              name="refund-amount"
              value={amount}
              pattern="\d+(\.\d+)?"
              onInput={(e) => setAmount(e.currentTarget.value)}
            />
          </label>
          <label>
            Reason{' '}
            <input
              name="refund-reason"
              value={reason}
              required
              maxLength={500}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </label>
          <button type="submit">Refund…</button>
        </form>
      )}
      {planError && <ErrorBox message={planError} />}
      {asking && (
        <ConfirmDialog
          title={`Refund ${money(asking.amount, asking.currency)} of ${paymentId}?`}
          confirmLabel="Refund"
          onClose={() => setAsking(undefined)}
          onConfirm={async () => {
            setResult(
              await postJson<ActionResult>(path, {
                reason,
                ...(amount.trim() && { amount: amount.trim() }),
                ...(refundId && { refundId }),
              }),
            );
            setAmount('');
            setReason('');
            refunds.reload();
          }}
        >
          {asking.parts ? (
            <p data-testid="refund-plan">
              Card part {money(asking.parts.gatewayAmount, asking.currency)} back through the gateway, wallet
              part {money(asking.parts.walletAmount, asking.currency)} back to the wallet; still refundable{' '}
              {money(asking.refundable.total, asking.currency)}. The refund saga does it; the request is
              recorded in the audit log. Reason: {reason}
            </p>
          ) : (
            <p class="error" data-testid="refund-plan">
              It will be refused: {asking.refusal}
            </p>
          )}
        </ConfirmDialog>
      )}
    </Section>
  );
}
