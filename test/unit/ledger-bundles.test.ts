import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../core/config/names';
import { bundledFilesUnder } from '../helpers/function-bundles';

// Issue 18 goal 1 (bundles): a class's methods cannot be tree-shaken, so an entry that constructs the
// Ledger (or gets it through functions/commons/deps.ts's stepDeps()) bundles every ledger operation and
// LedgerReader query (~35 KB). The saga steps that call no ledger operation, Charge and RecordOutcome,
// get the payments log and the clock only (core/saga/steps.ts ChargeDeps): at d934788 both bundled the
// whole ledger (charge 221.8 KB, recordOutcome 207.2 KB). The wallet API's write function opens wallets
// only: it binds openWallet and the wallet read (136.5 KB at d934788). The steps that do call the ledger
// bind only their own operations (functions/commons/deps.ts over core/ledger/ops/*): at fd88e04 Reserve,
// Settle, ReleaseFunds and RefundCharge each bundled the Ledger class, so every operation and query.

/** The core/ledger files of operation and query code (the rest: schemas, keys, model). */
const OPERATION_FILES = [
  'ledger.ts',
  'store.ts',
  'store-holds.ts',
  'store-credits.ts',
  'store-journal.ts',
  'reads.ts',
  'postings.ts',
  'ops/context.ts',
  'ops/reserve.ts',
  'ops/post.ts',
  'ops/void.ts',
  'ops/card.ts',
  'ops/credit.ts',
  'ops/open.ts',
];

/** The core/ledger files that put code into each entry's bundle (packages left out: only our code counts). */
const ledgerFilesByEntry = (entries: Record<string, string>) => bundledFilesUnder('core/ledger/', entries);

describe('the ledger code each saga step bundles', () => {
  let files: Record<string, string[]>;
  beforeAll(async () => {
    files = await ledgerFilesByEntry({
      charge: FUNCTIONS.charge.entry,
      recordOutcome: FUNCTIONS.recordOutcome.entry,
      reserve: FUNCTIONS.reserve.entry,
      settle: FUNCTIONS.settle.entry,
      releaseFunds: FUNCTIONS.releaseFunds.entry,
      refundCharge: FUNCTIONS.refundCharge.entry,
      refundReserve: FUNCTIONS.refundReserve.entry,
      refundAtGateway: FUNCTIONS.refundAtGateway.entry,
      refundPostReversal: FUNCTIONS.refundPostReversal.entry,
      refundRelease: FUNCTIONS.refundRelease.entry,
      topUpCharge: FUNCTIONS.topUpCharge.entry,
      topUpCredit: FUNCTIONS.topUpCredit.entry,
      topUpRefund: FUNCTIONS.topUpRefund.entry,
      apiWalletsWrite: FUNCTIONS.apiWalletsWrite.entry,
    });
  }, 60_000);

  it('Charge and RecordOutcome, which call no ledger operation, bundle none, nor the Ledger or LedgerReader class', () => {
    // Act
    const { charge, recordOutcome } = files;

    // Assess: the files that hold the operations, the store's writes and the reads; nor the barrels'
    // other modules (reader.ts, ops/refund-part.ts).
    const operational = (list: string[] | undefined) =>
      (list ?? []).filter((file) => [...OPERATION_FILES, 'reader.ts', 'ops/refund-part.ts'].includes(file));
    expect(operational(charge)).toEqual([]);
    expect(operational(recordOutcome)).toEqual([]);
  });

  it('Reserve, Settle, ReleaseFunds and RefundCharge bundle only the operations they call, not the Ledger or LedgerReader class', () => {
    // Act
    const { reserve, settle, releaseFunds, refundCharge } = files;

    // Assess: Reserve places and voids holds (reserve, release); Settle posts them (settle, settleCard),
    // so it holds none of Reserve's placeHold; the compensations refund, refund the card part and
    // release (core/saga/steps.ts CompensationDeps).
    const facades = ['ledger.ts', 'reader.ts', 'ops/refund-part.ts', 'ops/credit.ts', 'ops/open.ts'];
    const held = (list: string[] | undefined, unwanted: string[]) =>
      (list ?? []).filter((file) => unwanted.includes(file));
    expect(held(reserve, [...facades, 'ops/post.ts', 'ops/card.ts', 'store-credits.ts'])).toEqual([]);
    expect(held(settle, [...facades, 'ops/reserve.ts', 'ops/void.ts', 'store-credits.ts'])).toEqual([]);
    expect(held(releaseFunds, [...facades, 'ops/reserve.ts'])).toEqual([]);
    expect(held(refundCharge, [...facades, 'ops/reserve.ts'])).toEqual([]);
    expect(settle).toEqual(expect.arrayContaining(['ops/post.ts', 'ops/card.ts']));
    expect(releaseFunds).toEqual(expect.arrayContaining(['ops/void.ts', 'ops/post.ts', 'reads.ts']));
  });

  it("the wallet API's write function bundles openWallet and the wallet read alone, not the Ledger class", () => {
    // Act
    const { apiWalletsWrite } = files;

    // Assess: what opening a wallet needs (the store, its journal side, the read, the context) and no more.
    const needed = ['store.ts', 'store-journal.ts', 'reads.ts', 'ops/context.ts', 'ops/open.ts'];
    const operational = (apiWalletsWrite ?? []).filter((file) => OPERATION_FILES.includes(file));
    expect(operational.filter((file) => !needed.includes(file))).toEqual([]);
    expect(apiWalletsWrite).toContain('ops/open.ts');
  });

  it('the top-up steps: Charge and RefundCharge read the wallet and its deposits only, Credit adds the deposit alone', () => {
    // Act
    const { topUpCharge, topUpCredit, topUpRefund } = files;

    // Assess
    const writes = OPERATION_FILES.filter((file) => file !== 'reads.ts');
    const written = (list: string[] | undefined, allowed: string[]) =>
      (list ?? []).filter((file) => [...writes, 'reader.ts'].includes(file) && !allowed.includes(file));
    expect(written(topUpCharge, [])).toEqual([]);
    expect(written(topUpRefund, [])).toEqual([]);
    expect(
      written(topUpCredit, [
        'ops/credit.ts',
        'ops/context.ts',
        'store.ts',
        'store-journal.ts',
        'store-credits.ts',
        'postings.ts',
      ]),
    ).toEqual([]);
    expect(topUpCredit).toContain('ops/credit.ts');
    expect(topUpCharge).toContain('reads.ts');
  });

  it('the refund steps: only PostReversal posts, with the refund part operation alone', () => {
    // Act
    const { refundReserve, refundAtGateway, refundPostReversal, refundRelease } = files;

    // Assess
    const operational = (list: string[] | undefined) =>
      (list ?? []).filter((file) => [...OPERATION_FILES, 'reader.ts'].includes(file));
    expect(operational(refundReserve)).toEqual([]);
    expect(operational(refundAtGateway)).toEqual([]);
    expect(operational(refundRelease)).toEqual([]);
    const posting = [
      'ops/context.ts',
      'store.ts',
      'store-journal.ts',
      'store-credits.ts',
      'reads.ts',
      'postings.ts',
    ];
    expect(operational(refundPostReversal).filter((file) => !posting.includes(file))).toEqual([]);
    expect(refundPostReversal).toContain('ops/refund-part.ts');
  });

  it('Reserve still bundles its operation (the guards above would pass on an empty list otherwise)', () => {
    // Act
    const { reserve } = files;

    // Assess
    expect(reserve).toEqual(expect.arrayContaining(['ops/reserve.ts', 'ops/void.ts', 'store-holds.ts']));
  });
});
