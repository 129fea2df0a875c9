import type * as z from 'zod/mini';
import { BatchImportedV1 } from './batch-imported.v1';
import { DETAIL_TYPES, type DetailType } from './envelope';
import { OpsActionPerformedV1 } from './ops.v1';
import {
  PaymentCompensatedV1,
  PaymentFailedV1,
  PaymentNeedsAttentionV1,
  PaymentRejectedV1,
  PaymentSucceededV1,
} from './outcomes.v1';
import { PaymentRequestedV1 } from './payment-requested.v1';
import { RefundFailedV1, RefundRejectedV1, RefundRequestedV1, RefundSucceededV1 } from './refunds.v1';
import { TopUpFailedV1, TopUpRequestedV1, TopUpSucceededV1 } from './top-ups.v1';

export * from './batch-imported.v1';
export * from './envelope';
export * from './ops.v1';
export * from './outcomes.v1';
export * from './payment-requested.v1';
export * from './refunds.v1';
export * from './top-ups.v1';

/** Every published contract, by detail type and version; JSON Schemas are generated from this. */
export const CONTRACTS: ReadonlyArray<{ detailType: DetailType; version: '1'; schema: z.ZodMiniType }> = [
  { detailType: DETAIL_TYPES.paymentRequested, version: '1', schema: PaymentRequestedV1 },
  { detailType: DETAIL_TYPES.paymentSucceeded, version: '1', schema: PaymentSucceededV1 },
  { detailType: DETAIL_TYPES.paymentFailed, version: '1', schema: PaymentFailedV1 },
  { detailType: DETAIL_TYPES.paymentCompensated, version: '1', schema: PaymentCompensatedV1 },
  { detailType: DETAIL_TYPES.paymentNeedsAttention, version: '1', schema: PaymentNeedsAttentionV1 },
  { detailType: DETAIL_TYPES.paymentRejected, version: '1', schema: PaymentRejectedV1 },
  { detailType: DETAIL_TYPES.opsActionPerformed, version: '1', schema: OpsActionPerformedV1 },
  { detailType: DETAIL_TYPES.topUpRequested, version: '1', schema: TopUpRequestedV1 },
  { detailType: DETAIL_TYPES.topUpSucceeded, version: '1', schema: TopUpSucceededV1 },
  { detailType: DETAIL_TYPES.topUpFailed, version: '1', schema: TopUpFailedV1 },
  { detailType: DETAIL_TYPES.refundRequested, version: '1', schema: RefundRequestedV1 },
  { detailType: DETAIL_TYPES.refundSucceeded, version: '1', schema: RefundSucceededV1 },
  { detailType: DETAIL_TYPES.refundFailed, version: '1', schema: RefundFailedV1 },
  { detailType: DETAIL_TYPES.refundRejected, version: '1', schema: RefundRejectedV1 },
  { detailType: DETAIL_TYPES.batchImported, version: '1', schema: BatchImportedV1 },
];
