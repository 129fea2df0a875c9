import { isUnexpected, LedgerInvariantError } from '../errors';
import { chargeLookupOptions, settledCharge } from '../gateway/charge-lookup';
import type { FindChargeOptions, PaymentGateway } from '../gateway/port';
import { fromStripeAmount, STRIPE_CURRENCY_RULES } from '../gateway/stripe-units';
import type { Ledger, LedgerReader } from '../ledger';
import { type Currency, money } from '../money';
import type { PaymentLog, PaymentView } from './ports';
import type {
  ChargeInput,
  ChargeOutput,
  RefundChargeInput,
  RefundOutput,
  ReleaseFundsInput,
  ReleaseOutput,
  ReserveInput,
  ReserveOutput,
  SettleInput,
  SettleOutput,
} from './state';
import { gatewayPartOf } from './state';

/**
 * The saga's steps as plain functions over ports. Each is safe to run again
 * with the same input: the ledger and the gateway are idempotent per
 * (paymentId, operation), so a retry after a crash completes or replays.
 */
export interface StepDeps {
  readonly ledger: Ledger;
  readonly ledgerReader: LedgerReader;
  readonly payments: PaymentLog;
  readonly now: () => Date;
  /** Seconds a hold lives; longer than Step Functions' 14-day redrive window. */
  readonly holdTtlSeconds: number;
}

/**
 * What Charge uses: the payments log, the clock and the gateway, no ledger (functions/charge.ts binds only
 * these, so its bundle holds no ledger operation).
 */
export type ChargeDeps = Pick<StepDeps, 'payments' | 'now'> & { readonly gateway: PaymentGateway };

/**
 * What RefundCharge and ReleaseFunds use of the ledger: payctl's resolve binds only these operations
 * and reads (core/ledger/operations.ts, reads.ts), so the console's act bundle holds neither Reserve
 * nor Settle nor LedgerReader's queries.
 */
export type CompensationDeps = Omit<StepDeps, 'ledger' | 'ledgerReader'> & {
  readonly ledger: Pick<Ledger, 'refund' | 'refundCard' | 'release'>;
  readonly ledgerReader: Pick<LedgerReader, 'holdOf'>;
};

/**
 * What Reserve uses of the ledger: reserve and, to void a hold it cannot record, release
 * (functions/commons/deps.ts binds only these, so its bundle holds neither Settle nor LedgerReader).
 */
export type ReserveDeps = Omit<StepDeps, 'ledger' | 'ledgerReader'> & {
  readonly ledger: Pick<Ledger, 'reserve' | 'release'>;
};

/** What Settle uses of the ledger: the wallet part's post and the card part's entry. */
export type SettleDeps = Omit<StepDeps, 'ledger' | 'ledgerReader'> & {
  readonly ledger: Pick<Ledger, 'settle' | 'settleCard'>;
};

/**
 * Stripe keeps idempotency keys for 24 hours. A charge retried later than that
 * (a redrive days after an ambiguous timeout) asks the gateway first, so a
 * charge that did happen is found instead of made twice.
 */
export const GATEWAY_IDEMPOTENCY_WINDOW_MS = 23 * 3600 * 1000;

/**
 * Reserve, wallet first: holds what the wallet's available balance covers, up to the amount, and leaves
 * the rest to the payment method (the ledger decides the split in one conditional write). A wallet-only
 * payment (`funding: "wallet_only"`) holds the whole amount or fails with InsufficientFundsError. The split
 * is recorded with RESERVED (walletAmount, gatewayAmount); a retry reads it back and holds exactly that
 * part again, so every attempt answers the same split even after the balance changed.
 */
