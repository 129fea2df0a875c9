import { createHash } from 'node:crypto';
import type { RefundRequested } from '../../events/refunds.v1';
import { canonicalJson } from '../canonical-json';

/**
 * The hash of what a refund request asks for (payment, refundId, amount, reason; not when it was
 * asked): the same Idempotency-Key with the same body is a duplicate, with another body a conflict.
 */
export function refundRequestHash(refund: RefundRequested): string {
  const asked = {
    paymentId: refund.paymentId,
    refundId: refund.refundId,
    amount: refund.amount ?? null,
    reason: refund.reason,
  };
  return createHash('sha256').update(canonicalJson(asked)).digest('hex');
}
