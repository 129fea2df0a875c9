import type { ResolutionAction, ResolutionOutcome } from '../../../core/payments/records';
import type { RefundResolveAction, RefundResolvePlan } from '../../../core/refunds/resolve';
import type { StatementResponse } from '../../../core/wallets/contract';
import type { EventLog } from '../../../core/webhooks/delivery-store';
import type { ResolvePlan } from '../../ops/resolve-plan';
import type { StatementRequest, WalletDetail } from '../../wallets/wallets';
import type {
  ActionResult,
  AuditEntry,
  DlqPeek,
  DlqSummary,
  PaymentDetail,
  PaymentRefunds,
  PaymentsPage,
  PaymentsQuery,
  RedrivePlan,
  RefundRequestBody,
  SagaSummary,
  VolumeRow,
} from '../api-types';

/**
 * What the console shows, as plain async functions: the payctl operations and
 * finance functions over one context. Served by the read function (GET routes
 * but the action plans: core/config/console.ts consoleRouteAccess).
 */
export interface ConsoleReadData {
  listPayments(query: PaymentsQuery): Promise<PaymentsPage>;
  paymentDetail(paymentId: string): Promise<PaymentDetail | undefined>;
  listDlqs(): Promise<DlqSummary[]>;
  /** `queue`: a DLQ as payctl takes it (intake-dlq, intakeDlq, full name). */
  peekDlq(queue: string, limit: number): Promise<DlqPeek>;
  failedSagas(since: Date): Promise<SagaSummary[]>;
  dailyVolume(fromDay: string, toDay: string): Promise<VolumeRow[]>;
  /** Audit entries since `since`, newest first. */
  auditLog(since: Date): Promise<AuditEntry[]>;
  /** `payctl wallets show`: undefined for an unknown or malformed walletId. */
  walletDetail(walletId: string): Promise<WalletDetail | undefined>;
  /** One page of `payctl wallets statement`, newest first, with the cursor of the next (older) page. */
  walletStatement(walletId: string, request: StatementRequest): Promise<StatementResponse>;
  /** `payctl webhooks deliveries <paymentId>`: each of its webhook events, deliveries and attempts. */
  webhookDeliveries(subjectId: string): Promise<EventLog[]>;
  /** The payment's refunds and what a refund of `amount` (major units; all that is left when absent) would do. */
  paymentRefunds(paymentId: string, amount?: string): Promise<PaymentRefunds>;
}

/**
 * What the console does: the audited actions and the plans their confirmation
 * dialogs show (worked out with the action's own rights). Served by the act function.
 */
export interface ConsoleActData {
  planDlqRedrive(queue: string): Promise<RedrivePlan>;
  /**
   * Moves the DLQ's messages back to its source queue and writes the audit record;
   * refuses intake rejections unless `includeRejected` (payctl's --include-rejected).
   */
  redriveDlq(queue: string, options: { includeRejected: boolean }): Promise<ActionResult>;
  /** RedriveExecution of the payment's saga after payctl's pre-flight, and the audit record. */
  redriveSaga(paymentId: string): Promise<ActionResult>;
  /** `payctl payments resolve --dry-run`: the gateway and ledger state of a parked payment, what resolving does. */
  planResolve(paymentId: string, request: ResolveRequestBody): Promise<ResolvePlan>;
  /** `payctl payments resolve --yes`: refund / release / mark resolved; audited as payments.resolve. */
  resolvePayment(paymentId: string, request: ResolveRequestBody): Promise<ActionResult>;
  /** `payctl payments resolve-refund --dry-run`: a parked refund's gateway and ledger state, what resolving does. */
  planResolveRefund(paymentId: string, request: ResolveRefundRequestBody): Promise<RefundResolvePlan>;
  /** `payctl payments resolve-refund --yes`: finish / release; audited as refunds.resolve. */
  resolveRefund(paymentId: string, request: ResolveRefundRequestBody): Promise<ActionResult>;
  /** `payctl webhooks resend <eventId> [--endpoint]`: the same audited action (webhooks.resend). */
  resendWebhook(eventId: string, request: { endpointId?: string }): Promise<ActionResult>;
  /** `payctl payments refund --yes --no-wait`: the same audited action (payments.refund), asked by console:<person>. */
  refundPayment(paymentId: string, request: RefundRequestBody): Promise<ActionResult>;
  /** `payctl wallets adjust`: a signed major-unit amount and a reason; audited as wallets.adjust. */
  adjustWallet(walletId: string, request: { amount: string; reason: string }): Promise<ActionResult>;
}

/** Everything the console shows and does (the loopback server serves both). The server only routes. */
export type ConsoleData = ConsoleReadData & ConsoleActData;

/** How to resolve a payment parked in the compensation DLQ (payctl's --refund | --release | --mark-resolved, --reason, --outcome). */
export interface ResolveRequestBody {
  readonly action: ResolutionAction;
  readonly reason?: string;
  readonly outcome?: ResolutionOutcome;
}

/** How to resolve a refund parked in the compensation DLQ (payctl's resolve-refund <refundId> --finish | --release, --reason). */
export interface ResolveRefundRequestBody {
  readonly refundId: string;
  readonly action: RefundResolveAction;
  readonly reason?: string;
}
