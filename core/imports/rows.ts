import '../config/zod-locale';
import * as z from 'zod/mini';
import { type PaymentRequested, PaymentRequestedV1 } from '../../events/payment-requested.v1';
import { stripeAmountProblem } from '../gateway/stripe-units';
import { exponentOf, isCurrency, money } from '../money';
import { containsPan } from '../pan';
import { IMPORT_COLUMNS, type ImportColumn } from './columns';

export type RowVerdict =
  | { readonly outcome: 'accepted'; readonly payment: PaymentRequested }
  | { readonly outcome: 'rejected'; readonly paymentId?: string; readonly reason: string };

const MINOR_UNITS = /^(0|[1-9]\d{0,15})$/;

/**
 * One CSV row as a PaymentRequested v1, validated by the contract's own schema
 * (so a change to the contract applies to imports too), then by what intake
 * refuses besides: card numbers in any cell, amounts the gateway cannot take.
 * The reason never repeats a cell that holds a card number.
 */
export function validateRow(cells: Readonly<Record<ImportColumn, string>>): RowVerdict {
  const panColumns = IMPORT_COLUMNS.filter((column) => containsPan(cells[column] ?? ''));
  const paymentId = panColumns.includes('payment_id') ? undefined : cells.payment_id || undefined;
  const rejected = (reason: string): RowVerdict => ({
    outcome: 'rejected',
    ...(paymentId !== undefined && { paymentId }),
    reason,
  });
  if (panColumns.length > 0) {
    return rejected(
      `card_data_refused: card number (PAN) in ${panColumns.join(', ')}; send a gateway payment-method token (pm_...) instead`,
    );
  }
  if (!MINOR_UNITS.test(cells.amount_minor)) {
    return rejected(
      `invalid_row: amount_minor ${JSON.stringify(cells.amount_minor)} is not an integer in minor units`,
    );
  }
  const currency = cells.currency.trim().toUpperCase();
  if (!isCurrency(currency))
    return rejected(`invalid_row: currency ${JSON.stringify(cells.currency)} is unknown`);
  const candidate = {
    schemaVersion: '1',
    paymentId: cells.payment_id,
    walletId: cells.wallet_id,
    merchantId: cells.merchant_id,
    amount: { value: Number(cells.amount_minor), currency, exponent: exponentOf(currency) },
    paymentMethod: cells.payment_method,
    ...(cells.funding !== '' && { funding: cells.funding }),
    ...(cells.description !== '' && { description: cells.description }),
    requestedAt: cells.requested_at,
  };
  const parsed = PaymentRequestedV1.safeParse(candidate);
  if (!parsed.success) {
    return rejected(`invalid_row: ${z.prettifyError(parsed.error).replace(/\s*\n\s*/g, '; ')}`);
  }
  const amountProblem = stripeAmountProblem(money(parsed.data.amount.value, parsed.data.amount.currency));
  if (amountProblem) return rejected(`invalid_row: amount: ${amountProblem}`);
  return { outcome: 'accepted', payment: parsed.data };
}