export async function reserveFunds(deps: ReserveDeps, input: ReserveInput): Promise<ReserveOutput> {
  const { payment, executionArn } = input;
  await deps.payments.open(payment, executionArn);
  const total = payment.amount.value;
  const recorded = (await deps.payments.get(payment.paymentId))?.walletAmount;
  const expiresAt = new Date(deps.now().getTime() + deps.holdTtlSeconds * 1000).toISOString();
  const hold =
    recorded === 0
      ? undefined
      : await deps.ledger.reserve({
          paymentId: payment.paymentId,
          walletId: payment.walletId,
          amount: money(recorded ?? total, payment.amount.currency),
          expiresAt,
          ...(recorded === undefined &&
            payment.funding !== 'wallet_only' && {
              upToAvailable: true,
              restRule: cardPartRule(payment.amount.currency),
            }),
        });
  const walletAmount = hold?.amount ?? 0;
  const held = hold !== undefined && walletAmount > 0;
  let stored: PaymentView | undefined;
  try {
    stored = await deps.payments.advance(payment.paymentId, 'RESERVED', {
      ...(held && { holdId: hold.holdId }),
      walletAmount,
      gatewayAmount: total - walletAmount,
    });
  } catch (error) {
    // An error on neither list ends the saga at Reserve with PaymentFailed (nothing is charged yet):
    // void the hold this step just placed first, so no hold is left behind for the sweeper, unless the
    // record names it (another copy of this step recorded RESERVED with it and answered it).
    if (
      isUnexpected(error) &&
      held &&
      hold.state === 'PENDING' &&
      !(await recordNamesHold(deps, payment.paymentId))
    )
      await deps.ledger.release({ paymentId: payment.paymentId, walletId: payment.walletId });
    throw error;
  }
  // Refused as a replay: another copy of this step (Step Functions runs a Task at least once, maybe two at
  // once) recorded RESERVED first, and its split is the one decision. Hold what it names, release what it
  // does not, and answer it.
  const decided = stored?.walletAmount;
  if (decided !== undefined && decided !== walletAmount) {
    const recordedHold =
      decided > 0
        ? await deps.ledger.reserve({
            paymentId: payment.paymentId,
            walletId: payment.walletId,
            amount: money(decided, payment.amount.currency),
            expiresAt,
          })
        : undefined;
    if (decided === 0 && held)
      await deps.ledger.release({ paymentId: payment.paymentId, walletId: payment.walletId });
    return reserveAnswer(payment.walletId, payment.amount, recordedHold, expiresAt);
  }
  return reserveAnswer(
    payment.walletId,
    payment.amount,
    held ? hold : undefined,
    hold?.expiresAt ?? expiresAt,
  );
}

function reserveAnswer(
  walletId: string,
  amount: ReserveInput['payment']['amount'],
  hold: { readonly holdId: string; readonly amount: number; readonly expiresAt: string } | undefined,
  expiresAt: string,
): ReserveOutput {
  const walletAmount = hold?.amount ?? 0;
  return {
    holdId: hold?.holdId ?? '',
    walletId,
    amount: walletAmount,
    gatewayAmount: amount.value - walletAmount,
    currency: amount.currency,
    expiresAt: hold?.expiresAt ?? expiresAt,
  };
}

/** Whether the payment's record names a wallet hold (a copy recorded RESERVED with it); unreadable counts as named. */
async function recordNamesHold(deps: Pick<StepDeps, 'payments'>, paymentId: string): Promise<boolean> {
  try {
    const record = await deps.payments.get(paymentId);
    return (record?.walletAmount ?? 0) > 0;
  } catch {
    return true; // keep the hold: it expires (the sweeper), where voiding one a recorded answer names cannot be undone
  }
}

/**
 * What the card part must be for the gateway to take it, in ledger minor units: at least its minimum charge
 * (core/gateway/stripe-units.ts) and a multiple of its amount step (three-decimal currencies: 0.010).
 */
export function cardPartRule(currency: Currency): { minimum: number; multipleOf: number } {
  const rule = STRIPE_CURRENCY_RULES[currency];
  const ledgerUnits = (units: number): number => {
    try {
      return fromStripeAmount(units, currency, 'card part rule').value;
    } catch {
      return 1; // a step finer than one ledger unit constrains nothing
    }
  };
  return {
    minimum: rule.minimumCharge === undefined ? 0 : ledgerUnits(rule.minimumCharge),
    multipleOf: Math.max(1, ledgerUnits(rule.multipleOf)),
  };
}

/**
 * Charge: the gateway part only (what the wallet did not cover), with Idempotency-Key = paymentId.
 * When the wallet covered everything the gateway is not called: `not_needed`, chargeId ''.
 */
