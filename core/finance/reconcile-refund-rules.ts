import type { RefundRecord as GatewayRefund } from '../gateway/port';
import { amountView, formatAmount } from '../history/amounts';
import { GATEWAY_ACCOUNT } from '../ledger/accounts';
import type { JournalEntry } from '../ledger/model';
import type { PaymentRecord } from '../payments/records';
import type { RefundRecord } from '../refunds/record';
import { paymentSplit } from '../refunds/split';
import type { Discrepancy } from './discrepancy';

/**
 * The refund saga's refunds of one payment, checked three ways (issue 16):
 * the ledger reversal (its refund_part entry), the gateway refund (metadata
 * refundId, key refund:<paymentId>:<refundId>) and the saga's outcome (the
 * refund record's status and the payment item's reservation). The payment
 * saga's own compensation refund (key refund:<paymentId>, no refundId) stays
 * with reconcile-rules.ts. Pure: the reads are reconcile-refunds.ts.
 */
export interface RefundFacts {
  readonly payment: PaymentRecord;
  /** The payment's refund records (PAYMENT#<id> / REFUND#<refundId>). */
  readonly records: readonly RefundRecord[];
  /** The payment's refund_part journal entries. */
  readonly reversals: readonly JournalEntry[];
  /** The refund saga's gateway refunds of the payment's charges (sagaRefundId set). */
  readonly gatewayRefunds: readonly GatewayRefund[];
}

export const IN_FLIGHT = new Set<RefundRecord['status']>(['REQUESTED', 'RESERVED']);
const sum = (values: readonly number[]) => values.reduce((total, v) => total + v, 0);
const money = (minor: number, currency: string) => formatAmount(amountView(minor, currency));

/** The refund saga's refunds among a charge's gateway refunds (the rest are compensations or outside). */
export const isSagaRefund = (refund: GatewayRefund): boolean => refund.sagaRefundId !== undefined;

/** The refundIds a payment's refunds may be known by before its records are read. */
export function refundIdsOf(payment: PaymentRecord, gatewayRefunds: readonly GatewayRefund[]): string[] {
  return [
    ...new Set([
      ...Object.keys(payment.refunds ?? {}),
      ...gatewayRefunds.flatMap((r) => (r.sagaRefundId ? [r.sagaRefundId] : [])),
    ]),
  ];
}

/** Wallet and card parts of a refund_part entry: wallet +w, gateway +g. */
export function reversalParts(entry: JournalEntry): { walletAmount: number; gatewayAmount: number } {
  const line = (test: (account: string) => boolean) =>
    sum(entry.lines.filter((l) => test(l.account)).map((l) => l.amount));
  return {
    walletAmount: line((a) => a.startsWith('wallet:')),
    gatewayAmount: line((a) => a === GATEWAY_ACCOUNT),
  };
}

const refundIdOfEntry = (entry: JournalEntry): string | undefined =>
  entry.refundId ?? entry.ref.split(':')[2];

/** The three-way checks of one payment's refunds; pure. */
export function checkRefunds(facts: RefundFacts): Discrepancy[] {
  const { payment } = facts;
  const found: Discrepancy[] = [];
  const ids = new Set([
    ...facts.records.map((r) => r.refundId),
    ...Object.keys(payment.refunds ?? {}),
    ...facts.reversals.flatMap((e) => refundIdOfEntry(e) ?? []),
    ...facts.gatewayRefunds.flatMap((r) => r.sagaRefundId ?? []),
  ]);
  for (const refundId of ids) found.push(...checkRefund(facts, refundId));
  const over = overCaptured(facts);
  if (over) found.push(over);
  return found;
}

