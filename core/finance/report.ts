import { amountView } from '../history/amounts';
import type { JournalEntry } from '../ledger/model';
import type { PaymentRecord } from '../payments/records';
import type { CsvValue } from './csv';

/** One row per payment of `payctl report`: what finance needs to book it, from the payments table. */
export interface ReportRow {
  readonly paymentId: string;
  readonly requestedAt: string;
  readonly payer: string;
  readonly payee: string;
  /** Major units with the currency's decimals ("12.50", "1250" for JPY). */
  readonly amount: string;
  readonly amountMinor: number;
  /** Wallet first: the part the wallet paid and the part the gateway charged (absent before the split). */
  readonly walletAmountMinor: number | undefined;
  readonly gatewayAmountMinor: number | undefined;
  readonly currency: string;
  readonly status: string;
  readonly reasonCode: string | undefined;
  readonly failureReason: string | undefined;
  readonly compensations: readonly string[];
  readonly chargeId: string | undefined;
  readonly refundId: string | undefined;
  readonly executionName: string;
  readonly completedAt: string | undefined;
  /** Request recorded to terminal status, in milliseconds; undefined while in flight. */
  readonly durationMs: number | undefined;
  /**
   * Refunds after success (the refund saga): refunded for good (reversal posted), in total and back to
   * each source (wallet, card); 0 when never refunded. From the payment item's refund counters.
   */
  readonly refundedMinor: number;
  readonly refundedWalletMinor: number;
  readonly refundedGatewayMinor: number;
  readonly refunded: string;
  /** Captured (the amount when SUCCEEDED, else 0) minus refunded, minor units and major text. */
  readonly netMinor: number;
  readonly net: string;
}

export function reportRow(payment: PaymentRecord): ReportRow {
  const durationMs =
    payment.terminalAt !== undefined
      ? Math.max(0, Date.parse(payment.terminalAt) - Date.parse(payment.createdAt))
      : undefined;
  return {
    paymentId: payment.paymentId,
    requestedAt: payment.requestedAt,
    payer: payment.walletId,
    payee: payment.merchantId,
    amount: amountView(payment.amount, payment.currency).major,
    amountMinor: payment.amount,
    walletAmountMinor: payment.walletAmount,
    gatewayAmountMinor: payment.gatewayAmount,
    currency: payment.currency,
    status: payment.status,
    reasonCode: payment.reasonCode,
    failureReason: payment.status === 'SUCCEEDED' ? undefined : payment.reason,
    compensations: payment.compensations ?? [],
    chargeId: payment.chargeId,
    refundId: payment.refundId,
    executionName: payment.executionArn.split(':').at(-1) ?? payment.executionArn,
    completedAt: payment.terminalAt,
    durationMs,
    ...refundColumns(payment),
  };
}

/** The refund columns of a payment's row: refunded (total, wallet, card) and net = captured - refunded. */
function refundColumns(
  payment: PaymentRecord,
): Pick<
  ReportRow,
  'refundedMinor' | 'refundedWalletMinor' | 'refundedGatewayMinor' | 'refunded' | 'netMinor' | 'net'
> {
  const captured = payment.status === 'SUCCEEDED' ? payment.amount : 0;
  const refunded = payment.refunded ?? 0;
  return {
    refundedMinor: refunded,
    refundedWalletMinor: payment.refundedWallet ?? 0,
    refundedGatewayMinor: payment.refundedGateway ?? 0,
    refunded: amountView(refunded, payment.currency).major,
    netMinor: captured - refunded,
    net: amountView(captured - refunded, payment.currency).major,
  };
}

/** The report's columns, in order: CSV header names and values (ISO dates, amounts as text and minor units). */
export const REPORT_CSV_COLUMNS: ReadonlyArray<{ header: string; value: (row: ReportRow) => CsvValue }> = [
  { header: 'payment_id', value: (r) => r.paymentId },
  { header: 'requested_at', value: (r) => r.requestedAt },
  { header: 'payer_wallet', value: (r) => r.payer },
  { header: 'payee_merchant', value: (r) => r.payee },
  { header: 'amount', value: (r) => r.amount },
  { header: 'amount_minor', value: (r) => r.amountMinor },
  { header: 'currency', value: (r) => r.currency },
  { header: 'status', value: (r) => r.status },
  { header: 'reason_code', value: (r) => r.reasonCode },
  { header: 'failure_reason', value: (r) => r.failureReason },
  { header: 'compensations', value: (r) => r.compensations.join(' ') },
  { header: 'gateway_charge_id', value: (r) => r.chargeId },
  { header: 'refund_id', value: (r) => r.refundId },
  { header: 'execution_name', value: (r) => r.executionName },
  { header: 'completed_at', value: (r) => r.completedAt },
  { header: 'duration_ms', value: (r) => r.durationMs },
  // Appended, so existing readers of the CSV keep their columns: the wallet-first split.
  { header: 'wallet_amount_minor', value: (r) => r.walletAmountMinor },
  { header: 'gateway_amount_minor', value: (r) => r.gatewayAmountMinor },
  // Appended too: refunds after success (issue 16) and the net captured.
  { header: 'refunded', value: (r) => r.refunded },
  { header: 'refunded_minor', value: (r) => r.refundedMinor },
  { header: 'refunded_wallet_minor', value: (r) => r.refundedWalletMinor },
  { header: 'refunded_gateway_minor', value: (r) => r.refundedGatewayMinor },
  { header: 'net', value: (r) => r.net },
  { header: 'net_minor', value: (r) => r.netMinor },
];

