import { DescribeExecutionCommand } from '../../core/aws/sfn';
import { LedgerInvariantError } from '../../core/errors';
import { chargeLookupOptions } from '../../core/gateway/charge-lookup';
import { idempotencyKeys, type PaymentGateway, type RefundRecord } from '../../core/gateway/port';
import { amountView, formatAmount } from '../../core/history/amounts';
import type { Hold } from '../../core/ledger/model';
import { holdOf } from '../../core/ledger/reads';
import type {
  PaymentRecord,
  PaymentResolution,
  ResolutionAction,
  ResolutionOutcome,
} from '../../core/payments/records';
import { PaymentsRepository } from '../../core/payments/repository';
import { gatewayPartOf, ReserveOutput, SagaState } from '../../core/saga/state';
import { UsageError } from '../errors';
import { executionArnOf } from '../finance/deps';
import type { OpsDeps } from './deps';
import { findCompensationMessages, type ParkedCompensation } from './dlq-messages';
import { merchantOutcome, outstandingCharge } from './resolve-outcome';

/**
 * What `payctl payments resolve` (and the console's resolve action) looks at
 * before it moves anything: the payment record, its compensation DLQ message,
 * the gateway's charge and refunds, the ledger's hold; and what it will do
 * (or why it refuses) for the action asked.
 */

/** The gateway's charge of the payment, as far as it can tell. */
export type GatewayCharge =
  | { readonly kind: 'none' }
  | { readonly kind: 'one'; readonly chargeId: string; readonly amount: number; readonly currency: string }
  | { readonly kind: 'several'; readonly message: string };

export interface ResolveFacts {
  readonly payment: PaymentRecord;
  readonly parked: readonly ParkedCompensation[];
  /** The saga state RefundCharge and ReleaseFunds take: from the DLQ message, else the execution's input. */
  readonly saga: SagaState | undefined;
  readonly sagaSource: 'compensation DLQ message' | 'execution input and ledger' | undefined;
  readonly charge: GatewayCharge;
  readonly refunds: readonly RefundRecord[];
  readonly hold: Hold | undefined;
}

export interface ResolvePlan {
  readonly paymentId: string;
  readonly action: ResolutionAction;
  readonly status: string;
  readonly amount: string;
  readonly walletId: string;
  readonly merchantId: string;
  readonly failedState: string | undefined;
  readonly reason: string | undefined;
  /** The compensation DLQ: its messages for this payment and why they were parked. */
  readonly dlq: { readonly messages: number; readonly error: string | undefined };
  readonly gateway: { readonly charge: string; readonly refunds: readonly string[] };
  readonly ledger: { readonly hold: string };
  /**
   * What the merchant is told (payment.succeeded or payment.failed) and why; no outcome when the
   * operator must say it (--outcome) or it contradicts the books (then `refusal` says so).
   */
  readonly merchant: { readonly outcome?: ResolutionOutcome; readonly basis: string };
  /** What resolving does, in order. */
  readonly steps: readonly string[];
  /** Set when nothing more is to be done: the payment was resolved already (and by whom). */
  readonly alreadyResolved?: PaymentResolution;
  /** Set when it refuses: nothing is changed. */
  readonly refusal?: string;
}

const money = (minor: number, currency: string) => formatAmount(amountView(minor, currency));

/** Refunds listed around the payment: from a little before its request to now. */
const REFUND_LOOKBACK_MS = 5 * 60_000;

async function sagaFromExecution(
  deps: OpsDeps,
  payment: PaymentRecord,
  hold: Hold | undefined,
): Promise<SagaState | undefined> {
  const executionArn = await executionArnOf(deps, payment.paymentId, payment);
  const execution = await deps.clients.sfn
    .send(new DescribeExecutionCommand({ executionArn }))
    .catch((error: unknown) => {
      if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return undefined;
      throw error;
    });
  const reserve = reserveOfRecord(payment, hold);
  if (!execution?.input || !reserve) return undefined;
  const parsed = SagaState.safeParse({ ...JSON.parse(execution.input), reserve });
  return parsed.success ? parsed.data : undefined;
}

/**
 * The Reserve output RefundCharge and ReleaseFunds take, rebuilt from the payment record's split
 * (walletAmount, gatewayAmount) and the ledger's hold: a card-only payment held nothing (amount 0, no
 * holdId) yet its card part is still refunded. A wallet part without its hold in the ledger, or a record
 * from before the split without a hold, says nothing sure: undefined (resolve refuses).
 */
export function reserveOfRecord(payment: PaymentRecord, hold: Hold | undefined): ReserveOutput | undefined {
  const holdId = payment.holdId ?? `hold:${payment.walletId}:${payment.paymentId}`;
  const base = { walletId: payment.walletId, currency: payment.currency };
  const split = payment.walletAmount;
  if (split === undefined && !hold) return undefined;
  if (split !== undefined && split > 0 && !hold) return undefined;
  const reserve =
    split === undefined
      ? { ...base, holdId, amount: hold?.amount, expiresAt: hold?.expiresAt }
      : {
          ...base,
          holdId: split > 0 ? holdId : '',
          amount: split,
          gatewayAmount: payment.gatewayAmount ?? payment.amount - split,
          expiresAt: hold?.expiresAt ?? '',
        };
  const parsed = ReserveOutput.safeParse(reserve);
  return parsed.success ? parsed.data : undefined;
}

