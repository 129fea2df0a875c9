import '../../config/zod-locale';
import * as z from 'zod/mini';
import { LedgerInvariantError } from '../../errors';
import { CurrencyInput, MerchantIdInput, PaymentIdInput, parseInput, WalletIdInput } from '../inputs';
import { refundPartKey, refundPartRef } from '../keys';
import type { JournalEntry, RefundPartRecord } from '../model';
import { refundPartEntry } from '../postings';
import { creditRefundPart } from '../store-credits';
import { type OpContext, walletFor } from './context';

/**
 * The refund saga's reversal of one refund (operation `refund_part`, ref
 * `refund:<paymentId>:<refundId>`): ONE journal entry, merchant -(w+g),
 * wallet +w, gateway +g, on the payer's wallet sequence. The compensation's
 * full `refund` (ops/post.ts) stays for the payment saga.
 *
 * Same write order as deposits (ops/context.ts): a conditional wallet write
 * of the marker and the wallet part, its journal entry, the marker's removal;
 * idempotent per (paymentId, refundId) for life: a replay finds the marker or
 * the journal entry and must ask for the same parts.
 */
export const RefundPartInput = z.object({
  paymentId: PaymentIdInput,
  refundId: PaymentIdInput,
  walletId: WalletIdInput,
  merchantId: MerchantIdInput,
  currency: CurrencyInput,
  walletAmount: z.int().check(z.nonnegative()),
  gatewayAmount: z.int().check(z.nonnegative()),
});
export type RefundPartInput = z.input<typeof RefundPartInput>;

export interface RefundPartResult {
  readonly entryId: string;
  readonly walletAmount: number;
  readonly gatewayAmount: number;
  readonly postedAt: string;
  readonly replayed: boolean;
}

export async function postRefundPart(ctx: OpContext, request: RefundPartInput): Promise<RefundPartResult> {
  const input = parseInput('refundPart', RefundPartInput, request);
  if (input.walletAmount + input.gatewayAmount <= 0) {
    throw new LedgerInvariantError(`refund ${input.refundId} of payment ${input.paymentId} moves nothing`);
  }
  const key = refundPartKey(input.paymentId, input.refundId);
  return ctx.store.contend('refundPart', input.walletId, async () => {
    const wallet = await walletFor(ctx, 'refundPart', input.walletId, input.currency);
    const marker = wallet.refunds?.[key];
    const known = marker
      ? refundPartEntry(wallet, key, marker)
      : (await ctx.store.journal.refJournal(refundPartRef(key))).entries[0];
    if (known) {
      checkSameParts(known, input);
      if (marker) await finish(ctx, known, key);
      return resultOf(known, true);
    }
    const record: Omit<RefundPartRecord, 'seq' | 'balanceAfter'> = {
      paymentId: input.paymentId,
      refundId: input.refundId,
      merchantId: input.merchantId,
      walletAmount: input.walletAmount,
      gatewayAmount: input.gatewayAmount,
      at: ctx.now().toISOString(),
    };
    const after = await creditRefundPart(ctx.store, wallet, key, record);
    const written = after?.refunds?.[key];
    if (!after || !written) return undefined;
    const entry = refundPartEntry(after, key, written);
    await finish(ctx, entry, key);
    return resultOf(entry, false);
  });
}

function partsOf(entry: JournalEntry): { walletAmount: number; gatewayAmount: number } {
  const wallet = entry.lines.find((line) => line.account.startsWith('wallet:'))?.amount ?? 0;
  const merchant = entry.lines.find((line) => line.account.startsWith('merchant:'))?.amount ?? 0;
  return { walletAmount: wallet, gatewayAmount: -merchant - wallet };
}

function checkSameParts(entry: JournalEntry, input: z.output<typeof RefundPartInput>): void {
  const parts = partsOf(entry);
  if (parts.walletAmount !== input.walletAmount || parts.gatewayAmount !== input.gatewayAmount) {
    throw new LedgerInvariantError(
      `refund ${input.refundId} of payment ${input.paymentId} was already posted as wallet ${parts.walletAmount} + gateway ${parts.gatewayAmount}, not ${input.walletAmount} + ${input.gatewayAmount}`,
    );
  }
}

function resultOf(entry: JournalEntry, replayed: boolean): RefundPartResult {
  return { entryId: entry.entryId, ...partsOf(entry), postedAt: entry.effectiveAt, replayed };
}

async function finish(ctx: OpContext, entry: JournalEntry, key: string): Promise<void> {
  await ctx.store.journal.putJournalEntry(entry);
  await ctx.store.removeClosedMarker(entry.walletId, 'refunds', key);
}
