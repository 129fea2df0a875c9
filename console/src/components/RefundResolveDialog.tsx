import { useState } from 'preact/hooks';
import type { ActionResult, RefundResolvePlan } from '../../../cli/console/api-types';
import { getJson, postJson } from '../api';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorBox, Loading, useLoad } from './common';

type RefundResolveAction = RefundResolvePlan['action'];

const ACTIONS: ReadonlyArray<{ action: RefundResolveAction; label: string }> = [
  { action: 'finish', label: 'Finish: refund at the gateway (same key), post the reversal' },
  { action: 'release', label: 'Release: give the reservation back (only when nothing was refunded)' },
];

/**
 * `payctl payments resolve-refund` in the console: a refund the refund saga
 * parked in the compensation DLQ. Choose how, read what the gateway and the
 * ledger hold and what it will do (the server's plan), then resolve. The
 * server runs the same function as payctl, with the same audit record.
 */
export function RefundResolveDialog({
  paymentId,
  refundId,
  onDone,
  onClose,
}: {
  paymentId: string;
  refundId: string;
  onDone: (r: ActionResult) => void;
  onClose: () => void;
}) {
  const [action, setAction] = useState<RefundResolveAction>('finish');
  const [reason, setReason] = useState('');
  const path = `payments/${encodeURIComponent(paymentId)}/resolve-refund`;
  const plan = useLoad(
    () => getJson<RefundResolvePlan>(path, { refundId, action }),
    [path, refundId, action],
  );
  const refused = plan.data?.refusal;
  return (
    <ConfirmDialog
      title={`Resolve refund ${refundId} of ${paymentId}?`}
      confirmLabel="Resolve"
      onClose={onClose}
      onConfirm={async () => {
        if (refused) throw new Error(refused);
        onDone(
          await postJson<ActionResult>(path, {
            refundId,
            action,
            ...(reason.trim() && { reason: reason.trim() }),
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
              name="refund-resolve-action"
              value={a.action}
              checked={action === a.action}
              onChange={() => setAction(a.action)}
            />{' '}
            {a.label}
          </label>
        ))}
      </fieldset>
      <label>
        Reason{' '}
        <input
          type="text"
          maxLength={500}
          value={reason}
          data-testid="refund-resolve-reason"
          onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      {plan.error && <ErrorBox message={plan.error} />}
      {plan.loading && <Loading what="the gateway and ledger state" />}
      {plan.data && !plan.loading && (
        <div data-testid="refund-resolve-plan">
          <table class="data">
            <tbody>
              <tr>
                <th scope="row">Refund</th>
                <td>
                  {plan.data.refundId} of {plan.data.paymentId}: {plan.data.status}, {plan.data.amount} minor
                  units (card {plan.data.gatewayAmount}, wallet {plan.data.walletAmount})
                </td>
              </tr>
              <tr>
                <th scope="row">Gateway</th>
                <td>{plan.data.gateway}</td>
              </tr>
              <tr>
                <th scope="row">Ledger</th>
                <td>{plan.data.ledger}</td>
              </tr>
            </tbody>
          </table>
          {plan.data.alreadyResolved && (
            <p class="notice">
              Resolved already ({plan.data.alreadyResolved.action} by {plan.data.alreadyResolved.by} at{' '}
              {plan.data.alreadyResolved.at}): it is only announced again.
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
