import { LedgerInvariantError } from '../errors';
import { holdsAccount, walletAccount } from './accounts';
import { isCardEntry, type JournalEntry, type Wallet } from './model';
import { availableEffectOf, entriesForWallet } from './postings';

/**
 * The ledger's conservation rules, checked on a snapshot (whole test-sized
 * table or any set of wallets with all their journal entries, closed holds
 * rebuilt into `holds` as LedgerReader's snapshots do):
 * - every entry balances (lines sum to zero) and, therefore, every currency does;
 * - each wallet's available and held equal the sums of its accounts in the journal
 *   (open holds from the item, closed ones, deposits and adjustments from the journal);
 * - held equals the sum of the wallet's pending holds, and nothing is negative;
 * - the journal holds every entry the wallet's markers imply: a missing one is
 *   an operation interrupted between its writes (run repairJournal); a payment
 *   entry no hold explains is a posting the wallet never applied;
 * - the wallet's sequence numbers are unique, and each entry's balanceAfter is
 *   the running sum of the wallet's available in sequence order (the statement).
 */

export interface LedgerSnapshot {
  readonly wallets: readonly Wallet[];
  readonly entries: readonly JournalEntry[];
}

export interface InvariantReport {
  readonly ok: boolean;
  readonly violations: string[];
  /** Sum of all lines per currency (0 everywhere when ok). */
  readonly totalsByCurrency: Record<string, number>;
}

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

function sameEntry(a: JournalEntry, b: JournalEntry): boolean {
  return (
    a.walletId === b.walletId &&
    a.currency === b.currency &&
    a.operation === b.operation &&
    a.effectiveAt === b.effectiveAt &&
    a.lines.length === b.lines.length &&
    a.lines.every((line, i) => line.account === b.lines[i]?.account && line.amount === b.lines[i]?.amount)
  );
}

function checkEntries(entries: readonly JournalEntry[], violations: string[]): Record<string, number> {
  const totals: Record<string, number> = {};
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.entryId)) violations.push(`journal entry ${entry.entryId} appears twice`);
    seen.add(entry.entryId);
    const balance = sum(entry.lines.map((line) => line.amount));
    if (balance !== 0)
      violations.push(`journal entry ${entry.entryId} does not balance: lines sum to ${balance}`);
    if (!entry.lines.every((line) => Number.isSafeInteger(line.amount)))
      violations.push(`journal entry ${entry.entryId} has a non-integer amount`);
    totals[entry.currency] = (totals[entry.currency] ?? 0) + balance;
  }
  for (const [currency, total] of Object.entries(totals)) {
    if (total !== 0) violations.push(`${currency}: journal sums to ${total}, not 0`);
  }
  return totals;
}

function checkWallet(wallet: Wallet, journal: readonly JournalEntry[], violations: string[]): void {
  const id = wallet.walletId;
  const linesOf = (account: string) =>
    journal.flatMap((entry) => entry.lines.filter((line) => line.account === account).map((l) => l.amount));
  const journalAvailable = sum(linesOf(walletAccount(id)));
  const journalHeld = sum(linesOf(holdsAccount(id)));
  if (wallet.available !== journalAvailable)
    violations.push(`wallet ${id}: available ${wallet.available} but journal says ${journalAvailable}`);
  if (wallet.held !== journalHeld)
    violations.push(`wallet ${id}: held ${wallet.held} but journal says ${journalHeld}`);
  if (wallet.available < 0) violations.push(`wallet ${id}: available is negative (${wallet.available})`);
  if (wallet.held < 0) violations.push(`wallet ${id}: held is negative (${wallet.held})`);
  const pending = sum(
    Object.values(wallet.holds)
      .filter((hold) => hold.state === 'PENDING')
      .map((hold) => hold.amount),
  );
  if (pending !== wallet.held)
    violations.push(`wallet ${id}: held ${wallet.held} but pending holds sum to ${pending}`);
  for (const entry of journal) {
    if (entry.currency !== wallet.currency)
      violations.push(
        `journal entry ${entry.entryId} is in ${entry.currency}, wallet ${id} in ${wallet.currency}`,
      );
  }
  const expected = new Map(entriesForWallet(wallet).map((entry) => [entry.entryId, entry]));
  const actual = new Map(journal.map((entry) => [entry.entryId, entry]));
  for (const [entryId, entry] of expected) {
    const found = actual.get(entryId);
    if (!found) violations.push(`wallet ${id}: journal entry ${entryId} is missing (interrupted operation)`);
    else if (!sameEntry(found, entry))
      violations.push(`wallet ${id}: journal entry ${entryId} differs from the wallet`);
  }
  for (const [entryId, entry] of actual) {
    // Deposits and adjustments keep no marker once journaled; old compaction removed markers before compactedThrough.
    const closedCredit = entry.ref.includes(':');
    const compacted = wallet.compactedThrough !== undefined && entry.effectiveAt < wallet.compactedThrough;
    if (!expected.has(entryId) && !closedCredit && !compacted)
      violations.push(`wallet ${id}: journal entry ${entryId} was never applied to the wallet`);
  }
  checkSequence(wallet, journal, violations);
}

/** Sequence numbers unique, and balanceAfter the running available balance, where the whole journal has them. */
function checkSequence(wallet: Wallet, journal: readonly JournalEntry[], violations: string[]): void {
  if (journal.length === 0 || !journal.every((entry) => entry.seq !== undefined)) return;
  const ordered = [...journal].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  let available = 0;
  let previous = -1;
  for (const entry of ordered) {
    if (entry.seq === previous)
      violations.push(`wallet ${wallet.walletId}: sequence number ${entry.seq} appears twice`);
    previous = entry.seq ?? 0;
    available += availableEffectOf(entry);
    if (entry.balanceAfter !== available)
      violations.push(
        `wallet ${wallet.walletId}: journal entry ${entry.entryId} says balance after ${entry.balanceAfter}, the entries before it make ${available}`,
      );
  }
}

/** Checks every rule above and lists each violation in words; pure. */
export function checkLedgerInvariants(snapshot: LedgerSnapshot): InvariantReport {
  const violations: string[] = [];
  const totalsByCurrency = checkEntries(snapshot.entries, violations);
  const byWallet = new Map<string, JournalEntry[]>();
  for (const entry of snapshot.entries) {
    // A card part (settle_card, refund_card) names the payer's wallet but moves none of its accounts.
    if (isCardEntry(entry)) continue;
    byWallet.set(entry.walletId, [...(byWallet.get(entry.walletId) ?? []), entry]);
  }
  const walletIds = new Set(snapshot.wallets.map((wallet) => wallet.walletId));
  for (const wallet of snapshot.wallets) checkWallet(wallet, byWallet.get(wallet.walletId) ?? [], violations);
  for (const walletId of byWallet.keys()) {
    if (!walletIds.has(walletId))
      violations.push(`journal entries name wallet ${walletId}, which does not exist`);
  }
  return { ok: violations.length === 0, violations, totalsByCurrency };
}

/** Throws LedgerInvariantError listing the violations when money is not conserved. */
export function verifyConservation(snapshot: LedgerSnapshot): void {
  const report = checkLedgerInvariants(snapshot);
  if (!report.ok)
    throw new LedgerInvariantError(`ledger invariants violated: ${report.violations.join('; ')}`);
}
