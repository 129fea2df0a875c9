import { LedgerReader } from '../../core/ledger';
import { walletOf } from '../../core/ledger/reads';
import { containsPan } from '../../core/pan';
import type { StatementLine, StatementResponse, WalletResponse } from '../../core/wallets/contract';
import { WalletOwnerStore } from '../../core/wallets/owner-store';
import { decodeCursor, statementPage } from '../../core/wallets/statement';
import { type StatementQuery, StatementQuerySchema } from '../../core/wallets/statement-query';
import { walletView } from '../../core/wallets/view';
import { WalletId } from '../../events/common';
import { UsageError } from '../errors';
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
    walletOf({ doc: deps.clients.doc, tableName: deps.names.tables.ledger }, walletId),
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

/** The one audited wallet action lives with the other audited actions (payctl, console, hosted API). */
export {
  type AdjustOutcome,
  type AdjustRequest,
  adjustWallet,
  newAdjustmentId,
} from '../ops/actions/wallet-adjust';
