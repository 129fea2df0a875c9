import '../core/config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../core/config/deferred-schema';
import {
  Amount,
  FreeText,
  IsoDateTime,
  MerchantId,
  Metadata,
  PaymentId,
  PaymentMethod,
  SchemaVersion,
  WalletId,
} from './common';

/**
 * Where the money comes from (wallet first, as a PayPal balance with a backup funding source):
 * - `wallet_then_method` (the default when absent): the wallet's available balance first, up to the
 *   amount; `paymentMethod` is charged at the gateway for the rest only (not at all when the wallet covers it);
 * - `wallet_only`: the wallet alone; a short balance fails at Reserve (insufficient_funds) and
 *   `paymentMethod` is never charged (v1 still requires one: it stays the payer's backup on record).
 * Optional, so every v1 event written before it stays valid and means wallet first.
 */
export const Funding = deferred(() => z.enum(['wallet_then_method', 'wallet_only']));
export type Funding = z.infer<typeof Funding>;

/**
 * PaymentRequested v1 — what upstream systems put on the bus.
 * Strict: an unknown field is an error, so a typo never silently drops data.
 */
export const PaymentRequestedV1 = deferred(() =>
  z.strictObject({
    schemaVersion: SchemaVersion,
    paymentId: PaymentId,
    walletId: WalletId,
    merchantId: MerchantId,
    amount: Amount,
    paymentMethod: PaymentMethod,
    funding: z.optional(Funding),
    description: z.optional(FreeText(500)),
    metadata: z.optional(Metadata),
    requestedAt: IsoDateTime,
  }),
);

export type PaymentRequested = z.infer<typeof PaymentRequestedV1>;
