import { randomUUID } from 'node:crypto';
import { InvalidPaymentError } from '../../core/errors';
import { Ledger, LedgerReader } from '../../core/ledger';
import { formatMoney } from '../../core/money';
import { containsPan } from '../../core/pan';
import type { StatementLine, StatementResponse, WalletResponse } from '../../core/wallets/contract';
import { WalletOwnerStore } from '../../core/wallets/owner-store';
import { decodeCursor, statementPage } from '../../core/wallets/statement';
import { type StatementQuery, StatementQuerySchema } from '../../core/wallets/statement-query';
import { walletView } from '../../core/wallets/view';
import { WalletId } from '../../events/common';
import type { OpsActionOutcome } from '../../events/ops.v1';
import { CliError, UsageError } from '../errors';
import { recordOpsAction } from '../ops/audit';
import type { OpsDeps } from '../ops/deps';

/**
 * Wallets for operations and finance: `payctl wallets ...` and the console's
 * Wallets page call these same functions (adjustWallet is the one audited
 * action both use).
 */

export interface WalletDetail extends WalletResponse {
  /** The front door client that opened it; absent for a wallet opened outside the front door. */
  readonly ownerClientId?: string;
}

export function parseWalletId(text: string): string {
  if (containsPan(text) || !WalletId.safeParse(text).success) {
    throw new UsageError('malformed walletId: 1-64 letters, digits, "_", ":" or "-"');
  }
  return text;
}

/** `2026-11-01` is that whole UTC day (from its first, to its last millisecond); anything else is ISO 8601. */
export function instantArg(
  option: string,
  text: string | undefined,
  edge: 'start' | 'end',
): string | undefined {
  if (text === undefined) return undefined;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const iso = day ? `${text}T${edge === 'start' ? '00:00:00.000' : '23:59:59.999'}Z` : text;
  const at = Date.parse(iso);
  if (Number.isNaN(at))
    throw new UsageError(
      `${option} must be a day (yyyy-mm-dd) or an ISO-8601 time, got ${JSON.stringify(text.slice(0, 40))}`,
    );
  return new Date(at).toISOString();
}

const readerOf = (deps: OpsDeps) => new LedgerReader(deps.clients.doc, deps.names.tables.ledger);

/** Balance, held, open holds and owner; a UsageError for an unknown wallet. */
export async function showWallet(deps: OpsDeps, walletId: string): Promise<WalletDetail> {
  const asOf = new Date();
  const [wallet, owner] = await Promise.all([
    readerOf(deps).getWallet(walletId),
    new WalletOwnerStore(deps.clients.doc, deps.names.tables.payments).getOwner(walletId),
  ]);
  if (!wallet) throw new UsageError(`no wallet ${walletId}: check the walletId`);
  return { ...walletView(wallet, asOf), ...(owner && { ownerClientId: owner.clientId }) };
}

export interface StatementRequest {
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

function statementQuery(request: StatementRequest): StatementQuery {
  const parsed = StatementQuerySchema.safeParse(
    Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined)),
  );
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

/** One page of the statement, newest first (the cursor is the front door's: bound to wallet and window). */
export async function walletStatement(
  deps: OpsDeps,
  walletId: string,
  request: StatementRequest,
): Promise<StatementResponse> {
  const wallet = await readerOf(deps).getWallet(walletId);
  if (!wallet) throw new UsageError(`no wallet ${walletId}: check the walletId`);
  const query = statementQuery(request);
  const ledgerCursor = query.cursor ? decodeCursor(walletId, query, query.cursor) : undefined;
  if (query.cursor && !ledgerCursor) throw new UsageError('the cursor belongs to another wallet or window');
  return statementPage(readerOf(deps), walletId, wallet.currency, query, ledgerCursor);
}

/** Every line in the window, a page at a time (memory: one page, whatever the wallet's history). */
export async function* statementLines(
  deps: OpsDeps,
  walletId: string,
  window: { from?: string; to?: string },
): AsyncGenerator<{ line: StatementLine; currency: string }> {
  let cursor: string | undefined;
  do {
    const page = await walletStatement(deps, walletId, { ...window, limit: 200, ...(cursor && { cursor }) });
    for (const line of page.lines) yield { line, currency: page.currency };
    cursor = page.nextCursor;
  } while (cursor);
}

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
  const ledger = new Ledger({ doc: deps.clients.doc, tableName: deps.names.tables.ledger });
  const target = `wallet ${request.walletId} adjustment ${adjustmentId}`;
  const audit = async (outcome: OpsActionOutcome, message: string) => {
    const recorded = await recordOpsAction(deps, {
      action: 'wallets.adjust',
      target,
      count: outcome === 'succeeded' ? 1 : 0,
      outcome,
      message: message.slice(0, 2000),
    });
    return {
      auditId: recorded.entry.auditId,
      ...(!recorded.published && {
        warning: `audit record stored, but OpsActionPerformed was not published (${recorded.publishError})`,
      }),
    };
  };
  let result: Awaited<ReturnType<Ledger['adjust']>>;
  try {
    result = await ledger.adjust(request.walletId, request.amount, adjustmentId, request.reason.trim());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await audit('failed', `${request.amount} minor units refused: ${message}`).catch(() => undefined);
    if (error instanceof InvalidPaymentError) throw new CliError(message);
    throw error;
  }
  const what = `${result.amount > 0 ? 'credit' : 'debit'} ${formatMoney(Math.abs(result.amount), result.currency)}, balance after ${formatMoney(result.balanceAfter, result.currency)}${result.replayed ? ' (already made: replayed)' : ''}; reason: ${request.reason.trim()}`;
  let recorded: { auditId: string; warning?: string };
  try {
    recorded = await audit('succeeded', what);
  } catch (error) {
    recorded = {
      auditId: '',
      warning: `the adjustment was made but its audit record could not be written (${error instanceof Error ? error.message : String(error)}); record it by hand`,
    };
  }
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
