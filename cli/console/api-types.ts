/**
 * The console's JSON API: what cli/console/server.ts answers and what the
 * browser app (console/src) renders. Types only, so the front end imports
 * them without pulling server code into the bundle. Money is always integer
 * minor units plus the currency's exponent; sums travel as decimal strings
 * because they may exceed 2^53. The operations and finance shapes are the
 * payctl functions' own (re-exported), so the console shows what the CLI prints.
 */

import type { AuditEntry } from '../../core/audit/audit-log';
import type { ReportRow, TotalRow } from '../../core/finance/report';
import type { SagaTimeline } from '../../core/history/timeline';
import type { RefundResolvePlan } from '../../core/refunds/resolve';
import type { PaymentHistory } from '../finance/history';
import type { RefundPlan } from '../ops/actions/refund-payment';
import type { DlqSummary, PeekedMessage, RedrivePlan } from '../ops/dlq';
import type { ResolvePlan } from '../ops/resolve-plan';
import type { SagaSummary } from '../ops/sagas';

export type {
  AuditEntry,
  DlqSummary,
  PaymentHistory,
  PeekedMessage,
  RedrivePlan,
  RefundPlan,
  RefundResolvePlan,
  ReportRow,
  ResolvePlan,
  SagaSummary,
  SagaTimeline,
};

export type PaymentStatusName =
  | 'REQUESTED'
  | 'RESERVED'
  | 'CHARGED'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'NEEDS_ATTENTION';

export interface ConsoleMeta {
  readonly stage: string;
  readonly local: boolean;
  /** Redrive buttons are offered only when the console was started with --allow-actions. */
  readonly allowActions: boolean;
  readonly statuses: readonly PaymentStatusName[];
  readonly currencies: readonly string[];
}

export interface PaymentsQuery {
  readonly from: string;
  readonly to: string;
  readonly status?: PaymentStatusName;
  readonly currency?: string;
  /** Inclusive bounds in major units as decimal text ("12.50"), compared exactly with each row's amount. */
  readonly minAmount?: string;
  readonly maxAmount?: string;
  /** A paymentId (exact, any period) or its prefix (within the period). */
  readonly q?: string;
  readonly offset: number;
  readonly limit: number;
}

export interface PaymentsPage {
  /** `payctl report` rows. */
  readonly items: readonly ReportRow[];
  /** Offset of the next page, absent on the last one. */
  readonly nextOffset?: number;
  /** How many payments matched (all pages). */
  readonly matched: number;
  readonly scanned: number;
  /** The scan stopped at its limit: narrow the period (or use payctl report). */
  readonly truncated: boolean;
}

/** A payment's detail: its report row and `payctl history`'s timeline (steps, attempts, journal, outcome). */
export interface PaymentDetail {
  /** Absent when only the archive knows the payment. */
  readonly payment?: ReportRow;
  readonly history: PaymentHistory;
}

/** A DLQ's messages as `payctl dlq peek` decodes them (body with card numbers masked). */
export interface DlqPeek {
  /** The queue's name on this stage. */
  readonly queue: string;
  readonly messages: readonly DlqMessage[];
}

/** A peeked message; `refundId` names the refund of a refund saga's compensation (`kind: refund-compensation`). */
export interface DlqMessage extends PeekedMessage {
  readonly refundId?: string;
}

export interface ActionResult {
  readonly ok: boolean;
  readonly summary: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** `payctl report`'s totals row (per currency and status) for one day. */
export interface VolumeRow extends TotalRow {
  readonly day: string;
}

/** Every error answer: what was wrong and what to do. */
export interface ApiError {
  readonly error: string;
}

/** One refund of a payment, as the payment page's Refunds panel lists it (minor units of `currency`). */
export interface RefundView {
  readonly refundId: string;
  readonly status: string;
  /** Set once ReserveRefund ran: the amount and its parts. */
  readonly amount?: number;
  /** What was asked; absent: everything still refundable. */
  readonly requestedAmount?: number;
  readonly walletAmount?: number;
  readonly gatewayAmount?: number;
  readonly gatewayRefundId?: string;
  readonly currency: string;
  readonly reason: string;
  readonly requestedBy?: string;
  readonly requestedAt: string;
  readonly failureReason?: string;
}

/** GET /api/payments/<id>/refunds[?amount=7.50]: the refunds, newest first, and the plan of a refund of `amount`. */
export interface PaymentRefunds {
  readonly plan: RefundPlan;
  readonly refunds: readonly RefundView[];
}

/** POST /api/payments/<id>/refunds: payctl payments refund's --amount (major units), --reason, --refund-id. */
export interface RefundRequestBody {
  readonly amount?: string;
  readonly reason: string;
  readonly refundId?: string;
}
