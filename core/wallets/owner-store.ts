import '../config/zod-locale';
import * as z from 'zod/mini';
import { GetCommand, PutCommand } from '../aws/dynamodb';
import { isConditionFailure } from '../dynamo/condition';
import type { DocumentClient } from '../payments/repository';

/**
 * Who opened each wallet over the front door, next to the payments in the
 * payments table (as API#REQUEST records are):
 *
 *   WALLET#<walletId> / API#OWNER                      the client that opened it, and with which key
 *   APIKEY#<clientId>#<idempotencyKey> / API#WALLET    what that client's key opened, and the hash of its body
 *
 * The owner record makes a wallet visible and usable to its owner only; the
 * key record makes POST /v1/wallets idempotent per client (a server-generated
 * walletId is found again by the key).
 */
export const WALLET_OWNER_SK = 'API#OWNER';
export const WALLET_KEY_SK = 'API#WALLET';

export const WalletOwnerRecord = z.object({
  walletId: z.string(),
  clientId: z.string(),
  currency: z.string(),
  /** The Idempotency-Key that opened it: a retry with that key is the same request. */
  idempotencyKey: z.string(),
  openedAt: z.string(),
});
export type WalletOwnerRecord = z.infer<typeof WalletOwnerRecord>;

export const WalletKeyRecord = z.object({
  clientId: z.string(),
  idempotencyKey: z.string(),
  walletId: z.string(),
  /** sha256 of what the client sent; a retry must send the same. */
  clientHash: z.string(),
  acceptedAt: z.string(),
});
export type WalletKeyRecord = z.infer<typeof WalletKeyRecord>;

const ownerKey = (walletId: string) => ({ pk: `WALLET#${walletId}`, sk: WALLET_OWNER_SK });
const keyKey = (clientId: string, idempotencyKey: string) => ({
  pk: `APIKEY#${clientId}#${idempotencyKey}`,
  sk: WALLET_KEY_SK,
});

export class WalletOwnerStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
  ) {}

  async getOwner(walletId: string): Promise<WalletOwnerRecord | undefined> {
    return this.getItem(ownerKey(walletId), WalletOwnerRecord);
  }

  /** The wallet's owner if it is this client; undefined for an unknown wallet and for anyone else's alike. */
  async ownedBy(clientId: string, walletId: string): Promise<WalletOwnerRecord | undefined> {
    const owner = await this.getOwner(walletId);
    return owner?.clientId === clientId ? owner : undefined;
  }

  /** Claims the wallet id once; false when someone (this client included) already holds it. */
  async claimOwner(record: WalletOwnerRecord): Promise<boolean> {
    return this.putOnce({ ...ownerKey(record.walletId), kind: 'wallet-owner', ...record });
  }

  async getKey(clientId: string, idempotencyKey: string): Promise<WalletKeyRecord | undefined> {
    return this.getItem(keyKey(clientId, idempotencyKey), WalletKeyRecord);
  }

  /** Records what a key opened, once; false when the key already has a record (a retry or a race). */
  async createKey(record: WalletKeyRecord): Promise<boolean> {
    return this.putOnce({
      ...keyKey(record.clientId, record.idempotencyKey),
      kind: 'wallet-open-request',
      ...record,
    });
  }

  private async getItem<T extends z.ZodMiniType>(
    key: { pk: string; sk: string },
    schema: T,
  ): Promise<z.output<T> | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return Item ? schema.parse(Item) : undefined;
  }

  private async putOnce(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