export async function chargePayment(deps: ChargeDeps, input: ChargeInput): Promise<ChargeOutput> {
  const { payment } = input;
  const part = gatewayPartOf(input);
  if (input.reserve.gatewayAmount === undefined) await refuseEarlierCharge(deps, payment.paymentId);
  // Without a call or a write (chargeNeedsNoGateway): such an attempt runs without an idempotency record.
  if (part === 0) return { chargeId: '', status: 'not_needed', created: deps.now().toISOString(), amount: 0 };
  const known = await deps.payments.get(payment.paymentId);
  const attemptedAt = known?.chargeAttemptedAt ? Date.parse(known.chargeAttemptedAt) : undefined;
  if (attemptedAt !== undefined && deps.now().getTime() - attemptedAt > GATEWAY_IDEMPOTENCY_WINDOW_MS) {
    const found = await deps.gateway.findChargeByPaymentId(payment.paymentId);
    if (found) {
      // Settle credits the card part: an earlier charge of any other amount cannot be booked as this one.
      if (found.amount.value !== part) {
        throw new LedgerInvariantError(
          `payment ${payment.paymentId}: the gateway holds charge ${found.chargeId} of ${found.amount.value}, the card part is ${part}`,
        );
      }
      const earlier = settledCharge(found, `charge ${payment.paymentId}`);
      await deps.payments.advance(payment.paymentId, 'CHARGED', { chargeId: earlier.chargeId });
      return {
        chargeId: earlier.chargeId,
        status: earlier.status,
        created: earlier.created,
        amount: found.amount.value,
        recovered: true,
      };
    }
  }
  // The first attempt dates the idempotency key; the latest bounds where a lookup lists its charge.
  const at = deps.now().toISOString();
  await deps.payments.note(payment.paymentId, {
    ...(attemptedAt === undefined && { chargeAttemptedAt: at }),
    lastChargeAttemptedAt: at,
  });
  const charge = await deps.gateway.charge({
    paymentId: payment.paymentId,
    amount: money(part, payment.amount.currency),
    paymentMethod: payment.paymentMethod,
    ...(payment.description !== undefined && { description: payment.description }),
    metadata: { ...payment.metadata, walletId: payment.walletId, merchantId: payment.merchantId },
  });
  await deps.payments.advance(payment.paymentId, 'CHARGED', { chargeId: charge.chargeId });
  return { chargeId: charge.chargeId, status: charge.status, created: charge.created, amount: part };
}

/**
 * A saga whose Reserve ran before the wallet-first split (no gatewayAmount) held the whole amount, so its
 * gateway part reads 0 and Charge would answer not_needed; yet an attempt of the old Charge (which charged
 * the whole amount) may have charged the card before an ambiguous timeout. The gateway is asked as
 * RefundCharge asks it: a charge found is LedgerInvariantError (final: Charge's Catch runs RefundCharge,
 * which finds and refunds that charge, then ReleaseFunds; the payment ends FAILED with the reason), never
 * a wallet payment with the card charge standing unrecorded. None found: the wallet pays (not_needed).
 */
async function refuseEarlierCharge(deps: ChargeDeps, paymentId: string): Promise<void> {
  const found = await deps.gateway.findChargeByPaymentId(paymentId, await lookupOf(deps, paymentId));
  if (found) {
    throw new LedgerInvariantError(
      `payment ${paymentId}: reserved before the wallet-first split, yet the gateway holds charge ${found.chargeId} of ${found.amount.value}`,
    );
  }
}

/**
 * Settle credits the merchant with both parts: the hold posted (holds -w, merchant +w) and the card part
 * (gateway -g, merchant +g), each idempotent per (paymentId, operation) in the ledger's journal.
 */
export async function settlePayment(deps: SettleDeps, input: SettleInput): Promise<SettleOutput> {
  const { payment } = input;
  const walletPart = input.reserve.amount;
  const cardPart = gatewayPartOf(input);
  if (cardPart > 0 && input.charge.status === 'not_needed') {
    throw new LedgerInvariantError(
      `payment ${payment.paymentId}: ${cardPart} is due from the gateway but Charge made no charge`,
    );
  }
  const posted =
    walletPart > 0
      ? await deps.ledger.settle({
          paymentId: payment.paymentId,
          walletId: payment.walletId,
          merchantId: payment.merchantId,
          amount: money(walletPart, payment.amount.currency),
        })
      : undefined;
  const card =
    cardPart > 0
      ? await deps.ledger.settleCard({
          paymentId: payment.paymentId,
          walletId: payment.walletId,
          merchantId: payment.merchantId,
          amount: { value: cardPart, currency: payment.amount.currency },
        })
      : undefined;
  await deps.payments.advance(payment.paymentId, 'SUCCEEDED', {});
  return {
    captured: (posted?.captured ?? 0) + (card?.amount ?? 0),
    released: posted?.released ?? 0,
    postedAt: posted?.postedAt ?? card?.postedAt ?? deps.now().toISOString(),
    cardCaptured: card?.amount ?? 0,
  };
}