function checkRefund(facts: RefundFacts, refundId: string): Discrepancy[] {
  const { payment } = facts;
  const cur = payment.currency;
  const record = facts.records.find((r) => r.refundId === refundId);
  const reservation = payment.refunds?.[refundId];
  const reversal = facts.reversals.find((e) => refundIdOfEntry(e) === refundId);
  const atGateway = facts.gatewayRefunds.filter((r) => r.sagaRefundId === refundId);
  const gatewayTotal = sum(atGateway.map((r) => r.amount.value));
  const ids = { paymentId: payment.paymentId, refundIds: [refundId], currency: cur };
  const gatewayIds = atGateway.map((r) => r.refundId).join(', ');
  const of = `refund ${refundId} of payment ${payment.paymentId}`;

  if (!record) {
    if (atGateway.length > 0) {
      return [
        {
          kind: 'refund_gateway_unrecorded',
          message: `gateway refund ${gatewayIds} of ${money(gatewayTotal, cur)} names refund ${refundId} of payment ${payment.paymentId}, which no refund record knows`,
          action:
            'find who refunded with that refundId (gateway dashboard, Idempotency-Key refund:<paymentId>:<refundId>); record the refund or recover the money',
          ...ids,
          amountMinor: gatewayTotal,
        },
      ];
    }
    if (!reversal) return [];
    return [
      {
        kind: 'refund_outcome_mismatch',
        message: `${of} has a ledger reversal (${reversal.entryId}) but no refund record`,
        action: 'find the write that posted it; reverse it with a balancing entry or record the refund',
        ...ids,
        entryId: reversal.entryId,
      },
    ];
  }
  const found: Discrepancy[] = [];
  const status = record.status;
  if (status === 'FAILED') {
    const moved = [
      ...(reversal ? [`a ledger reversal (${reversal.entryId})`] : []),
      ...(atGateway.length > 0 ? [`a gateway refund (${gatewayIds}, ${money(gatewayTotal, cur)})`] : []),
    ];
    const held = reservation && reservation.state !== 'RELEASED';
    if (moved.length > 0 || held) {
      found.push({
        kind: 'refund_outcome_mismatch',
        message: `${of} ended FAILED${record.reasonCode ? ` (${record.reasonCode})` : ''}, yet ${moved.length > 0 ? `it has ${moved.join(' and ')}` : `its reservation is ${reservation?.state}, not RELEASED`}`,
        action:
          moved.length > 0
            ? 'the money moved although the refund failed: record the refund as succeeded (confirm the reservation) or reverse what moved, then re-run reconcile'
            : 'release the reservation (payctl payments resolve) so the amount is refundable again',
        ...ids,
      });
    }
    return found;
  }
  if (IN_FLIGHT.has(status)) return found; // the refund saga still runs: judged once it ends
  if (!reversal && (status === 'SUCCEEDED' || atGateway.length > 0)) {
    found.push({
      kind: 'refund_not_posted',
      message: `${of} is ${status}${atGateway.length > 0 ? ` and refunded ${money(gatewayTotal, cur)} at the gateway (${gatewayIds})` : ''}, but the ledger has no refund_part reversal for it`,
      action:
        'redrive the refund from the compensation DLQ (PostReversal) or post the reversal, then re-run reconcile',
      ...ids,
      amountMinor: record.amount ?? gatewayTotal,
    });
  }
  if (status === 'SUCCEEDED' && reservation?.state !== 'REFUNDED') {
    found.push({
      kind: 'refund_outcome_mismatch',
      message: `${of} SUCCEEDED but the payment's reservation is ${reservation?.state ?? 'missing'}, not REFUNDED`,
      action: 'confirm the reservation (the refund is posted) so the refundable amount is right',
      ...ids,
    });
  }
  const cardPart = reversal ? reversalParts(reversal).gatewayAmount : (record.gatewayAmount ?? 0);
  if (cardPart > 0 && atGateway.length === 0 && (reversal || status === 'SUCCEEDED')) {
    found.push({
      kind: 'refund_not_at_gateway',
      message: `${of} gives ${money(cardPart, cur)} back to the card${reversal ? ` (ledger ${reversal.entryId})` : ''}, but the gateway has no refund for it`,
      action: `refund ${money(cardPart, cur)} of charge ${payment.chargeId ?? '(none recorded)'} at the gateway with key refund:${payment.paymentId}:${refundId}, or reverse the reversal`,
      ...ids,
      amountMinor: cardPart,
    });
  }
  const mismatch = amountMismatch(record, reservation, reversal, atGateway, cur);
  if (mismatch.length > 0) {
    found.push({
      kind: 'refund_amount_mismatch',
      message: `${of}: ${mismatch.join('; ')}`,
      action:
        'compare the refund record, the ledger reversal and the gateway refund; correct the side that is off',
      ...ids,
      ...(record.amount !== undefined && { amountMinor: record.amount }),
    });
  }
  return found;
}

