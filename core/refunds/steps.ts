import type { RefundRequested } from '../../events/refunds.v1';
import {
  InvalidPaymentError,
  isTransient,
  LedgerContentionError,
  LedgerInvariantError,
  PaymentNotRefundableError,
  RefundExceedsRefundableError,
} from '../errors';
import type { PaymentGateway, RefundResult } from '../gateway/port';
import type { Ledger } from '../ledger';
import { money } from '../money';
import type { PaymentRecord } from '../payments/records';
import type { PaymentRefundStore } from '../payments/refund-store';
import { GATEWAY_IDEMPOTENCY_WINDOW_MS } from '../saga/steps';
import { refundRequestHash } from './request-hash';
import { NOTHING_COMMITTED, paymentSplit, type RefundCommitted, refundable, splitRefund } from './split';
import type {
  GatewayRefundOutput,
  PostReversalInput,
  PostReversalOutput,
  RefundAtGatewayInput,
  ReleaseRefundInput,
  ReleaseRefundOutput,
  ReserveRefundInput,
  ReserveRefundOutput,
} from './state';

/**
 * The refund saga's steps as plain functions over ports (as core/saga/steps.ts):
 * ReserveRefund -> RefundAtGateway -> PostReversal, and ReleaseRefund when the
 * gateway refused for good. Each is safe to run again with the same input: the
 * reservation is one conditional write per refundId, the gateway refund is
 * keyed `refund:<paymentId>:<refundId>`, the reversal is one journal entry per
 * refund.
 */
export interface RefundStepDeps {
  readonly refunds: Pick<
    PaymentRefundStore,
    | 'putRequest'
    | 'get'
    | 'advance'
    | 'note'
    | 'noteRefundAttempt'
    | 'reserveRefund'
    | 'confirmRefund'
    | 'releaseRefund'
    | 'tombstoneRefund'
  >;
  readonly payments: { get(paymentId: string): Promise<PaymentRecord | undefined> };
  readonly ledger: Pick<Ledger, 'refundPart'>;
  readonly now: () => Date;
}

/** What ReserveRefund, RefundAtGateway and ReleaseRefund use: no ledger (functions/commons/refund-deps.ts binds none for them). */
export type RefundRecordDeps = Omit<RefundStepDeps, 'ledger'>;

/** Attempts of the reservation's read-decide-write before a LedgerContentionError (retryable). */
const RESERVE_ATTEMPTS = 10;

/** What a payment record says is committed to refunds (reserved or refunded). */
export function committedOf(record: PaymentRecord): RefundCommitted {
  return {
    total: record.refundCommitted ?? NOTHING_COMMITTED.total,
    wallet: record.refundCommittedWallet ?? NOTHING_COMMITTED.wallet,
    gateway: record.refundCommittedGateway ?? NOTHING_COMMITTED.gateway,
  };
}

/** Minor units still refundable on a payment record (0 unless SUCCEEDED). */
export function refundableOf(record: PaymentRecord): number {
  if (record.status !== 'SUCCEEDED') return 0;
  return refundable(paymentSplit(record), committedOf(record)).total;
}

/** Records the refund request (a no-op when the same request is there; another body is refused). */
export async function openRefund(
  deps: { readonly refunds: Pick<PaymentRefundStore, 'putRequest'> },
  refund: RefundRequested,
  executionArn: string,
  payment: Pick<PaymentRecord, 'currency' | 'exponent'>,
  requestedBy?: string,
) {
  const opened = await deps.refunds.putRequest({
    refundId: refund.refundId,
    paymentId: refund.paymentId,
    ...(refund.amount && { requestedAmount: refund.amount.value }),
    currency: refund.amount?.currency ?? payment.currency,
    exponent: refund.amount?.exponent ?? payment.exponent,
    reason: refund.reason,
    requestHash: refundRequestHash(refund),
    requestedAt: refund.requestedAt,
    ...(requestedBy !== undefined && { requestedBy }),
    executionArn,
  });
  if (opened.outcome === 'conflict') {
    throw new InvalidPaymentError(
      `refund ${refund.refundId} of payment ${refund.paymentId} is already recorded with another request; a new refund needs a new refundId`,
    );
  }
  return opened;
}

