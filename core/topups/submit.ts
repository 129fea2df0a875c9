import type { TopUpRequested } from '../../events/top-ups.v1';
import { canonicalJson } from '../canonical-json';
import { API } from '../config/names';
import type { ApiClient } from '../frontdoor/clients';
import type { TopUpAcceptedResponse } from '../frontdoor/contract';
import { type HttpResponse, json, problem } from '../frontdoor/http';
import { PublishFailedError, PublishRefusedError } from '../frontdoor/outbox-publish';
import { parseTopUpSubmission, type TopUpSubmitInput } from './request';
import type { TopUpRecord, TopUpStore } from './store';

/**
 * Puts one TopUpRequested on the bus under the client's source; returns the event id. Throws
 * PublishFailedError (transient: retry) or PublishRefusedError (needs the operator), as api-submit's.
 */
export type PublishTopUpRequested = (source: string, detail: string) => Promise<string>;

/** The wallet as the caller may use it: only a wallet this client opened (else undefined, as for no wallet). */
export type OwnedWallet = (
  clientId: string,
  walletId: string,
) => Promise<{ readonly currency: string } | undefined>;

export interface TopUpSubmitDeps {
  readonly topUps: Pick<TopUpStore, 'get' | 'accept' | 'markPublished'>;
  readonly ownedWallet: OwnedWallet;
  readonly publish: PublishTopUpRequested;
  readonly now: () => Date;
}

export const topUpStatusPath = (walletId: string, topUpId: string): string =>
  API.routes.getTopUp.path
    .replace('{walletId}', encodeURIComponent(walletId))
    .replace('{topUpId}', encodeURIComponent(topUpId));

/** Another client's wallet answers exactly as an unknown one. */
export const walletNotFound = (): HttpResponse =>
  problem(404, 'wallet_not_found', 'Wallet not found', 'no such wallet opened by this client');

function accepted(record: TopUpRecord, replayed: boolean): HttpResponse {
  const location = topUpStatusPath(record.walletId, record.topUpId);
  const body: TopUpAcceptedResponse = {
    topUpId: record.topUpId,
    walletId: record.walletId,
    status: 'ACCEPTED',
    acceptedAt: record.acceptedAt,
    statusUrl: location,
  };
  return json(202, body, { location, ...(replayed && { 'idempotent-replayed': 'true' }) });
}

const topUpIdInUse = (topUpId: string): HttpResponse =>
  problem(
    409,
    'top_up_id_in_use',
    'topUpId already in use',
    `topUpId ${topUpId} already names another top-up; a new top-up needs a new key`,
  );

async function ensurePublished(
  deps: TopUpSubmitDeps,
  record: TopUpRecord,
): Promise<HttpResponse | undefined> {
  if (record.publishedAt || !record.detail || !record.source) return undefined;
  try {
    const eventId = await deps.publish(record.source, record.detail);
    await deps.topUps.markPublished(record.topUpId, eventId, deps.now());
    return undefined;
  } catch (error) {
    if (error instanceof PublishRefusedError) {
      return problem(
        500,
        'publish_refused',
        'Top-up request refused by the event bus',
        'the request is recorded but the event bus refused it; the operator has to fix the bus or its policy',
      );
    }
    if (!(error instanceof PublishFailedError)) throw error;
    return problem(
      503,
      'not_published_yet',
      'Top-up request not published yet',
      'the request is recorded but could not be put on the event bus; retry with the same Idempotency-Key',
    );
  }
}

function newRecord(client: ApiClient, topUp: TopUpRequested, clientHash: string, now: Date) {
  return {
    topUpId: topUp.topUpId,
    walletId: topUp.walletId,
    amount: topUp.amount,
    acceptedAt: now.toISOString(),
    clientId: client.clientId,
    source: client.source,
    clientHash,
    detail: canonicalJson(topUp),
  };
}

/**
 * POST /v1/wallets/{walletId}/top-ups. The Idempotency-Key is the topUpId, the
 * top-up saga's execution name and the wallet deposit's id: the same key and
 * body answer the same 202; the same key with another body, or a key already
 * used by another request, answers 409. Only a wallet the caller opened can be
 * topped up, in its own currency.
 */
export async function submitTopUp(
  deps: TopUpSubmitDeps,
  client: ApiClient,
  input: Omit<TopUpSubmitInput, 'now'>,
): Promise<HttpResponse> {
  const now = deps.now();
  const submission = parseTopUpSubmission({ ...input, now });
  if (!submission.ok) return submission.response;
  const { topUp, clientHash } = submission;
  const wallet = await deps.ownedWallet(client.clientId, topUp.walletId);
  if (!wallet) return walletNotFound();
  if (wallet.currency !== topUp.amount.currency) {
    return problem(400, 'invalid_request', 'Invalid top-up request', `the wallet holds ${wallet.currency}`, [
      { path: 'amount.currency', message: `must be the wallet's currency (${wallet.currency})` },
    ]);
  }
  let record = await deps.topUps.get(topUp.topUpId);
  let replayed = true;
  if (!record) {
    const fresh = newRecord(client, topUp, clientHash, now);
    if (await deps.topUps.accept(fresh)) {
      record = { ...fresh, status: 'ACCEPTED', updatedAt: fresh.acceptedAt };
      replayed = false;
    } else {
      record = await deps.topUps.get(topUp.topUpId);
      if (!record) throw new Error(`top-up ${topUp.topUpId} vanished after a conditional write`);
    }
  }
  if (record.clientId !== client.clientId) return topUpIdInUse(topUp.topUpId);
  if (record.clientHash !== clientHash) {
    return problem(
      409,
      'idempotency_key_reused',
      'Idempotency-Key reused with a different request',
      `${API.idempotencyHeader} ${topUp.topUpId} was used for a different request; a new top-up needs a new key`,
    );
  }
  const notPublished = await ensurePublished(deps, record);
  return notPublished ?? accepted(record, replayed);
}
