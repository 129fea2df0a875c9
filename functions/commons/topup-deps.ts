import { required } from '../../core/config/env';
import { Ledger, LedgerReader } from '../../core/ledger';
import type { TopUpStepDeps } from '../../core/topups/steps';
import { TopUpStore } from '../../core/topups/store';
import { documentClient } from './clients/dynamodb';
import { env } from './env';

let deps: TopUpStepDeps | undefined;
let store: TopUpStore | undefined;

/** The top-up records (payments table) alone: RecordOutcome and the front door need no ledger. */
export function topUpStore(): TopUpStore {
  store ??= new TopUpStore(documentClient, required(env, 'paymentsTable'));
  return store;
}

/** Ledger and top-up store adapters, built once per cold start from the environment. */
export function topUpStepDeps(): TopUpStepDeps {
  if (!deps) {
    const ledgerTable = required(env, 'ledgerTable');
    deps = {
      ledger: new Ledger({ doc: documentClient, tableName: ledgerTable }),
      ledgerReader: new LedgerReader(documentClient, ledgerTable),
      topUps: topUpStore(),
      now: () => new Date(),
    };
  }
  return deps;
}