/** Where the gateway lists or searches the payment's charge (core/gateway/charge-lookup.ts). */
async function lookupOf(
  deps: Pick<StepDeps, 'payments' | 'now'>,
  paymentId: string,
): Promise<FindChargeOptions> {
  const known = await deps.payments.get(paymentId);
  return chargeLookupOptions(
    { first: known?.chargeAttemptedAt, latest: known?.lastChargeAttemptedAt },
    deps.now(),
  );
}

/**
 * Compensation for a Charge or Settle that failed for good: refund at the gateway, and reverse the ledger
 * posting too if the settlement did land before failing. After a Charge error the saga holds no charge id,
 * yet the card may have been charged (an earlier attempt, a request still running): the gateway is asked
 * for the payment's charge first. None: nothing to refund. One: refunded. Several: findChargeByPaymentId
 * throws LedgerInvariantError, which no Retry takes, so the saga parks in the compensation DLQ with the
 * hold kept and PaymentNeedsAttention, never Failed with charges standing.
 */
export async function refundCharge(
  deps: CompensationDeps & { readonly gateway: PaymentGateway },
  input: RefundChargeInput,
): Promise<RefundOutput> {
  const { payment } = input;
  const known = input.saga.charge;
  // A state from before the split (no gatewayAmount) may have charged the whole amount: ask the gateway.
  const maybeCharged = gatewayPartOf(input) > 0 || input.reserve.gatewayAmount === undefined;
  const charge =
    known?.chargeId && known.status !== 'not_needed'
      ? {
          chargeId: known.chargeId,
          amount: money(known.amount ?? payment.amount.value, payment.amount.currency),
        }
      : maybeCharged
        ? await deps.gateway.findChargeByPaymentId(payment.paymentId, await lookupOf(deps, payment.paymentId))
        : undefined;
  const refund = charge
    ? await deps.gateway.refund({
        paymentId: payment.paymentId,
        chargeId: charge.chargeId,
        amount: charge.amount,
      })
    : undefined;
  // A Settle that landed and then failed: reverse both parts it posted (wallet part, card part).
  const hold =
    input.reserve.amount > 0
      ? await deps.ledgerReader.holdOf(payment.walletId, payment.paymentId)
      : undefined;
  let ledgerReversed = false;
  if (hold && (hold.state === 'POSTED' || hold.state === 'REFUNDED')) {
    await deps.ledger.refund({
      paymentId: payment.paymentId,
      walletId: payment.walletId,
      ...(refund && { refundId: refund.refundId }),
    });
    ledgerReversed = true;
  }
  if (await deps.ledger.refundCard({ paymentId: payment.paymentId, walletId: payment.walletId }))
    ledgerReversed = true;
  if (!refund) return { status: 'nothing_charged', ledgerReversed };
  await deps.payments.note(payment.paymentId, { refundId: refund.refundId });
  return { refundId: refund.refundId, status: refund.status, ledgerReversed };
}

export async function releaseFunds(deps: CompensationDeps, input: ReleaseFundsInput): Promise<ReleaseOutput> {
  const { payment } = input;
  const released = await deps.ledger.release({ paymentId: payment.paymentId, walletId: payment.walletId });
  if (released.outcome === 'nothing_held' && input.reserve.amount > 0) {
    // The saga holds a reservation result, so a hold was placed: its absence is a ledger fault, not a no-op.
    throw new LedgerInvariantError(`hold ${input.reserve.holdId} is missing from wallet ${payment.walletId}`);
  }
  return { outcome: released.outcome, releasedAmount: released.releasedAmount };
}
