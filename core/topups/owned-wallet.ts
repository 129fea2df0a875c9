import type { WalletOwnerStore } from '../wallets/owner-store';
import type { OwnedWallet } from './submit';

/**
 * A wallet the caller may top up and read: one it opened over the front door
 * (the wallet routes' owner record). Anyone else's answers as an unknown one.
 */
export function ownedWallet(owners: Pick<WalletOwnerStore, 'ownedBy'>): OwnedWallet {
  return async (clientId, walletId) => {
    const owner = await owners.ownedBy(clientId, walletId);
    return owner && { currency: owner.currency };
  };
}
