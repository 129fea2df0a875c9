import { randomUUID } from 'node:crypto';
import { InvalidPaymentError } from '../../../core/errors';
import type { AdjustResult } from '../../../core/ledger';
import { adjust, opContext } from '../../../core/ledger/operations';
import { formatMoney } from '../../../core/money';
import { containsPan } from '../../../core/pan';
import { CliError, UsageError } from '../../errors';
import { parseWalletId } from '../../wallets/wallets';
import type { OpsDeps } from '../deps';
import { auditAction } from './audited';

/**
 * The wallet adjustment as one audited action (payctl wallets adjust, the
 * console's Wallets page, the hosted console API): a manual credit or debit
 * against the ledger's adjustments account, audited as wallets.adjust.
 */

export interface AdjustRequest {
  readonly walletId: string;
  /** Signed minor units: > 0 credits the wallet, < 0 debits it. */
  readonly amount: number;
  readonly reason: string;
  /** The adjustment's id (its idempotency key); one is made when absent. */
  readonly adjustmentId?: string;
}

export interface AdjustOutcome {
  readonly walletId: string;
  readonly adjustmentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly balanceAfter: number;
  readonly replayed: boolean;
  readonly auditId?: string;
  /** The adjustment stands but its audit record or event did not go through: say so. */
  readonly warning?: string;
}

export const newAdjustmentId = (): string => `adj_${randomUUID().replaceAll('-', '').slice(0, 20)}`;

function validate(request: AdjustRequest): void {
  parseWalletId(request.walletId);
  if (!Number.isSafeInteger(request.amount) || request.amount === 0) {
    throw new UsageError('the amount must be a non-zero number of the currency (e.g. 12.50 or -3.00)');
  }
  if (containsPan(request.reason))
    throw new UsageError('the reason looks like it holds a card number: leave it out');
  const reason = request.reason.trim();
  if (reason.length === 0 || reason.length > 500)
    throw new UsageError('a reason of 1-500 characters is required');
}

/**
 * A manual credit or debit of a wallet, double-entry against the ledger's
 * adjustments account, with its audit record and OpsActionPerformed event
 * (action wallets.adjust). The ledger write is idempotent by adjustmentId; a
 * refused or failed adjustment is audited as failed and rethrown.
 */
export async function adjustWallet(deps: OpsDeps, request: AdjustRequest): Promise<AdjustOutcome> {
  validate(request);
  const adjustmentId = request.adjustmentId ?? newAdjustmentId();
  // The adjustment alone (core/ledger/operations.ts), as Ledger.adjust runs it.
  const ledger = opContext({ doc: deps.clients.doc, tableName: deps.names.tables.ledger });
  const target = `wallet ${request.walletId} adjustment ${adjustmentId}`;
  const audit = (outcome: 'succeeded' | 'failed', message: string) =>
    auditAction(deps, {
      action: 'wallets.adjust',
      target,
      count: outcome === 'succeeded' ? 1 : 0,
      outcome,
      message: message.slice(0, 2000),
    });
  let result: AdjustResult;
  try {
    result = await adjust(ledger, {
      walletId: request.walletId,
      amount: request.amount,
      adjustmentId,
      reason: request.reason.trim(),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await audit('failed', `${request.amount} minor units refused: ${message}`);
    if (error instanceof InvalidPaymentError) throw new CliError(message);
    throw error;
  }
  const what = `${result.amount > 0 ? 'credit' : 'debit'} ${formatMoney(Math.abs(result.amount), result.currency)}, balance after ${formatMoney(result.balanceAfter, result.currency)}${result.replayed ? ' (already made: replayed)' : ''}; reason: ${request.reason.trim()}`;
  const noted = await audit('succeeded', what);
  const recorded = {
    auditId: noted.auditId ?? '',
    warning: noted.problem ?? noted.warning,
  };
  return {
    walletId: result.walletId,
    adjustmentId: result.adjustmentId,
    amount: result.amount,
    currency: result.currency,
    balanceAfter: result.balanceAfter,
    replayed: result.replayed,
    ...(recorded.auditId && { auditId: recorded.auditId }),
    ...(recorded.warning && { warning: recorded.warning }),
  };
}
