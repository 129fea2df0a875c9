import '../config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../config/deferred-schema';
import { InvalidPaymentError } from '../errors';
import { CURRENCIES, type Currency } from '../money';
import { normaliseInstant } from './expiry';

/** Input validation at the ledger's boundary: a bad call is an InvalidPaymentError saying which field. */

// Same alphabet as the event contracts; ":" is excluded from ids so `deposit:<id>` refs never collide.
const Id = (what: string) =>
  z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, `${what} must be 1-64 letters, digits, "-" or "_"`));
const AccountId = (what: string) =>
  z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,63}$/, `${what} must be 1-64 safe characters`));

const MinorUnits = deferred(() =>
  z.int('amount must be an integer number of minor units').check(z.positive('amount must be > 0')),
);

/** A bare number of minor units (in the wallet's currency) or a Money-like {value, currency}. */
export const AmountInput = deferred(() =>
  z.union([
    MinorUnits,
    z.object({ value: MinorUnits, currency: z.enum(CURRENCIES as [Currency, ...Currency[]]) }),
  ]),
);
export type AmountInput = z.input<typeof AmountInput>;

const Instant = deferred(() =>
  z.pipe(
    z.union([z.string(), z.date()]),
    z.transform((value, ctx) => {
      const iso = normaliseInstant(value);
      if (!iso) {
        ctx.issues.push({ input: ctx.value, code: 'custom', message: 'must be an ISO-8601 date-time' });
        return z.NEVER;
      }
      return iso;
    }),
  ),
);

export const PaymentIdInput = deferred(() => Id('paymentId'));
export const WalletIdInput = deferred(() => AccountId('walletId'));
export const MerchantIdInput = deferred(() => AccountId('merchantId'));
export const DepositIdInput = deferred(() => Id('depositId'));
export const CurrencyInput = deferred(() =>
  z.enum(CURRENCIES as [Currency, ...Currency[]], 'currency must be ISO 4217'),
);

export const ReserveInput = deferred(() =>
  z.object({
    paymentId: PaymentIdInput,
    walletId: WalletIdInput,
    amount: AmountInput,
    expiresAt: Instant,
    /**
     * Wallet first with a backup payment method: hold what the available balance covers, up to `amount`
     * (0 when nothing is available: no hold). Absent or false: the whole amount or InsufficientFundsError.
     */
    upToAvailable: z.optional(z.boolean()),
    /**
     * With upToAvailable: what the hold leaves for the payment method must be 0, or at least `minimum` and a
     * multiple of `multipleOf` (the gateway's minimum charge and amount step, in minor units): the hold is
     * then less than available so the rest can be charged; an amount no rest can satisfy is
     * InsufficientFundsError unless the wallet covers it all.
     */
    restRule: z.optional(
      z.object({ minimum: z.int().check(z.nonnegative()), multipleOf: z.int().check(z.positive()) }),
    ),
  }),
);
export type ReserveInput = z.input<typeof ReserveInput>;

export const SettleInput = deferred(() =>
  z.object({
    paymentId: PaymentIdInput,
    walletId: WalletIdInput,
    merchantId: MerchantIdInput,
    amount: AmountInput,
  }),
);
export type SettleInput = z.input<typeof SettleInput>;

/** A payment's card part (settle_card, refund_card): gateway <-> merchant, named after the payer's wallet. */
export const CardPartInput = deferred(() =>
  z.object({
    paymentId: PaymentIdInput,
    walletId: WalletIdInput,
    merchantId: MerchantIdInput,
    amount: z.object({ value: MinorUnits, currency: CurrencyInput }),
  }),
);
export type CardPartInput = z.input<typeof CardPartInput>;

export const ReleaseInput = deferred(() => z.object({ paymentId: PaymentIdInput, walletId: WalletIdInput }));
export type ReleaseInput = z.input<typeof ReleaseInput>;

export const RefundInput = deferred(() =>
  z.object({
    paymentId: PaymentIdInput,
    walletId: WalletIdInput,
    /** Defaults to the whole captured amount. */
    amount: z.optional(AmountInput),
    /** The gateway's refund id, kept with the ledger record. */
    refundId: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  }),
);
export type RefundInput = z.input<typeof RefundInput>;

export const DepositInput = deferred(() =>
  z.object({
    walletId: WalletIdInput,
    amount: AmountInput,
    depositId: DepositIdInput,
  }),
);
const SignedMinorUnits = deferred(() =>
  z
    .int('amount must be an integer number of minor units')
    .check(z.refine((value) => value !== 0, 'amount must not be 0')),
);

export const AdjustInput = deferred(() =>
  z.object({
    walletId: WalletIdInput,
    /** > 0 credits the wallet, < 0 debits it. */
    amount: z.union([
      SignedMinorUnits,
      z.object({ value: SignedMinorUnits, currency: z.enum(CURRENCIES as [Currency, ...Currency[]]) }),
    ]),
    adjustmentId: Id('adjustmentId'),
    reason: z.string().check(z.trim(), z.minLength(1, 'reason is required'), z.maxLength(500)),
  }),
);
export type AdjustInput = z.input<typeof AdjustInput>;

export const OpenWalletInput = deferred(() => z.object({ walletId: WalletIdInput, currency: CurrencyInput }));

/** Parses or throws InvalidPaymentError naming the operation and the bad fields (never echoing values). */
export function parseInput<T extends z.ZodMiniType>(
  operation: string,
  schema: T,
  input: unknown,
): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidPaymentError(`${operation}: invalid input: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

type AnyAmount = number | { value: number; currency: Currency };

export function minorUnitsOf(amount: AnyAmount): number {
  return typeof amount === 'number' ? amount : amount.value;
}

export function currencyOf(amount: AnyAmount): Currency | undefined {
  return typeof amount === 'number' ? undefined : amount.currency;
}
