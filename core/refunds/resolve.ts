import type { PaymentGateway, RefundResult } from '../gateway/port';
import type { PaymentRecord } from '../payments/records';
import type { RefundRecord, RefundReservation } from './record';
import type { RefundResolution } from './resolution-store';
import type {
  GatewayRefundOutput,
  PostReversalOutput,
  ReleaseRefundOutput,
  ReserveRefundOutput,
} from './state';
import { postReversal, type RefundStepDeps, refundAtGateway, releaseRefund, reservation } from './steps';

/**
 * A person finishing a refund the refund saga parked (NEEDS_ATTENTION, its
 * state in the compensation DLQ as `kind: refund-compensation`), with the
 * saga's own steps so nothing is refunded or posted twice:
 *   finish   RefundAtGateway (the same key refund:<paymentId>:<refundId>, or the
 *            refund found by its refundId) and PostReversal (one refund_part
 *            entry per refund) -> SUCCEEDED
 *   release  only when the gateway holds no refund for this refundId and no
 *            reversal is posted: ReleaseRefund -> FAILED (refundable again)
 * The plan says what it found and what it will do, or why it refuses.
 */

export type RefundResolveAction = RefundResolution['action'];

export interface RefundResolveFacts {
  readonly record: RefundRecord | undefined;
  readonly payment: PaymentRecord | undefined;
  /** The refund's reservation on the payment item. */
  readonly reservation: RefundReservation | undefined;
  /** The gateway's refund of the charge made for this refundId (metadata.refundId), if any. */
  readonly gatewayRefund: RefundResult | undefined;
  /** Whether the ledger holds the refund's refund_part entry. */
  readonly reversalPosted: boolean;
  /** Compensation DLQ messages of this refund. */
  readonly parkedMessages: number;
}

export interface RefundResolvePlan {
  readonly paymentId: string;
  readonly refundId: string;
  readonly action: RefundResolveAction;
  readonly status: string;
  readonly amount: number;
  readonly walletAmount: number;
  readonly gatewayAmount: number;
  readonly gateway: string;
  readonly ledger: string;
  readonly steps: readonly string[];
  readonly refusal?: string;
  /** Resolved before with this action: only announcing it (outcome, webhook) and the DLQ are left to do. */
  readonly alreadyResolved?: RefundResolution;
}

