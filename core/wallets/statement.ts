import { InvalidPaymentError } from '../errors';
import type { ApiClient } from '../frontdoor/clients';
import { type HttpResponse, json } from '../frontdoor/http';
import type { LedgerOperation } from '../ledger/model';
import type { LedgerReader } from '../ledger/reader';
import type { StatementLine as LedgerStatementLine } from '../ledger/results';
import { exponentOf } from '../money';
import type { StatementLine, StatementLineType, StatementResponse } from './contract';
import { parseStatementQuery, type StatementQuery } from './statement-query';
import { ownWallet, type WalletReadDeps, walletNotFound } from './view';

/** The ledger's per-wallet statement (LedgerReader.statement): newest first, a page at a time. */
export type StatementSource = Pick<LedgerReader, 'statement'>;

export interface StatementDeps extends WalletReadDeps {
  readonly statements: StatementSource;
}

/** Ledger operation -> statement type, and which id the line's ref is (a new operation fails to compile here). */
const OPERATION_TYPES: Readonly<
  Record<LedgerOperation, { type: StatementLineType; id: 'paymentId' | 'topUpId' | 'adjustmentId' }>
> = {
  deposit: { type: 'top_up', id: 'topUpId' },
  reserve: { type: 'payment', id: 'paymentId' },
  settle: { type: 'payment', id: 'paymentId' },
  release: { type: 'release', id: 'paymentId' },
  expire: { type: 'expire', id: 'paymentId' },
  refund: { type: 'refund', id: 'paymentId' },
  adjust: { type: 'adjustment', id: 'adjustmentId' },
  // A payment's card part moves no wallet account: never on a statement (no seq, not in the wallet index).
  settle_card: { type: 'payment', id: 'paymentId' },
  refund_card: { type: 'refund', id: 'paymentId' },
  // A refund saga's reversal (ref refund:<paymentId>:<refundId>): its wallet part, 0 for a card-only refund.
  refund_part: { type: 'refund', id: 'paymentId' },
};

/** `deposit:dep-1` -> `dep-1`, `refund:pay-1:ref-1` -> `pay-1`; a bare paymentId stays as it is. */
const idOfRef = (ref: string): string => {
  const [kind, id] = ref.split(':');
  return id ?? kind ?? ref;
};

export function statementLine(line: LedgerStatementLine): StatementLine {
  const mapping = OPERATION_TYPES[line.operation];
  return {
    entryId: line.entryId,
    type: mapping.type,
    amount: line.amount,
    balanceAfter: line.balanceAfter,
    [mapping.id]: idOfRef(line.ref),
    at: line.effectiveAt,
  };
}

/** Wraps the ledger's cursor with the query it belongs to, so it cannot page another wallet or window. */
export function encodeCursor(walletId: string, query: StatementQuery, ledgerCursor: string): string {
  const payload = { w: walletId, f: query.from ?? null, t: query.to ?? null, c: ledgerCursor };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The ledger's cursor inside ours, or undefined when it was made for another wallet or window (or is junk). */
export function decodeCursor(walletId: string, query: StatementQuery, cursor: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const same =
      payload.w === walletId && payload.f === (query.from ?? null) && payload.t === (query.to ?? null);
    return same && typeof payload.c === 'string' ? payload.c : undefined;
  } catch {
    return undefined;
  }
}

/** One page of a wallet's statement; the reader pages the journal, so memory is one page whatever the history. */
export async function statementPage(
  statements: StatementSource,
  walletId: string,
  currency: string,
  query: StatementQuery,
  ledgerCursor: string | undefined,
): Promise<StatementResponse> {
  const page = await statements.statement(walletId, {
    ...(query.from && { from: query.from }),
    ...(query.to && { to: query.to }),
    limit: query.limit,
    ...(ledgerCursor && { cursor: ledgerCursor }),
  });
  return {
    walletId,
    currency,
    exponent: exponentOf(currency as Parameters<typeof exponentOf>[0]),
    lines: page.lines.map(statementLine),
    ...(page.nextCursor && { nextCursor: encodeCursor(walletId, query, page.nextCursor) }),
  };
}

/** GET /v1/wallets/{walletId}/transactions?from&to&limit&cursor: the caller's own wallet only. */
export async function getStatement(
  deps: StatementDeps,
  client: ApiClient,
  walletId: string,
  queryParameters: Readonly<Record<string, string | undefined>> | null,
): Promise<HttpResponse> {
  const wallet = await ownWallet(deps, client, walletId);
  if (!wallet) return walletNotFound();
  const query = parseStatementQuery(queryParameters);
  if (!query.ok) return query.response;
  const ledgerCursor = query.value.cursor
    ? decodeCursor(walletId, query.value, query.value.cursor)
    : undefined;
  if (query.value.cursor && !ledgerCursor) return query.badCursor();
  try {
    return json(
      200,
      await statementPage(deps.statements, walletId, wallet.currency, query.value, ledgerCursor),
    );
  } catch (error) {
    // Our wrapper was intact but the ledger's cursor inside it was not one the ledger made.
    if (error instanceof InvalidPaymentError && ledgerCursor) return query.badCursor();
    throw error;
  }
}
