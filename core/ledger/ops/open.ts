import { InvalidPaymentError, LedgerContentionError } from '../../errors';
import { OpenWalletInput, parseInput } from '../inputs';
import type { Wallet } from '../model';
import type { OpenWalletResult } from '../results';
import { putNewWallet } from '../store';
import type { OpContext } from './context';

/**
 * Opens a wallet in one currency, once: a second open in the same currency answers the wallet as it is
 * (created: false), in another currency is an InvalidPaymentError.
 */
export async function openWallet(
  ctx: OpContext,
  walletId: string,
  currency: string,
): Promise<OpenWalletResult> {
  const input = parseInput('openWallet', OpenWalletInput, { walletId, currency });
  const fresh: Wallet = {
    walletId: input.walletId,
    currency: input.currency,
    available: 0,
    held: 0,
    holds: {},
    deposits: {},
    adjustments: {},
    createdAt: ctx.now().toISOString(),
    seq: 0,
  };
  if (await putNewWallet(ctx.store, fresh)) return { wallet: fresh, created: true };
  const existing = await ctx.store.getWallet(input.walletId);
  if (!existing)
    throw new LedgerContentionError(`wallet ${input.walletId} exists but could not be read; retry`);
  if (existing.currency !== input.currency) {
    throw new InvalidPaymentError(
      `wallet ${input.walletId} is already open in ${existing.currency}, not ${input.currency}`,
    );
  }
  return { wallet: existing, created: false };
}
