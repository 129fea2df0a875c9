import type { JournalEntry } from '../../core/ledger/model';

/**
 * A journal entry as the ledger writes one (`<ref>#<operation>`, EUR, wallet `wal_a` unless told), its
 * lines as [account, amount] pairs: the fixture of the reconcile tests.
 */
export function journalEntry(
  ref: string,
  operation: JournalEntry['operation'],
  lines: [string, number][],
  options: { readonly effectiveAt?: string; readonly walletId?: string } = {},
): JournalEntry {
  return {
    entryId: `${ref}#${operation}`,
    ref,
    operation,
    walletId: options.walletId ?? 'wal_a',
    currency: 'EUR',
    lines: lines.map(([account, amount]) => ({ account, amount })),
    effectiveAt: options.effectiveAt ?? '2026-11-01T10:00:01.000Z',
  };
}
