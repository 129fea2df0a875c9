import { InvalidPaymentError, LedgerInvariantError } from '../errors';
import { chargeLookupOptions, settledCharge } from '../gateway/charge-lookup';
import type { PaymentGateway } from '../gateway/port';
import type { Ledger, LedgerReader } from '../ledger';
import { money } from '../money';
import { GATEWAY_IDEMPOTENCY_WINDOW_MS } from '../saga/steps';
import { gatewayRefOf } from './keys';
import type {
  CreditInput,
  CreditOutput,
  TopUpChargeInput,
  TopUpChargeOutput,
  TopUpRefundInput,
  TopUpRefundOutput,
} from './state';
import type { TopUpStore } from './store';

/**
 * The top-up saga's steps as plain functions over ports. Each is safe to run
 * again with the same input: the gateway is idempotent per `topup:<topUpId>`
 * (charge) and `refund:topup:<topUpId>` (refund), the ledger per depositId
 * (= topUpId).
 */
export interface TopUpStepDeps {
  readonly ledger: Pick<Ledger, 'deposit'>;
  readonly ledgerReader: Pick<LedgerReader, 'getWallet' | 'listDepositEntries'>;
  readonly topUps: Pick<TopUpStore, 'get' | 'open' | 'advance'>;
  readonly now: () => Date;
}

/** What Charge and RefundCharge use: no ledger write (functions/commons/topup-deps.ts binds no deposit for them). */
export type TopUpGatewayStepDeps = Omit<TopUpStepDeps, 'ledger'>;

type WithGateway = TopUpGatewayStepDeps & {
  readonly gateway: Pick<PaymentGateway, 'charge' | 'refund' | 'findChargeByPaymentId'>;
};

const moneyOf = (topUp: TopUpChargeInput['topUp']) => money(topUp.amount.value, topUp.amount.currency);

/** Refuses, before anything is charged, a top-up that no credit could follow (no wallet, another currency). */
async function requireCreditableWallet(
  deps: Pick<TopUpStepDeps, 'ledgerReader'>,
  topUp: TopUpChargeInput['topUp'],
) {
  const wallet = await deps.ledgerReader.getWallet(topUp.walletId);
  if (!wallet) throw new InvalidPaymentError(`wallet ${topUp.walletId} does not exist`);
  if (wallet.currency !== topUp.amount.currency) {
    throw new InvalidPaymentError(
      `wallet ${topUp.walletId} holds ${wallet.currency}; a top-up in ${topUp.amount.currency} cannot credit it`,
    );
  }
}

/** Charge: charges the payment method once, Idempotency-Key `topup:<topUpId>`. */
export async function chargeTopUp(deps: WithGateway, input: TopUpChargeInput): Promise<TopUpChargeOutput> {
  const { topUp } = input;
  const ref = gatewayRefOf(topUp.topUpId);
  const known = await deps.topUps.get(topUp.topUpId);
  const attemptedAt = known?.chargeAttemptedAt ? Date.parse(known.chargeAttemptedAt) : undefined;
  await deps.topUps.open(topUp, input.executionArn, deps.now());
  if (attemptedAt !== undefined && deps.now().getTime() - attemptedAt > GATEWAY_IDEMPOTENCY_WINDOW_MS) {
    // The gateway forgot the key: find a charge an earlier attempt made instead of charging again.
    const found = await deps.gateway.findChargeByPaymentId(ref);
    if (found) {
      const earlier = settledCharge(found, `charge ${ref}`);
      await deps.topUps.advance(topUp.topUpId, 'CHARGED', { chargeId: earlier.chargeId }, deps.now());
      return {
        chargeId: earlier.chargeId,
        status: earlier.status,
        created: earlier.created,
        recovered: true,
      };
    }
  }
  if (attemptedAt === undefined) await requireCreditableWallet(deps, topUp);
  const charge = await deps.gateway.charge({
    paymentId: ref,
    amount: moneyOf(topUp),
    paymentMethod: topUp.paymentMethod,
    description: `top-up of wallet ${topUp.walletId}`,
    metadata: { ...topUp.metadata, kind: 'top-up', topUpId: topUp.topUpId, walletId: topUp.walletId },
  });
  await deps.topUps.advance(topUp.topUpId, 'CHARGED', { chargeId: charge.chargeId }, deps.now());
  return { chargeId: charge.chargeId, status: charge.status, created: charge.created };
}

/** Credit: deposits the charged amount into the wallet, depositId = topUpId (once, whatever the retries). */
export async function creditTopUp(deps: TopUpStepDeps, input: CreditInput): Promise<CreditOutput> {
  const { topUp } = input;
  const deposit = await deps.ledger.deposit(topUp.walletId, moneyOf(topUp), topUp.topUpId);
  await deps.topUps.advance(topUp.topUpId, 'SUCCEEDED', {}, deps.now());
  return {
    depositId: deposit.depositId,
    amount: deposit.amount,
    currency: deposit.currency,
    replayed: deposit.replayed,
  };
}

/** Where the gateway lists or searches the top-up's charge (core/gateway/charge-lookup.ts). */
async function lookupOf(deps: Pick<TopUpStepDeps, 'topUps' | 'now'>, topUp: TopUpRefundInput['topUp']) {
  const known = await deps.topUps.get(topUp.topUpId);
  return chargeLookupOptions(
    { first: known?.chargeAttemptedAt, latest: known?.lastChargeAttemptedAt },
    deps.now(),
  );
}

/**
 * RefundCharge (compensation of a Charge or Credit that failed for good): refunds the charge, key
 * `refund:topup:<topUpId>`. After a Charge error the saga holds no charge id, yet the card may have been
 * charged (an earlier attempt, a request still running, a recovery that found two): the gateway is asked.
 * None: nothing to refund. One: refunded. Several: findChargeByPaymentId throws LedgerInvariantError, which
 * no Retry takes, so the saga parks in the compensation DLQ (NEEDS_ATTENTION), never FAILED with charges
 * standing. Money the wallet did receive is never refunded: a deposit found for this top-up is a
 * contradiction for a person.
 */
export async function refundTopUp(deps: WithGateway, input: TopUpRefundInput): Promise<TopUpRefundOutput> {
  const { topUp } = input;
  // The wallet's marker, or the journal entry (a compacted wallet no longer carries old markers).
  const wallet = await deps.ledgerReader.getWallet(topUp.walletId);
  const journal = await deps.ledgerReader.listDepositEntries(topUp.topUpId);
  if (wallet?.deposits[topUp.topUpId] || journal.length > 0) {
    throw new LedgerInvariantError(
      `top-up ${topUp.topUpId} was credited to wallet ${topUp.walletId}; its charge is not refunded`,
    );
  }
  const ref = gatewayRefOf(topUp.topUpId);
  const charge =
    input.saga.charge ?? (await deps.gateway.findChargeByPaymentId(ref, await lookupOf(deps, topUp)));
  if (!charge) return { status: 'nothing_charged' };
  const refund = await deps.gateway.refund({
    paymentId: ref,
    chargeId: charge.chargeId,
    amount: moneyOf(topUp),
  });
  return { refundId: refund.refundId, status: refund.status };
}
