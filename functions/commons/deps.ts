import { required } from '../../core/config/env';
import { refundCard, settleCard } from '../../core/ledger/ops/card';
import { type OpContext, opContext } from '../../core/ledger/ops/context';
import { refund, settle } from '../../core/ledger/ops/post';
import { reserve } from '../../core/ledger/ops/reserve';
import { release } from '../../core/ledger/ops/void';
import { holdOf, type LedgerTable } from '../../core/ledger/reads';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import type { CompensationDeps, ReserveDeps, SettleDeps } from '../../core/saga/steps';
import { documentClient } from './clients/dynamodb';
import { env } from './env';
import { observer } from './metrics';

let payments: DynamoPaymentLog | undefined;
let table: LedgerTable | undefined;
let context: OpContext | undefined;

/** The payments log alone (every step records its timeline; not every step touches the ledger). */
export function paymentLog(): DynamoPaymentLog {
  payments ??= new DynamoPaymentLog(documentClient, required(env, 'paymentsTable'), undefined, observer);
  return payments;
}

/**
 * The ledger table, and the context its operations run over, once per cold start. The operations come from
 * their own files (core/ledger/operations.ts lists them), not the barrels: no other ledger module's
 * top-level code comes along.
 */
function ledgerTable(): LedgerTable {
  table ??= { doc: documentClient, tableName: required(env, 'ledgerTable') };
  return table;
}
function ledger(): OpContext {
  context ??= opContext(ledgerTable());
  return context;
}

/*
 * The ledger table's name is required when a step's deps are built, before the step writes anything (a
 * function deployed without LEDGER_TABLE fails at its start, not between a gateway call and its entry).
 * Each step binds only the ledger operations it calls (the Ledger class would bring every operation and
 * LedgerReader query into each bundle: issue 18 goal 1, bundles); they are the functions the Ledger facade
 * calls with the same arguments, so every write, condition and key is the same.
 */

let reserveDeps: ReserveDeps | undefined;
/** Reserve: reserve, and release to void a hold it cannot record. */
export function reserveStepDeps(): ReserveDeps {
  if (reserveDeps) return reserveDeps;
  const ctx = ledger();
  reserveDeps = {
    ledger: {
      reserve: (request) => reserve(ctx, request),
      release: (request) => release(ctx, request),
    },
    payments: paymentLog(),
    now: () => new Date(),
    holdTtlSeconds: env.holdTtlSeconds,
  };
  return reserveDeps;
}

let settleDeps: SettleDeps | undefined;
/** Settle: the wallet part's post and the card part's entry. */
export function settleStepDeps(): SettleDeps {
  if (settleDeps) return settleDeps;
  const ctx = ledger();
  settleDeps = {
    ledger: {
      settle: (request) => settle(ctx, request),
      settleCard: (request) => settleCard(ctx, request),
    },
    payments: paymentLog(),
    now: () => new Date(),
    holdTtlSeconds: env.holdTtlSeconds,
  };
  return settleDeps;
}

let compensationDeps: CompensationDeps | undefined;
/** ReleaseFunds and RefundCharge: refund, refundCard, release and the hold's read (as payctl's resolve binds them). */
export function compensationStepDeps(): CompensationDeps {
  if (compensationDeps) return compensationDeps;
  const ctx = ledger();
  const table = ledgerTable();
  compensationDeps = {
    ledger: {
      refund: (request) => refund(ctx, request),
      refundCard: (request) => refundCard(ctx, request),
      release: (request) => release(ctx, request),
    },
    ledgerReader: { holdOf: (walletId, paymentId) => holdOf(table, walletId, paymentId) },
    payments: paymentLog(),
    now: () => new Date(),
    holdTtlSeconds: env.holdTtlSeconds,
  };
  return compensationDeps;
}
