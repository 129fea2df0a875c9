import type { StatementResponse } from '../../../core/wallets/contract';
import type { StatementRequest, WalletDetail } from '../../wallets/wallets';
import type {
  ActionResult,
  AuditEntry,
  DlqPeek,
  DlqSummary,
  PaymentDetail,
  PaymentsPage,
  PaymentsQuery,
  RedrivePlan,
  SagaSummary,
  VolumeRow,
} from '../api-types';

/**
 * What the console shows and does, as plain async functions: the payctl
 * operations and finance functions over one context. The server only routes.
 */
export interface ConsoleData {
  listPayments(query: PaymentsQuery): Promise<PaymentsPage>;
  paymentDetail(paymentId: string): Promise<PaymentDetail | undefined>;
  listDlqs(): Promise<DlqSummary[]>;
  /** `queue`: a DLQ as payctl takes it (intake-dlq, intakeDlq, full name). */
  peekDlq(queue: string, limit: number): Promise<DlqPeek>;
  planDlqRedrive(queue: string): Promise<RedrivePlan>;
  /**
   * Moves the DLQ's messages back to its source queue and writes the audit record;
   * refuses intake rejections unless `includeRejected` (payctl's --include-rejected).
   */
  redriveDlq(queue: string, options: { includeRejected: boolean }): Promise<ActionResult>;
  failedSagas(since: Date): Promise<SagaSummary[]>;
  /** RedriveExecution of the payment's saga after payctl's pre-flight, and the audit record. */
  redriveSaga(paymentId: string): Promise<ActionResult>;
  dailyVolume(fromDay: string, toDay: string): Promise<VolumeRow[]>;
  /** Audit entries since `since`, newest first. */
  auditLog(since: Date): Promise<AuditEntry[]>;
  /** `payctl wallets show`: undefined for an unknown or malformed walletId. */
  walletDetail(walletId: string): Promise<WalletDetail | undefined>;
  /** One page of `payctl wallets statement`, newest first, with the cursor of the next (older) page. */
  walletStatement(walletId: string, request: StatementRequest): Promise<StatementResponse>;
  /** `payctl wallets adjust`: a signed major-unit amount and a reason; audited as wallets.adjust. */
  adjustWallet(walletId: string, request: { amount: string; reason: string }): Promise<ActionResult>;
}
