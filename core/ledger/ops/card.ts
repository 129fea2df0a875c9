import { LedgerInvariantError } from '../../errors';
import { GATEWAY_ACCOUNT } from '../accounts';
import { CardPartInput, parseInput } from '../inputs';
import type { JournalEntry } from '../model';
import { cardEntry } from '../postings';
import type { CardPartResult } from '../results';
import { type OpContext, walletFor } from './context';

/**
 * A payment's card part in the journal (wallet first: the gateway charged what the wallet did not
 * cover). settle_card credits the merchant from the gateway account at Settle; refund_card takes it
 * back when a settled payment is compensated. Each is one journal entry keyed (paymentId, operation),
 * written once: a replay answers the entry the first call wrote, a different amount or merchant is a
 * LedgerInvariantError. The payer's wallet item is not touched (no wallet account moves).
 */
export async function settleCard(ctx: OpContext, request: CardPartInput): Promise<CardPartResult> {
  const input = parseInput('settleCard', CardPartInput, request);
  return postCardPart(ctx, input, 'settle_card');
}

/**
 * The reversal of a settle_card; undefined when the payment has none (its card part never settled,
 * or it had no card part): nothing to reverse.
 */
export async function refundCard(
  ctx: OpContext,
  request: Pick<CardPartInput, 'paymentId' | 'walletId'>,
): Promise<CardPartResult | undefined> {
  const settled = await cardEntryOf(ctx, request.paymentId, 'settle_card');
  if (!settled) return undefined;
  if (settled.walletId !== request.walletId) {
    throw new LedgerInvariantError(
      `payment ${request.paymentId}: its card part names wallet ${settled.walletId}, not ${request.walletId}`,
    );
  }
  const part = partOf(settled);
  return postCardPart(
    ctx,
    parseInput('refundCard', CardPartInput, {
      paymentId: request.paymentId,
      walletId: settled.walletId,
      merchantId: part.merchantId,
      amount: { value: part.amount, currency: settled.currency },
    }),
    'refund_card',
  );
}

async function postCardPart(
  ctx: OpContext,
  input: ReturnType<typeof CardPartInput.parse>,
  operation: 'settle_card' | 'refund_card',
): Promise<CardPartResult> {
  const wallet = await walletFor(ctx, operation, input.walletId, input.amount.currency);
  const existing = await cardEntryOf(ctx, input.paymentId, operation);
  if (!existing) {
    const at = ctx.now().toISOString();
    await ctx.store.journal.putJournalEntry(
      cardEntry(
        wallet,
        input.paymentId,
        { merchantId: input.merchantId, amount: input.amount.value, at },
        operation,
      ),
    );
  }
  // What the journal holds now: ours, or the one a concurrent call wrote first.
  const stored = existing ?? (await cardEntryOf(ctx, input.paymentId, operation));
  if (!stored)
    throw new LedgerInvariantError(
      `payment ${input.paymentId}: ${operation} entry not found after its write`,
    );
  const part = partOf(stored);
  if (
    part.amount !== input.amount.value ||
    part.merchantId !== input.merchantId ||
    stored.walletId !== input.walletId
  ) {
    throw new LedgerInvariantError(
      `payment ${input.paymentId}: ${operation} already posted ${part.amount} to ${part.merchantId} from wallet ${stored.walletId}'s payment, not ${input.amount.value} to ${input.merchantId}`,
    );
  }
  return {
    paymentId: input.paymentId,
    walletId: stored.walletId,
    merchantId: part.merchantId,
    amount: part.amount,
    currency: stored.currency,
    postedAt: stored.effectiveAt,
    replayed: existing !== undefined,
  };
}

async function cardEntryOf(
  ctx: OpContext,
  paymentId: string,
  operation: 'settle_card' | 'refund_card',
): Promise<JournalEntry | undefined> {
  const journal = await ctx.store.journal.refJournal(paymentId);
  return journal.entries.find((entry) => entry.operation === operation);
}

/** The merchant and the (positive) amount of a card entry, read from its gateway line. */
function partOf(entry: JournalEntry): { merchantId: string; amount: number } {
  const gateway = entry.lines.find((line) => line.account === GATEWAY_ACCOUNT)?.amount ?? 0;
  return { merchantId: entry.merchantId ?? 'unknown', amount: Math.abs(gateway) };
}
