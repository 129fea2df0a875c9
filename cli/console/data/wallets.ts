import { type Currency, fromMajorUnits, InvalidMoneyError } from '../../../core/money';
import type { StatementResponse } from '../../../core/wallets/contract';
import { UsageError } from '../../errors';
import type { OpsDeps } from '../../ops/deps';
import {
  adjustWallet,
  instantArg,
  parseWalletId,
  type StatementRequest,
  showWallet,
  type WalletDetail,
  walletStatement,
} from '../../wallets/wallets';
import type { ActionResult } from '../api-types';

/**
 * The console's Wallets page over the functions `payctl wallets` uses:
 * showWallet, walletStatement, and adjustWallet (the one audited action).
 */

export async function walletDetail(deps: OpsDeps, walletId: string): Promise<WalletDetail | undefined> {
  try {
    return await showWallet(deps, parseWalletId(walletId));
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}

export function walletStatementPage(
  deps: OpsDeps,
  walletId: string,
  request: StatementRequest,
): Promise<StatementResponse> {
  const from = instantArg('from', request.from, 'start');
  const to = instantArg('to', request.to, 'end');
  return walletStatement(deps, parseWalletId(walletId), {
    ...request,
    ...(from && { from }),
    ...(to && { to }),
  });
}

/** payctl wallets adjust: `amount` is signed major units in the wallet's currency ("12.50", "-3.00"). */
export async function adjustWalletAudited(
  deps: OpsDeps,
  walletId: string,
  request: { amount: string; reason: string; adjustmentId?: string },
): Promise<ActionResult> {
  const wallet = await showWallet(deps, parseWalletId(walletId));
  let amount: number;
  try {
    amount = fromMajorUnits(request.amount, wallet.currency as Currency);
  } catch (error) {
    if (error instanceof InvalidMoneyError) throw new UsageError(`amount: ${error.message}`);
    throw error;
  }
  const outcome = await adjustWallet(deps, {
    walletId: wallet.walletId,
    amount,
    reason: request.reason,
    ...(request.adjustmentId && { adjustmentId: request.adjustmentId }),
  });
  return {
    ok: outcome.warning === undefined,
    summary: `${outcome.replayed ? 'already made' : 'adjusted'}: ${request.amount} ${outcome.currency}, available now ${outcome.balanceAfter} minor units (adjustment ${outcome.adjustmentId})`,
    detail: {
      adjustmentId: outcome.adjustmentId,
      balanceAfter: outcome.balanceAfter,
      ...(outcome.auditId && { auditId: outcome.auditId }),
      ...(outcome.warning && { warning: outcome.warning }),
    },
  };
}