/** Why a payment cannot be refunded (or undefined when it can): its status and the refund's currency. */
export function notRefundable(record: PaymentRecord | undefined, refund: RefundRequested): Error | undefined {
  if (!record) return new PaymentNotRefundableError(`payment ${refund.paymentId} does not exist`);
  if (record.status !== 'SUCCEEDED') {
    return new PaymentNotRefundableError(
      `payment ${refund.paymentId} is ${record.status}; only a SUCCEEDED payment can be refunded`,
    );
  }
  if (refund.amount && refund.amount.currency !== record.currency) {
    return new InvalidPaymentError(
      `refund ${refund.refundId} is in ${refund.amount.currency}; payment ${refund.paymentId} was in ${record.currency}`,
    );
  }
  return undefined;
}

export async function reserveRefund(
  deps: RefundRecordDeps,
  input: ReserveRefundInput,
): Promise<ReserveRefundOutput> {
  const { refund } = input;
  for (let attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
    const record = await deps.payments.get(refund.paymentId);
    const reserved = record?.refunds?.[refund.refundId];
    if (record && reserved) {
      if (reserved.state === 'RELEASED') {
        throw new PaymentNotRefundableError(
          `refund ${refund.refundId} of payment ${refund.paymentId} was released (it failed); a new refund needs a new refundId`,
        );
      }
      // A crash may have come between the reservation and RESERVED: advance now (a no-op once it is there).
      await deps.refunds.advance(refund.paymentId, refund.refundId, 'RESERVED', {
        amount: reserved.walletAmount + reserved.gatewayAmount,
        walletAmount: reserved.walletAmount,
        gatewayAmount: reserved.gatewayAmount,
      });
      return reservation(record, reserved, true);
    }
    const refused = notRefundable(record, refund);
    if (refused || !record) throw refused;
    await openRefund(deps, refund, input.executionArn, record);
    const split = paymentSplit(record);
    const committed = committedOf(record);
    const left = refundable(split, committed).total;
    const amount = refund.amount?.value ?? left;
    const parts = amount > 0 ? splitRefund(amount, split, committed) : undefined;
    if (!parts) {
      throw new RefundExceedsRefundableError(
        `refund ${refund.refundId} asks for ${amount} of payment ${refund.paymentId}; ${left} is still refundable`,
        left,
      );
    }
    const hasReservations = record.refunds !== undefined;
    if (await deps.refunds.reserveRefund(refund.paymentId, refund.refundId, parts, split, hasReservations)) {
      await deps.refunds.advance(refund.paymentId, refund.refundId, 'RESERVED', { amount, ...parts });
      return reservation(record, parts, false);
    }
    // Lost to a concurrent refund, a status change or our own earlier attempt: read again and decide again.
  }
  throw new LedgerContentionError(
    `refund ${refund.refundId}: payment ${refund.paymentId} kept changing under ${RESERVE_ATTEMPTS} attempts; retry`,
  );
}

/** What ReserveRefund answers for a reservation of `record` (also how a person's resolution rebuilds it). */
export function reservation(
  record: PaymentRecord,
  parts: { walletAmount: number; gatewayAmount: number },
  replayed: boolean,
): ReserveRefundOutput {
  return {
    amount: parts.walletAmount + parts.gatewayAmount,
    currency: record.currency,
    exponent: record.exponent,
    walletAmount: parts.walletAmount,
    gatewayAmount: parts.gatewayAmount,
    walletId: record.walletId,
    merchantId: record.merchantId,
    ...(record.chargeId !== undefined && { chargeId: record.chargeId }),
    replayed,
  };
}

/**
 * The card part back at the gateway, keyed by the refundId: a retry after a lost answer replays the one
 * refund. A refund without a card part never calls the gateway. The first attempt is dated on the refund
 * record before the call: past the gateway's idempotency window (Stripe forgets keys after 24 h, e.g. an
 * operator's redrive a day later) the step first looks for the refund it made (metadata.refundId) and
 * reuses it; a final error after an earlier attempt whose answer may have been lost also looks first, so
 * ReleaseRefund never frees an amount that was in fact refunded.
 */