/** Where the record, the reservation, the reversal and the gateway disagree on a refund's amounts. */
function amountMismatch(
  record: RefundRecord,
  reservation: { walletAmount: number; gatewayAmount: number } | undefined,
  reversal: JournalEntry | undefined,
  atGateway: readonly GatewayRefund[],
  currency: string,
): string[] {
  const off: string[] = [];
  const parts = (p: { walletAmount: number; gatewayAmount: number }) =>
    `wallet ${money(p.walletAmount, currency)} + card ${money(p.gatewayAmount, currency)}`;
  const recorded =
    record.walletAmount !== undefined && record.gatewayAmount !== undefined
      ? { walletAmount: record.walletAmount, gatewayAmount: record.gatewayAmount }
      : undefined;
  const same = (a: { walletAmount: number; gatewayAmount: number }, b: typeof a) =>
    a.walletAmount === b.walletAmount && a.gatewayAmount === b.gatewayAmount;
  if (
    recorded &&
    record.amount !== undefined &&
    record.amount !== recorded.walletAmount + recorded.gatewayAmount
  )
    off.push(`the record says ${money(record.amount, currency)} = ${parts(recorded)}`);
  const reversed = reversal && reversalParts(reversal);
  if (recorded && reversed && !same(recorded, reversed))
    off.push(`recorded ${parts(recorded)}, the ledger reversed ${parts(reversed)}`);
  if (recorded && reservation && !same(recorded, reservation))
    off.push(`recorded ${parts(recorded)}, reserved ${parts(reservation)}`);
  const cardPart = reversed?.gatewayAmount ?? recorded?.gatewayAmount;
  const gatewayTotal = sum(atGateway.map((r) => r.amount.value));
  if (atGateway.length > 1)
    off.push(`${atGateway.length} gateway refunds (${atGateway.map((r) => r.refundId).join(', ')})`);
  if (atGateway.length > 0 && cardPart !== undefined && gatewayTotal !== cardPart)
    off.push(
      `the gateway refunded ${money(gatewayTotal, currency)}, the card part is ${money(cardPart, currency)}`,
    );
  for (const refund of atGateway) {
    if (refund.currency !== currency)
      off.push(`gateway refund ${refund.refundId} is in ${refund.currency}, the payment in ${currency}`);
  }
  return off;
}

/** Refunded (ledger reversals, the payment's counters, the gateway) beyond what was captured, per source. */
function overCaptured(facts: RefundFacts): Discrepancy | undefined {
  const { payment } = facts;
  const cur = payment.currency;
  const split = paymentSplit(payment);
  const reversed = facts.reversals.map(reversalParts);
  const wallet = sum(reversed.map((p) => p.walletAmount));
  const card = sum(reversed.map((p) => p.gatewayAmount));
  const atGateway = sum(facts.gatewayRefunds.map((r) => r.amount.value));
  const off = [
    ...(wallet > split.walletAmount
      ? [
          `the ledger gave ${money(wallet, cur)} back to the wallet of ${money(split.walletAmount, cur)} it paid`,
        ]
      : []),
    ...(card > split.gatewayAmount
      ? [`the ledger gave ${money(card, cur)} back to the card of ${money(split.gatewayAmount, cur)} charged`]
      : []),
    ...(wallet + card > split.captured
      ? [`the ledger reversed ${money(wallet + card, cur)} of ${money(split.captured, cur)} captured`]
      : []),
    ...(atGateway > split.gatewayAmount
      ? [`the gateway refunded ${money(atGateway, cur)} of ${money(split.gatewayAmount, cur)} charged`]
      : []),
    ...((payment.refunded ?? 0) > split.captured ||
    (payment.refundedWallet ?? 0) > split.walletAmount ||
    (payment.refundedGateway ?? 0) > split.gatewayAmount
      ? [
          `the payment counts ${money(payment.refunded ?? 0, cur)} refunded (wallet ${money(payment.refundedWallet ?? 0, cur)}, card ${money(payment.refundedGateway ?? 0, cur)})`,
        ]
      : []),
  ];
  if (off.length === 0) return undefined;
  return {
    kind: 'refund_over_captured',
    message: `payment ${payment.paymentId} is refunded beyond what was captured: ${off.join('; ')}`,
    action:
      'the payer got more back than they paid: recover the excess (gateway or wallet adjustment) and find which refund was not bounded by its reservation',
    paymentId: payment.paymentId,
    refundIds: [...new Set(facts.reversals.flatMap((e) => refundIdOfEntry(e) ?? []))],
    amountMinor: wallet + card,
    currency: cur,
  };
}
