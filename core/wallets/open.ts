import { randomInt } from 'node:crypto';
import { API } from '../config/names';
import { InvalidPaymentError } from '../errors';
import type { ApiClient } from '../frontdoor/clients';
import { type HttpResponse, json, problem } from '../frontdoor/http';
import type { Wallet } from '../ledger/model';
import { type Currency, exponentOf } from '../money';
import { containsPan } from '../pan';
import type { WalletOpenedResponse } from './contract';
import { type OpenWalletInput, parseOpenWallet } from './open-request';
import type { WalletKeyRecord, WalletOwnerRecord, WalletOwnerStore } from './owner-store';

export interface OpenWalletDeps {
  readonly owners: Pick<WalletOwnerStore, 'getKey' | 'createKey' | 'getOwner' | 'claimOwner'>;
  readonly ledger: {
    openWallet(
      walletId: string,
      currency: string,
    ): Promise<{ readonly wallet: Wallet; readonly created: boolean }>;
    getWallet(walletId: string): Promise<Wallet | undefined>;
  };
  readonly now: () => Date;
  /** Makes a wallet id when the body has none (tests inject a fixed one). */
  readonly newWalletId?: () => string;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `wal_` and 20 random characters; never a digit run that could read as a card number. */
export function newWalletId(): string {
  for (;;) {
    const id = `wal_${Array.from({ length: 20 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')}`;
    if (!containsPan(id)) return id;
  }
}

export const walletPath = (walletId: string): string =>
  API.routes.getWallet.path.replace('{walletId}', encodeURIComponent(walletId));

function opened(owner: WalletOwnerRecord, replayed: boolean): HttpResponse {
  const location = walletPath(owner.walletId);
  const body: WalletOpenedResponse = {
    walletId: owner.walletId,
    currency: owner.currency,
    exponent: exponentOf(owner.currency as Currency),
    openedAt: owner.openedAt,
    walletUrl: location,
  };
  return json(201, body, { location, ...(replayed && { 'idempotent-replayed': 'true' }) });
}

// The id is not echoed: it is caller input.
const walletIdInUse = (): HttpResponse =>
  problem(
    409,
    'wallet_id_in_use',
    'walletId already in use',
    'this walletId already names another wallet; open a new wallet with another walletId (or leave it out)',
  );

const keyReused = (): HttpResponse =>
  problem(
    409,
    'idempotency_key_reused',
    'Idempotency-Key reused with a different request',
    `this ${API.idempotencyHeader} was used for a different request body; a new wallet needs a new key`,
  );

/** The key's record: the one this request creates, or the one an earlier request (or a racing one) made. */
async function keyRecordFor(
  deps: OpenWalletDeps,
  fresh: WalletKeyRecord,
): Promise<{ record: WalletKeyRecord; replayed: boolean }> {
  const existing = await deps.owners.getKey(fresh.clientId, fresh.idempotencyKey);
  if (existing) return { record: existing, replayed: true };
  if (await deps.owners.createKey(fresh)) return { record: fresh, replayed: false };
  const raced = await deps.owners.getKey(fresh.clientId, fresh.idempotencyKey);
  if (!raced) throw new Error('wallet key record vanished after a conditional write');
  return { record: raced, replayed: true };
}

const isOurs = (owner: WalletOwnerRecord, key: WalletKeyRecord): boolean =>
  owner.clientId === key.clientId && owner.idempotencyKey === key.idempotencyKey;

/** The owner record this key holds: claimed now, or by an earlier attempt with the same key; undefined if taken. */
async function ownerFor(
  deps: OpenWalletDeps,
  key: WalletKeyRecord,
  currency: string,
): Promise<WalletOwnerRecord | undefined> {
  const owner = await deps.owners.getOwner(key.walletId);
  if (owner) return isOurs(owner, key) ? owner : undefined;
  // A wallet opened outside the front door (operations, code) belongs to no client: it cannot be claimed.
  if (await deps.ledger.getWallet(key.walletId)) return undefined;
  const claim: WalletOwnerRecord = {
    walletId: key.walletId,
    clientId: key.clientId,
    currency,
    idempotencyKey: key.idempotencyKey,
    openedAt: deps.now().toISOString(),
  };
  if (await deps.owners.claimOwner(claim)) return claim;
  const raced = await deps.owners.getOwner(key.walletId);
  return raced && isOurs(raced, key) ? raced : undefined;
}

/**
 * POST /v1/wallets. Idempotent per client by Idempotency-Key: the same key
 * and body answer the same 201 (Idempotent-Replayed: true), the same key with
 * another body 409. The owner record is claimed before the ledger wallet is
 * opened, so a crash in between is finished by the retry (openWallet is
 * idempotent), and a wallet id someone else holds answers 409.
 */
export async function openWallet(
  deps: OpenWalletDeps,
  client: ApiClient,
  input: OpenWalletInput,
): Promise<HttpResponse> {
  const request = parseOpenWallet(input);
  if (!request.ok) return request.response;
  const { record: key, replayed } = await keyRecordFor(deps, {
    clientId: client.clientId,
    idempotencyKey: request.key,
    walletId: request.body.walletId ?? (deps.newWalletId ?? newWalletId)(),
    clientHash: request.clientHash,
    acceptedAt: deps.now().toISOString(),
  });
  if (key.clientHash !== request.clientHash) return keyReused();
  const owner = await ownerFor(deps, key, request.body.currency);
  if (!owner) return walletIdInUse();
  try {
    await deps.ledger.openWallet(owner.walletId, owner.currency);
  } catch (error) {
    // Opened meanwhile outside the front door in another currency.
    if (error instanceof InvalidPaymentError) return walletIdInUse();
    throw error;
  }
  return opened(owner, replayed);
}