export async function refundAtGateway(
  deps: RefundRecordDeps & { readonly gateway: Pick<PaymentGateway, 'refund' | 'findRefund'> },
  input: RefundAtGatewayInput,
): Promise<GatewayRefundOutput> {
  const { refund, reserve } = input;
  if (reserve.gatewayAmount === 0) return { status: 'not_needed' };
  if (!reserve.chargeId) {
    throw new LedgerInvariantError(
      `refund ${refund.refundId}: payment ${refund.paymentId} has a card part of ${reserve.gatewayAmount} but no charge id`,
    );
  }
  const lookup = { paymentId: refund.paymentId, chargeId: reserve.chargeId, refundId: refund.refundId };
  const known = await deps.refunds.get(refund.paymentId, refund.refundId);
  const attemptedAt = known?.refundAttemptedAt ? Date.parse(known.refundAttemptedAt) : undefined;
  if (attemptedAt !== undefined && deps.now().getTime() - attemptedAt > GATEWAY_IDEMPOTENCY_WINDOW_MS) {
    const earlier = await deps.gateway.findRefund(lookup);
    if (earlier) return noted(deps, input, earlier);
  }
  if (attemptedAt === undefined) {
    await deps.refunds.noteRefundAttempt(refund.paymentId, refund.refundId, deps.now().toISOString());
  }
  let result: RefundResult;
  try {
    result = await deps.gateway.refund({
      ...lookup,
      amount: money(reserve.gatewayAmount, reserve.currency),
    });
  } catch (error) {
    // Final after an earlier attempt (its answer may have been lost): the refund may stand; look first.
    const earlier =
      attemptedAt !== undefined && !isTransient(error) ? await deps.gateway.findRefund(lookup) : undefined;
    if (!earlier) throw error;
    result = earlier;
  }
  return noted(deps, input, result);
}

async function noted(
  deps: RefundRecordDeps,
  { refund }: RefundAtGatewayInput,
  result: RefundResult,
): Promise<GatewayRefundOutput> {
  await deps.refunds.note(refund.paymentId, refund.refundId, { gatewayRefundId: result.refundId });
  return { status: result.status, gatewayRefundId: result.refundId };
}

/** The reversal in the ledger (one refund_part entry), then the reservation counts as refunded. */
export async function postReversal(
  deps: RefundStepDeps,
  input: PostReversalInput,
): Promise<PostReversalOutput> {
  const { refund, reserve } = input;
  const posted = await deps.ledger.refundPart({
    paymentId: refund.paymentId,
    refundId: refund.refundId,
    walletId: reserve.walletId,
    merchantId: reserve.merchantId,
    currency: money(reserve.amount, reserve.currency).currency,
    walletAmount: reserve.walletAmount,
    gatewayAmount: reserve.gatewayAmount,
  });
  await deps.refunds.confirmRefund(refund.paymentId, refund.refundId);
  return { entryId: posted.entryId, postedAt: posted.postedAt, replayed: posted.replayed };
}

/** Compensation of a gateway refund refused for good: the reserved amount is refundable again. */
export async function releaseRefund(
  deps: RefundRecordDeps,
  input: ReleaseRefundInput,
): Promise<ReleaseRefundOutput> {
  const { paymentId, refundId } = input.refund;
  if (!input.reserve) {
    // Reserve's answer never came, and an attempt may still be running (a duplicate, a slow invoke): mark the
    // refundId spent first, so no late attempt can reserve after this; else release what it did reserve.
    // Nothing reached the gateway yet.
    if (await deps.refunds.tombstoneRefund(paymentId, refundId)) return { released: 0 };
    const reservation = (await deps.payments.get(paymentId))?.refunds?.[refundId];
    if (!reservation || reservation.state === 'RELEASED') return { released: 0 };
  }
  const released = await deps.refunds.releaseRefund(paymentId, refundId);
  return { released: released.walletAmount + released.gatewayAmount };
}
