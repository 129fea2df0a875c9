import { useState } from 'preact/hooks';
import type { ActionResult, ResolvePlan } from '../../../cli/console/api-types';
import { getJson, postJson } from '../api';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorBox, Loading, useLoad } from './common';

type ResolveAction = ResolvePlan['action'];
type Outcome = NonNullable<ResolvePlan['merchant']['outcome']>;

/** --outcome: what the merchant is told when money stands taken and it is marked resolved. */
const OUTCOMES: ReadonlyArray<{ outcome: Outcome | ''; label: string }> = [
  { outcome: '', label: 'From the gateway and ledger state' },
  { outcome: 'succeeded', label: 'payment.succeeded (the charge is kept, settled by hand)' },
  { outcome: 'failed', label: 'payment.failed (the money was given back by hand)' },
];

const ACTIONS: ReadonlyArray<{ action: ResolveAction; label: string }> = [
  { action: 'refund', label: 'Refund the charge, then release the hold' },
  { action: 'release', label: 'Release the hold (nothing charged)' },
  { action: 'mark_resolved', label: 'Mark resolved (resolved elsewhere; moves no money)' },
];

/**
 * `payctl payments resolve` in the console: choose how, read what the gateway
 * and the ledger hold and what it will do (the server's plan), then resolve.
 * The server runs the same function as payctl, with the same audit record.
 */
export function ResolveDialog({
  paymentId,
  onDone,
  onClose,
}: {
  paymentId: string;
  onDone: (r: ActionResult) => void;
  onClose: () => void;
}) {
  const [action, setAction] = useState<ResolveAction>('refund');
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const told = action === 'mark_resolved' ? outcome : '';
  const plan = useLoad(
    () =>
      getJson<ResolvePlan>(`payments/${encodeURIComponent(paymentId)}/resolve`, {
        action,
        ...(told && { outcome: told }),
      }),
    [paymentId, action, told],
  );
  const refused = plan.data?.refusal;
  const needsReason = action === 'mark_resolved' && reason.trim() === '';
  return (
    <ConfirmDialog
      title={`Resolve ${paymentId}?`}
      confirmLabel="Resolve"
      onClose={onClose}
      onConfirm={async () => {
        if (refused) throw new Error(refused);
        if (needsReason) throw new Error('say how it was resolved: a reason is required to mark it resolved');
        onDone(
          await postJson<ActionResult>(`payments/${encodeURIComponent(paymentId)}/resolve`, {
            action,
            ...(reason.trim() && { reason: reason.trim() }),
            ...(told && { outcome: told }),
          }),
        );
      }}
    >
      <fieldset>
        <legend>How</legend>
        {ACTIONS.map((a) => (
          <label key={a.action} class="choice">
            <input
              type="radio"
              name="resolve-action"
              value={a.action}
              checked={action === a.action}
              onChange={() => setAction(a.action)}
            />{' '}
            {a.label}
          </label>
        ))}
      </fieldset>
      {action === 'mark_resolved' && (
        <fieldset>
          <legend>The merchant is told</legend>
          {OUTCOMES.map((o) => (
            <label key={o.outcome} class="choice">
              <input
                type="radio"
                name="resolve-outcome"
                value={o.outcome}
                checked={outcome === o.outcome}
                onChange={() => setOutcome(o.outcome)}
              />{' '}
              {o.label}
            </label>
          ))}
        </fieldset>
      )}
      <label>
        Reason{action === 'mark_resolved' ? ' (required)' : ''}{' '}
        <input
          type="text"
          maxLength={500}
          value={reason}
          data-testid="resolve-reason"
          onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      {plan.error && <ErrorBox message={plan.error} />}
      {plan.loading && <Loading what="the gateway and ledger state" />}
      {plan.data && !plan.loading && (
        <div data-testid="resolve-plan">
          <table class="data">
            <tbody>
              <tr>
                <th scope="row">Payment</th>
                <td>
                  {plan.data.amount} {plan.data.walletId} → {plan.data.merchantId}, {plan.data.status}
                  {plan.data.failedState ? ` at ${plan.data.failedState}` : ''}
                </td>
              </tr>
              <tr>
                <th scope="row">Compensation DLQ</th>
                <td>
                  {plan.data.dlq.messages} message(s){plan.data.dlq.error ? ` (${plan.data.dlq.error})` : ''}
                </td>
              </tr>
              <tr>
                <th scope="row">Gateway</th>
                <td>
                  charge {plan.data.gateway.charge}; refunds:{' '}
                  {plan.data.gateway.refunds.length > 0 ? plan.data.gateway.refunds.join(', ') : 'none'}
                </td>
              </tr>
              <tr>
                <th scope="row">Ledger</th>
                <td>hold {plan.data.ledger.hold}</td>
              </tr>
              <tr>
                <th scope="row">Merchant</th>
                <td data-testid="resolve-merchant">
                  {plan.data.merchant.outcome
                    ? `told payment.${plan.data.merchant.outcome}: `
                    : 'not decided: '}
                  {plan.data.merchant.basis}
                </td>
              </tr>
            </tbody>
          </table>
          {plan.data.alreadyResolved && (
            <p class="notice">
              Resolved already ({plan.data.alreadyResolved.action} by {plan.data.alreadyResolved.by} at{' '}
              {plan.data.alreadyResolved.at}): nothing more to do.
            </p>
          )}
          {refused && <p class="warning">Refused: {refused}</p>}
          {plan.data.steps.length > 0 && (
            <ol>
              {plan.data.steps.map((step) => (
                <li key={step}>{step}</li>
              ))}
            </ol>
          )}
        </div>
      )}
    </ConfirmDialog>
  );
}