export function planRefundResolution(
  paymentId: string,
  refundId: string,
  facts: RefundResolveFacts,
  action: RefundResolveAction,
): RefundResolvePlan {
  const parts = facts.reservation ?? { walletAmount: 0, gatewayAmount: 0, state: undefined };
  const base = {
    paymentId,
    refundId,
    action,
    status: facts.record?.status ?? 'unknown',
    amount: parts.walletAmount + parts.gatewayAmount,
    walletAmount: parts.walletAmount,
    gatewayAmount: parts.gatewayAmount,
    gateway: facts.gatewayRefund
      ? `refund ${facts.gatewayRefund.refundId} (${facts.gatewayRefund.status})`
      : parts.gatewayAmount > 0
        ? 'no refund for this refundId'
        : 'no card part: not called',
    ledger: facts.reversalPosted ? 'refund_part posted' : 'no refund_part entry',
  };
  const refuse = (refusal: string): RefundResolvePlan => ({ ...base, steps: [], refusal });
  if (!facts.record || !facts.payment) return refuse(`no refund ${refundId} of payment ${paymentId}`);
  const { resolution, resolving } = facts.record;
  if (resolution) {
    if (resolution.action !== action) {
      return refuse(
        `refund ${refundId} was resolved already (${resolution.action} by ${resolution.by} at ${resolution.at})`,
      );
    }
    return {
      ...base,
      alreadyResolved: resolution,
      steps: [
        `announce it again: the refund's outcome event and the merchant's webhook (deduplicated)`,
        `delete ${facts.parkedMessages} compensation DLQ message(s)`,
      ],
    };
  }
  if (resolving && resolving.action !== action) {
    return refuse(
      `${resolving.by} is resolving refund ${refundId} (${resolving.action}, since ${resolving.at})`,
    );
  }
  const orphan = facts.record.status === 'FAILED' && facts.reservation?.state === 'RESERVED';
  if (facts.record.status !== 'NEEDS_ATTENTION' && !(orphan && action === 'release')) {
    return refuse(
      `refund ${refundId} is ${facts.record.status}; only a NEEDS_ATTENTION refund (or a FAILED one whose reservation is still held: --release) is resolved here`,
    );
  }
  if (!facts.reservation) return refuse(`payment ${paymentId} holds no reservation of refund ${refundId}`);
  if (action === 'release') {
    if (facts.gatewayRefund) {
      return refuse(
        `the gateway refunded ${facts.gatewayRefund.refundId} for this refund: finish it (--finish), never release it`,
      );
    }
    if (facts.reversalPosted || facts.reservation.state === 'REFUNDED') {
      return refuse('the ledger reversal is posted: finish it (--finish), never release it');
    }
    if (facts.reservation.state !== 'RESERVED')
      return refuse(`the reservation is ${facts.reservation.state}`);
    return {
      ...base,
      steps: [
        'ReleaseRefund: the reserved parts become refundable again',
        'record the refund FAILED with the resolution',
        `delete ${facts.parkedMessages} compensation DLQ message(s)`,
      ],
    };
  }
  if (facts.reservation.state === 'RELEASED')
    return refuse('the reservation was released: nothing to finish');
  return {
    ...base,
    steps: [
      parts.gatewayAmount > 0
        ? `RefundAtGateway: ${facts.gatewayRefund ? 'reuse' : 'make'} the card part's refund (key refund:${paymentId}:${refundId})`
        : 'RefundAtGateway: no card part, no gateway call',
      `PostReversal: ${facts.reversalPosted ? 'already posted (replayed)' : 'post'} the refund_part entry`,
      'record the refund SUCCEEDED with the resolution',
      `delete ${facts.parkedMessages} compensation DLQ message(s)`,
    ],
  };
}

export interface RefundResolveDeps extends RefundStepDeps {
  readonly gateway: Pick<PaymentGateway, 'refund' | 'findRefund'>;
}

export interface RefundResolveDone {
  readonly reserve: ReserveRefundOutput;
  readonly gatewayRefund?: GatewayRefundOutput;
  readonly reversal?: PostReversalOutput;
  readonly release?: ReleaseRefundOutput;
}

/** Runs a plan without refusal (and not resolved before): the saga's own steps, each idempotent. */
export async function runRefundResolution(
  deps: RefundResolveDeps,
  plan: RefundResolvePlan,
  facts: RefundResolveFacts & { readonly record: RefundRecord; readonly payment: PaymentRecord },
): Promise<RefundResolveDone> {
  if (plan.refusal || plan.alreadyResolved || !facts.reservation) {
    throw new Error(
      `nothing to run: ${plan.refusal ?? (plan.alreadyResolved ? 'resolved before' : 'no reservation')}`,
    );
  }
  const reserve = reservation(facts.payment, facts.reservation, true);
  const refund = {
    schemaVersion: '1' as const,
    refundId: plan.refundId,
    paymentId: plan.paymentId,
    reason: facts.record.reason,
    requestedAt: facts.record.requestedAt,
  };
  const input = { refund, executionArn: facts.record.executionArn, reserve };
  if (plan.action === 'release') {
    const error = { Error: 'ManualResolution', Cause: 'released by a person: the gateway holds no refund' };
    return { reserve, release: await releaseRefund(deps, { ...input, error }) };
  }
  const gatewayRefund = await refundAtGateway(deps, input);
  const reversal = await postReversal(deps, { ...input, gatewayRefund });
  return { reserve, gatewayRefund, reversal };
}
