import { WalletId } from '../../events/common';
import type { ApiClient } from '../frontdoor/clients';
import { type HttpResponse, json, problem } from '../frontdoor/http';
import type { Wallet } from '../ledger/model';
import { exponentOf } from '../money';
import type { OpenHold, WalletResponse } from './contract';
import type { WalletOwnerStore } from './owner-store';

export interface WalletReadDeps {
  readonly owners: Pick<WalletOwnerStore, 'ownedBy'>;
  readonly ledger: { getWallet(walletId: string): Promise<Wallet | undefined> };
  readonly now: () => Date;
}

// The id is not echoed: a path segment is caller input and could be anything, card numbers included.
export const walletNotFound = (): HttpResponse =>
  problem(404, 'wallet_not_found', 'Wallet not found', 'no wallet with this id was opened by this client');

/** The holds still pending on the wallet (closed markers stay on the item until compaction), oldest first. */
export function openHolds(wallet: Wallet): OpenHold[] {
  return Object.entries(wallet.holds)
    .filter(([, hold]) => hold.state === 'PENDING' && hold.amount > 0)
    .map(([paymentId, hold]) => ({
      paymentId,
      amount: hold.amount,
      reservedAt: hold.reservedAt,
      expiresAt: hold.expiresAt,
    }))
    .sort((a, b) => a.reservedAt.localeCompare(b.reservedAt) || a.paymentId.localeCompare(b.paymentId));
}

export function walletView(wallet: Wallet, asOf: Date): WalletResponse {
  return {
    walletId: wallet.walletId,
    currency: wallet.currency,
    exponent: exponentOf(wallet.currency),
    available: wallet.available,
    held: wallet.held,
    asOf: asOf.toISOString(),
    openedAt: wallet.createdAt,
    holds: openHolds(wallet),
  };
}

/**
 * The caller's own wallet, or undefined: an unknown id, a malformed one and
 * another client's wallet are indistinguishable.
 */
export async function ownWallet(
  deps: Pick<WalletReadDeps, 'owners' | 'ledger'>,
  client: ApiClient,
  walletId: string,
): Promise<Wallet | undefined> {
  if (!WalletId.safeParse(walletId).success) return undefined;
  if (!(await deps.owners.ownedBy(client.clientId, walletId))) return undefined;
  return deps.ledger.getWallet(walletId);
}

/** GET /v1/wallets/{walletId}: balance, held, open holds with their paymentIds. */
export async function getWallet(
  deps: WalletReadDeps,
  client: ApiClient,
  walletId: string,
): Promise<HttpResponse> {
  const asOf = deps.now();
  const wallet = await ownWallet(deps, client, walletId);
  return wallet ? json(200, walletView(wallet, asOf)) : walletNotFound();
}