/** The payment's charge at the gateway, as RefundCharge would find it (the saga's, else a lookup). */
export async function chargeOf(
  gateway: Pick<PaymentGateway, 'findChargeByPaymentId'>,
  payment: PaymentRecord,
  saga: SagaState | undefined,
  now: Date,
): Promise<GatewayCharge> {
  const known = saga?.charge;
  if (known?.chargeId && known.status !== 'not_needed') {
    const amount = known.amount ?? payment.gatewayAmount ?? payment.amount;
    return { kind: 'one', chargeId: known.chargeId, amount, currency: payment.currency };
  }
  // As RefundCharge: nothing went to the gateway when the wallet covered it all (a state from before the
  // wallet-first split has no gatewayAmount and may have charged the whole amount: ask the gateway).
  const nothingCharged =
    known?.status === 'not_needed' ||
    (saga?.reserve?.gatewayAmount !== undefined && gatewayPartOf({ ...saga, reserve: saga.reserve }) === 0);
  if (nothingCharged) return { kind: 'none' };
  try {
    const found = await gateway.findChargeByPaymentId(
      payment.paymentId,
      chargeLookupOptions({ first: payment.chargeAttemptedAt, latest: payment.lastChargeAttemptedAt }, now),
    );
    return found
      ? { kind: 'one', chargeId: found.chargeId, amount: found.amount.value, currency: found.currency }
      : { kind: 'none' };
  } catch (error) {
    if (error instanceof LedgerInvariantError) return { kind: 'several', message: error.message };
    throw error;
  }
}

/** Reads the payment, its DLQ message, the gateway and the ledger. Unknown payment: a usage error. */
export async function resolveFacts(
  deps: OpsDeps,
  gateway: PaymentGateway,
  paymentId: string,
  now: Date = new Date(),
): Promise<ResolveFacts> {
  const payment = await new PaymentsRepository(deps.clients.doc, deps.names.tables.payments).get(paymentId);
  if (!payment) throw new UsageError(`no payment ${paymentId}: check the paymentId`);
  const ledger = { doc: deps.clients.doc, tableName: deps.names.tables.ledger };
  const [parked, hold] = await Promise.all([
    findCompensationMessages(deps, paymentId),
    holdOf(ledger, payment.walletId, paymentId),
  ]);
  const fromDlq = parked.find((m) => m.body)?.body?.saga;
  const saga = fromDlq ?? (await sagaFromExecution(deps, payment, hold));
  const charge = await chargeOf(gateway, payment, saga, now);
  const refunds: RefundRecord[] = [];
  if (charge.kind === 'one') {
    const from = new Date(Date.parse(payment.requestedAt) - REFUND_LOOKBACK_MS);
    for await (const refund of gateway.listRefunds({ from, to: new Date(now.getTime() + 60_000) })) {
      if (refund.chargeId === charge.chargeId) refunds.push(refund);
    }
  }
  return {
    payment,
    parked,
    saga,
    sagaSource: fromDlq ? 'compensation DLQ message' : saga ? 'execution input and ledger' : undefined,
    charge,
    refunds,
    hold,
  };
}

const holdText = (hold: Hold | undefined, currency: string): string =>
  !hold || hold.tombstone ? 'none' : `${hold.state} ${money(hold.amount, currency)}`;

function chargeText(charge: GatewayCharge): string {
  if (charge.kind === 'none') return 'none';
  if (charge.kind === 'several') return `several: ${charge.message}`;
  return `${charge.chargeId} ${money(charge.amount, charge.currency)}`;
}

const outstanding = outstandingCharge;

function refundSteps(facts: ResolveFacts): string[] {
  const { charge, payment, hold } = facts;
  const steps: string[] = [];
  if (charge.kind === 'one' && outstanding(facts) > 0) {
    steps.push(
      `refund ${charge.chargeId} ${money(outstanding(facts), charge.currency)} at the gateway (RefundCharge, as the saga: key ${idempotencyKeys.refund(payment.paymentId)}, so it refunds once)`,
    );
  } else if (charge.kind === 'one') {
    steps.push(
      `no new refund: ${facts.refunds.map((r) => r.refundId).join(', ')} already refunds ${charge.chargeId} (RefundCharge replays it)`,
    );
  } else {
    steps.push(`no refund: the gateway has no charge for ${payment.paymentId}`);
  }
  if (hold?.state === 'POSTED') {
    steps.push(`reverse the settlement to ${payment.merchantId} in the ledger (RefundCharge)`);
  }
  steps.push(...releaseSteps(facts));
  return steps;
}

