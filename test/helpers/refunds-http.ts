import { randomUUID } from 'node:crypto';
import { API } from '../../core/config/names';
import type { RefundStatusResponse } from '../../core/refunds/contract';
import { refundStatusPath } from '../../core/refunds/submit';
import type { LocalApiClient } from '../../local/frontdoor/api-clients';
import { waitFor } from './runtime';
import type { HttpAnswer } from './wallets';

const answerOf = async (response: Response): Promise<HttpAnswer> => ({
  status: response.status,
  headers: response.headers,
  json: (await response.json()) as unknown,
});

/** The refund routes of a front door at `base`, as a client calls them over plain HTTP. */
export function refundApi(base: string) {
  const request = async (who: LocalApiClient, paymentId: string, key: string | undefined, body: unknown) =>
    answerOf(
      await fetch(
        `${base}${API.routes.requestRefund.path.replace('{paymentId}', encodeURIComponent(paymentId))}`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': who.apiKey,
            ...(key !== undefined && { [API.idempotencyHeader]: key }),
          },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        },
      ),
    );
  const get = async (who: LocalApiClient, paymentId: string, refundId: string) =>
    answerOf(
      await fetch(`${base}${refundStatusPath(paymentId, refundId)}`, {
        headers: { 'x-api-key': who.apiKey },
      }),
    );
  /** Polls GET .../refunds/{refundId} until the refund ends (SUCCEEDED, FAILED, NEEDS_ATTENTION). */
  const ended = (who: LocalApiClient, paymentId: string, refundId: string, timeoutMs = 30_000) =>
    waitFor(
      `refund ${refundId} of ${paymentId} to end`,
      async () => {
        const answer = await get(who, paymentId, refundId);
        const view = answer.json as RefundStatusResponse;
        return answer.status === 200 && ['SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'].includes(view.status)
          ? view
          : undefined;
      },
      timeoutMs,
    );
  return {
    request,
    get,
    ended,
    /** Requests a refund (202 expected) and waits for its end. */
    async refund(who: LocalApiClient, paymentId: string, body: unknown, refundId = newRefundIdForTest()) {
      const accepted = await request(who, paymentId, refundId, body);
      if (accepted.status !== 202) {
        throw new Error(`POST refunds answered ${accepted.status}: ${JSON.stringify(accepted.json)}`);
      }
      return { refundId, accepted, final: await ended(who, paymentId, refundId) };
    },
  };
}

export const newRefundIdForTest = (): string => `ref_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