export interface TotalRow {
  readonly currency: string;
  /** A payment status, or "ALL" for the currency's total. */
  readonly status: string;
  readonly count: number;
  readonly amountMinor: number;
  readonly amount: string;
}

/** A total of `payctl report`: a TotalRow with its refunds after success and its net. */
export interface ReportTotalRow extends TotalRow {
  /** Refunded after success (refund saga), in total and back to the wallet / the card, minor units. */
  readonly refundedMinor: number;
  readonly refundedWalletMinor: number;
  readonly refundedGatewayMinor: number;
  readonly refunded: string;
  /** Captured minus refunded (SUCCEEDED amounts minus their refunds), minor units and major text. */
  readonly netMinor: number;
  readonly net: string;
}

type Sums = {
  -readonly [K in
    | 'amountMinor'
    | 'refundedMinor'
    | 'refundedWalletMinor'
    | 'refundedGatewayMinor'
    | 'netMinor']: number;
};
const SUMMED: ReadonlyArray<keyof Sums> = [
  'amountMinor',
  'refundedMinor',
  'refundedWalletMinor',
  'refundedGatewayMinor',
  'netMinor',
];

/** Count and sum per (currency, status) and per currency; integers only. Memory: one cell per pair. */
export class ReportTotals {
  private readonly cells = new Map<string, { currency: string; status: string; count: number } & Sums>();

  /** A row; its refund columns count as 0 when absent (and its net as its amount when SUCCEEDED). */
  add(row: Pick<ReportRow, 'currency' | 'status' | 'amountMinor'> & Partial<Sums>): void {
    const sums: Sums = {
      amountMinor: row.amountMinor,
      refundedMinor: row.refundedMinor ?? 0,
      refundedWalletMinor: row.refundedWalletMinor ?? 0,
      refundedGatewayMinor: row.refundedGatewayMinor ?? 0,
      netMinor: row.netMinor ?? (row.status === 'SUCCEEDED' ? row.amountMinor : 0),
    };
    for (const status of [row.status, 'ALL']) {
      const key = `${row.currency}\u0000${status}`;
      const cell =
        this.cells.get(key) ??
        ({
          currency: row.currency,
          status,
          count: 0,
          ...Object.fromEntries(SUMMED.map((k) => [k, 0])),
        } as { currency: string; status: string; count: number } & Sums);
      cell.count += 1;
      for (const k of SUMMED) {
        cell[k] += sums[k];
        if (!Number.isSafeInteger(cell[k]))
          throw new RangeError(`${row.currency} total exceeds safe integers`);
      }
      this.cells.set(key, cell);
    }
  }

  /** Rows sorted by currency, then status with ALL last. */
  rows(): ReportTotalRow[] {
    return [...this.cells.values()]
      .sort(
        (a, b) =>
          a.currency.localeCompare(b.currency) ||
          Number(a.status === 'ALL') - Number(b.status === 'ALL') ||
          a.status.localeCompare(b.status),
      )
      .map((c) => ({
        currency: c.currency,
        status: c.status,
        count: c.count,
        amountMinor: c.amountMinor,
        amount: amountView(c.amountMinor, c.currency).major,
        refundedMinor: c.refundedMinor,
        refundedWalletMinor: c.refundedWalletMinor,
        refundedGatewayMinor: c.refundedGatewayMinor,
        refunded: amountView(c.refundedMinor, c.currency).major,
        netMinor: c.netMinor,
        net: amountView(c.netMinor, c.currency).major,
      }));
  }

  minorOf(currency: string, status: string): number {
    return this.cells.get(`${currency}\u0000${status}`)?.amountMinor ?? 0;
  }

  /** The net (captured minus refunded) of a currency and status, minor units. */
  netOf(currency: string, status: string): number {
    return this.cells.get(`${currency}\u0000${status}`)?.netMinor ?? 0;
  }
}

/**
 * What the ledger says was settled per currency in the same days (journal
 * entries by effective date): captured by merchants, minus refunds. For a
 * period whose sagas all ended inside it, this equals the SUCCEEDED total.
 */
export class LedgerSettlementTotals {
  private readonly byCurrency = new Map<string, { captured: number; refunded: number }>();

  add(entry: JournalEntry): void {
    // A payment's merchant credit is its wallet part (settle) plus its card part (settle_card).
    const credit = entry.operation === 'settle' || entry.operation === 'settle_card';
    // Refunds: a compensation's refund (wallet part) and refund_card (card part), a refund saga's refund_part.
    const reversal =
      entry.operation === 'refund' || entry.operation === 'refund_card' || entry.operation === 'refund_part';
    if (!credit && !reversal) return;
    const totals = this.byCurrency.get(entry.currency) ?? { captured: 0, refunded: 0 };
    for (const line of entry.lines) {
      if (!line.account.startsWith('merchant:')) continue;
      if (credit) totals.captured += line.amount;
      else totals.refunded -= line.amount;
    }
    this.byCurrency.set(entry.currency, totals);
  }

  rows(): Array<{
    currency: string;
    capturedMinor: number;
    refundedMinor: number;
    netMinor: number;
    net: string;
  }> {
    return [...this.byCurrency.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, t]) => ({
        currency,
        capturedMinor: t.captured,
        refundedMinor: t.refunded,
        netMinor: t.captured - t.refunded,
        net: amountView(t.captured - t.refunded, currency).major,
      }));
  }
}
