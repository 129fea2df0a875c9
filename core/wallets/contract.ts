import '../config/zod-locale';
import * as z from 'zod/mini';
import { PaymentId, WalletId } from '../../events/common';
import { deferred } from '../config/deferred-schema';
import { CURRENCIES, type Currency } from '../money';

/**
 * The wallet routes' wire contract (as core/frontdoor/contract.ts is for
 * payments): handlers build these, the OpenAPI document is generated from them.
 * Amounts are integers in minor units of the wallet's currency; `exponent` says
 * where the decimal point goes.
 */

export const CurrencyCode = deferred(() =>
  z.enum(CURRENCIES as [Currency, ...Currency[]], 'currency must be a supported ISO 4217 code'),
);

/** POST /v1/wallets body: the wallet's id (or the server makes one, `wal_...`) and its currency. */
export const OpenWalletBody = deferred(() =>
  z.strictObject({
    walletId: z.optional(WalletId),
    currency: CurrencyCode,
  }),
);
export type OpenWalletBody = z.infer<typeof OpenWalletBody>;

/** The Idempotency-Key of POST /v1/wallets: the same alphabet as a paymentId. */
export const WalletIdempotencyKey = PaymentId;

export const WalletOpenedResponse = deferred(() =>
  z.strictObject({
    walletId: z.string(),
    currency: z.string(),
    exponent: z.number().check(z.int()),
    openedAt: z.string(),
    /** Where to read it: GET /v1/wallets/{walletId}. */
    walletUrl: z.string(),
  }),
);
export type WalletOpenedResponse = z.infer<typeof WalletOpenedResponse>;

export const OpenHold = deferred(() =>
  z.strictObject({
    paymentId: z.string(),
    amount: z.number().check(z.int()),
    reservedAt: z.string(),
    expiresAt: z.string(),
  }),
);
export type OpenHold = z.infer<typeof OpenHold>;

export const WalletResponse = deferred(() =>
  z.strictObject({
    walletId: z.string(),
    currency: z.string(),
    exponent: z.number().check(z.int()),
    /** Spendable now, in minor units. */
    available: z.number().check(z.int()),
    /** On open holds (payments reserved, not yet settled or released), in minor units. */
    held: z.number().check(z.int()),
    /** When this balance was read (a consistent read of the wallet). */
    asOf: z.string(),
    openedAt: z.string(),
    holds: z.array(OpenHold),
  }),
);
export type WalletResponse = z.infer<typeof WalletResponse>;

export const STATEMENT_LINE_TYPES = [
  'top_up',
  'payment',
  'release',
  'refund',
  'expire',
  'adjustment',
] as const;
export type StatementLineType = (typeof STATEMENT_LINE_TYPES)[number];

export const StatementLine = deferred(() =>
  z.strictObject({
    entryId: z.string(),
    type: z.enum(STATEMENT_LINE_TYPES),
    /** Signed minor units: what the line did to the wallet's available balance. */
    amount: z.number().check(z.int()),
    /** The available balance right after this line. */
    balanceAfter: z.number().check(z.int()),
    paymentId: z.optional(z.string()),
    topUpId: z.optional(z.string()),
    adjustmentId: z.optional(z.string()),
    at: z.string(),
  }),
);
export type StatementLine = z.infer<typeof StatementLine>;

export const StatementResponse = deferred(() =>
  z.strictObject({
    walletId: z.string(),
    currency: z.string(),
    exponent: z.number().check(z.int()),
    /** Newest first. */
    lines: z.array(StatementLine),
    /** Pass as `cursor` for the next (older) page; absent on the last page. */
    nextCursor: z.optional(z.string()),
  }),
);
export type StatementResponse = z.infer<typeof StatementResponse>;

export const STATEMENT_DEFAULT_LIMIT = 50;
export const STATEMENT_MAX_LIMIT = 200;
