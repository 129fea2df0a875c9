import { z } from 'zod';
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
 * PaymentRequested v1 — what upstream systems put on the bus.
 * Strict: an unknown field is an error, so a typo never silently drops data.
 */
export const PaymentRequestedV1 = z.strictObject({
  schemaVersion: SchemaVersion,
  paymentId: PaymentId,
  walletId: WalletId,
  merchantId: MerchantId,
  amount: Amount,
  paymentMethod: PaymentMethod,
  description: FreeText(500).optional(),
  metadata: Metadata.optional(),
  requestedAt: IsoDateTime,
});

export type PaymentRequested = z.infer<typeof PaymentRequestedV1>;