function releaseSteps(facts: ResolveFacts): string[] {
  const { hold, payment } = facts;
  if (!hold || hold.tombstone) return ['no release: the ledger holds nothing for it'];
  if (hold.state === 'PENDING') {
    return [
      `release the hold of ${money(hold.amount, payment.currency)} on ${payment.walletId} (ReleaseFunds)`,
    ];
  }
  return [`no release: the hold is ${hold.state} already (ReleaseFunds replays it)`];
}

function refusalFor(action: ResolutionAction, facts: ResolveFacts): string | undefined {
  const { payment, charge, hold } = facts;
  if (action === 'mark_resolved') return undefined;
  if (!facts.saga?.reserve) {
    return `payment ${payment.paymentId}: neither a compensation DLQ message nor the execution's input with a hold in the ledger says what to undo; resolve it at the gateway and in the ledger, then --mark-resolved --reason "..." (with --outcome succeeded|failed while money stands taken)`;
  }
  if (charge.kind === 'several') {
    return `payment ${payment.paymentId}: ${charge.message}; refund the extra charges at the gateway, then --mark-resolved --outcome succeeded|failed --reason "..."`;
  }
  if (action === 'release' && outstanding(facts) > 0 && charge.kind === 'one') {
    return `payment ${payment.paymentId}: charge ${charge.chargeId} (${money(outstanding(facts), charge.currency)}) stands unrefunded at the gateway; --release would leave the customer charged: use --refund (refund, then release)`;
  }
  if (action === 'release' && hold?.state === 'POSTED') {
    return `payment ${payment.paymentId}: its hold was posted to ${payment.merchantId}; releasing cannot undo a settlement: use --refund`;
  }
  return undefined;
}

/** The step that queues the merchant's webhook event of the outcome. */
const notifyStep = (outcome: ResolutionOutcome, again: boolean) =>
  `queue payment.${outcome} for the merchant's webhooks${again ? ' again (the same event id: deduplicated)' : ''}`;

/**
 * What resolving with `action` will do, or why it refuses, or that it was done already; `outcome` is
 * what the operator says the merchant is told (--outcome), checked against the books (resolve-outcome.ts).
 */
export function planResolution(
  facts: ResolveFacts,
  action: ResolutionAction,
  actor: string,
  outcome?: ResolutionOutcome,
): ResolvePlan {
  const { payment, parked } = facts;
  const error = parked.find((m) => m.body?.error)?.body?.error;
  const base = {
    paymentId: payment.paymentId,
    action,
    status: payment.status,
    amount: money(payment.amount, payment.currency),
    walletId: payment.walletId,
    merchantId: payment.merchantId,
    failedState: payment.failedState,
    reason: payment.reason,
    dlq: { messages: parked.length, error },
    gateway: {
      charge: chargeText(facts.charge),
      refunds: facts.refunds.map((r) => `${r.refundId} ${money(r.amount.value, r.currency)} ${r.status}`),
    },
    ledger: { hold: holdText(facts.hold, payment.currency) },
  };
  const deleteStep =
    parked.length > 0
      ? `delete its ${parked.length} compensation DLQ message(s), only after the steps above succeeded`
      : 'no compensation DLQ message to delete';
  if (payment.resolution) {
    const told = payment.resolution.outcome ?? 'failed';
    return {
      ...base,
      merchant: { outcome: told, basis: `resolved before (${payment.resolution.action})` },
      alreadyResolved: payment.resolution,
      steps: parked.length > 0 ? [notifyStep(told, true), deleteStep] : [],
    };
  }
  const merchant = merchantOutcome(facts, action, outcome);
  if (payment.status !== 'NEEDS_ATTENTION') {
    return {
      ...base,
      merchant,
      steps: [],
      refusal: `payment ${payment.paymentId} is ${payment.status}, not NEEDS_ATTENTION: only a payment whose saga parked it in the compensation DLQ is resolved here (payctl sagas show ${payment.paymentId})`,
    };
  }
  const refusal = refusalFor(action, facts) ?? merchant.refusal;
  if (refusal || !merchant.outcome) {
    return { ...base, merchant, steps: [], refusal: refusal ?? merchant.basis };
  }
  const moneySteps =
    action === 'refund'
      ? refundSteps(facts)
      : action === 'release'
        ? releaseSteps(facts)
        : [
            `move no money: the gateway (charge ${base.gateway.charge}) and the ledger (hold ${base.ledger.hold}) stay as they are; payctl reconcile reports what remains as resolved by ${actor}`,
          ];
  return {
    ...base,
    merchant,
    steps: [
      ...moneySteps,
      `record the resolution (${action}, outcome ${merchant.outcome}) by ${actor} on the payment`,
      `${notifyStep(merchant.outcome, false)} (${merchant.basis})`,
      deleteStep,
      `write the audit record (payments.resolve, OpsActionPerformed) naming the outcome`,
    ],
  };
}
