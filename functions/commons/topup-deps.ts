import { required } from '../../core/config/env';
import { type OpContext, opContext } from '../../core/ledger/ops/context';
import { deposit } from '../../core/ledger/ops/credit';
import { depositEntries, type LedgerTable, walletOf } from '../../core/ledger/reads';
import type { TopUpGatewayStepDeps, TopUpStepDeps } from '../../core/topups/steps';
import { TopUpStore } from '../../core/topups/store';
import { documentClient } from './clients/dynamodb';
import { env } from './env';

let store: TopUpStore | undefined;
let table: LedgerTable | undefined;
let context: OpContext | undefined;
let gatewayDeps: TopUpGatewayStepDeps | undefined;
let deps: TopUpStepDeps | undefined;

/** The top-up records (payments table) alone: RecordOutcome and the front door need no ledger. */
export function topUpStore(): TopUpStore {
  store ??= new TopUpStore(documentClient, required(env, 'paymentsTable'));
  return store;
}

function ledgerTable(): LedgerTable {
  table ??= { doc: documentClient, tableName: required(env, 'ledgerTable') };
  return table;
}

/**
 * Charge and RefundCharge: the wallet and deposit reads (core/ledger/reads.ts, as LedgerReader answers
 * them) and the top-up store, no ledger write. Each step binds only what it calls (the Ledger and
 * LedgerReader classes would bring every operation and query into each bundle: issue 18 goal 1, bundles).
 */
export function topUpGatewayStepDeps(): TopUpGatewayStepDeps {
  if (gatewayDeps) return gatewayDeps;
  // Required before the step calls the gateway: a missing LEDGER_TABLE fails the step at its start.
  const table = ledgerTable();
  gatewayDeps = {
    ledgerReader: {
      getWallet: (walletId) => walletOf(table, walletId),
      listDepositEntries: (depositId) => depositEntries(table, depositId),
    },
    topUps: topUpStore(),
    now: () => new Date(),
  };
  return gatewayDeps;
}

/** Credit: the above and the deposit, the same operation the Ledger facade calls with the same arguments. */
export function topUpStepDeps(): TopUpStepDeps {
  if (deps) return deps;
  context ??= opContext(ledgerTable());
  const ctx = context;
  deps = {
    ...topUpGatewayStepDeps(),
    ledger: {
      deposit: (walletId, amount, depositId) => deposit(ctx, { walletId, amount, depositId }),
    },
  };
  return deps;
}
