import { TopUpId } from '../../events/top-ups.v1';
import type { ApiClient } from '../frontdoor/clients';
import type { TopUpStatusResponse } from '../frontdoor/contract';
import { type HttpResponse, json, problem } from '../frontdoor/http';
import type { TopUpRecord, TopUpStore } from './store';
import { type OwnedWallet, walletNotFound } from './submit';

export interface TopUpStatusDeps {
  readonly topUps: Pick<TopUpStore, 'get'>;
  readonly ownedWallet: OwnedWallet;
}

const topUpNotFound = (): HttpResponse =>
  problem(404, 'top_up_not_found', 'Top-up not found', 'no such top-up of this wallet');

/** The record as its owner sees it: status, amount, times and the failure reason; no gateway ids. */
export function topUpView(record: TopUpRecord): TopUpStatusResponse {
  const failed = record.status === 'FAILED' || record.status === 'NEEDS_ATTENTION';
  return {
    topUpId: record.topUpId,
    walletId: record.walletId,
    status: record.status,
    amount: record.amount,
    acceptedAt: record.acceptedAt,
    updatedAt: record.updatedAt,
    ...(record.completedAt && { completedAt: record.completedAt }),
    ...(failed && {
      failure: {
        reasonCode: record.reasonCode ?? 'unknown',
        ...(record.reason && { reason: record.reason }),
        ...(record.failedState && { step: record.failedState }),
        ...(record.chargeId && { refunded: record.refundId !== undefined }),
      },
    }),
  };
}

/** GET /v1/wallets/{walletId}/top-ups/{topUpId}: only of a wallet the caller opened (else 404, as unknown). */
export async function getTopUpStatus(
  deps: TopUpStatusDeps,
  client: ApiClient,
  walletId: string,
  topUpId: string,
): Promise<HttpResponse> {
  if (!TopUpId.safeParse(topUpId).success) return topUpNotFound();
  if (!(await deps.ownedWallet(client.clientId, walletId))) return walletNotFound();
  const record = await deps.topUps.get(topUpId);
  if (!record || record.walletId !== walletId) return topUpNotFound();
  return json(200, topUpView(record));
}
