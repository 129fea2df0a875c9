import '../config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../config/deferred-schema';
import { PaymentRefundFieldsSchema } from '../refunds/record';

/**
 * Read-side schemas of the payments table (item shapes written by
 * DynamoPaymentLog and PaymentsRepository; key shapes in ./keys), so readers
 * get validated records instead of casts.
 */

export const PAYMENT_STATUSES = [
  'REQUESTED',
  'RESERVED',
  'CHARGED',
  'SUCCEEDED',
  'FAILED',
  'NEEDS_ATTENTION',
] as const;

/** How a person finished a stuck compensation: refunded (and released), released, or marked resolved elsewhere. */
export const RESOLUTION_ACTIONS = ['refund', 'release', 'mark_resolved'] as const;
export type ResolutionAction = (typeof RESOLUTION_ACTIONS)[number];
/** What the merchant was told of a resolved payment: it succeeded (the money kept) or failed (given back). */
export const RESOLUTION_OUTCOMES = ['succeeded', 'failed'] as const;
export type ResolutionOutcome = (typeof RESOLUTION_OUTCOMES)[number];

export const PaymentResolutionSchema = deferred(() =>
  z.object({
    action: z.enum(RESOLUTION_ACTIONS),
    /** Who resolved it: the caller's identity, as on the audit record. */
    by: z.string().check(z.minLength(1)),
    at: z.string().check(z.minLength(1)),
    reason: z.optional(z.string()),
    refundId: z.optional(z.string()),
    /** payment.succeeded or payment.failed was queued for the merchant; absent (older records): failed. */
    outcome: z.optional(z.enum(RESOLUTION_OUTCOMES)),
  }),
);
export type PaymentResolution = z.infer<typeof PaymentResolutionSchema>;

export const PaymentRecordSchema = deferred(() =>
  z.object({
    paymentId: z.string(),
    status: z.enum(PAYMENT_STATUSES),
    walletId: z.string(),
    merchantId: z.string(),
    amount: z.number().check(z.int()),
    currency: z.string(),
    exponent: z.number().check(z.int()),
    description: z.optional(z.string()),
    metadata: z.optional(z.record(z.string(), z.string())),
    requestedAt: z.string(),
    requestHash: z.string(),
    executionArn: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    terminalAt: z.optional(z.string()),
    holdId: z.optional(z.string()),
    /** Funds flow (wallet first): the part held from / debited to the wallet, and the part charged at the gateway. */
    walletAmount: z.optional(z.number().check(z.int())),
    gatewayAmount: z.optional(z.number().check(z.int())),
    chargeId: z.optional(z.string()),
    chargeAttemptedAt: z.optional(z.string()),
    lastChargeAttemptedAt: z.optional(z.string()),
    refundId: z.optional(z.string()),
    reasonCode: z.optional(z.string()),
    reason: z.optional(z.string()),
    failedState: z.optional(z.string()),
    compensations: z.optional(z.array(z.string())),
    /** Set once by `payctl payments resolve` (a payment left in the compensation DLQ, finished by a person). */
    resolution: z.optional(PaymentResolutionSchema),
    /** Refunds after success (core/refunds): reservations and counters, written by PaymentRefundStore. */
    ...PaymentRefundFieldsSchema.shape,
  }),
);
export type PaymentRecord = z.infer<typeof PaymentRecordSchema>;

export const StepItemSchema = deferred(() =>
  z.object({
    paymentId: z.string(),
    step: z.string(),
    outcome: z.string(),
    at: z.string(),
    detail: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
  }),
);
export type StepItem = z.infer<typeof StepItemSchema>;

export const ArchiveRecordSchema = deferred(() =>
  z.object({
    paymentId: z.string(),
    archiveId: z.string(),
    /** sha256 of the canonical JSON of `body`: a rewrite with the same body is recognised, any other refused. */
    contentHash: z.string(),
    archivedAt: z.string(),
    body: z.unknown(),
  }),
);
export type ArchiveRecord = z.infer<typeof ArchiveRecordSchema>;

export const AuditRecordSchema = deferred(() =>
  z.object({
    auditId: z.string(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    target: z.string(),
    detail: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
  }),
);
export type AuditRecord = z.infer<typeof AuditRecordSchema>;
