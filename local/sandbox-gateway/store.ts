import { randomBytes } from 'node:crypto';
import { type IdempotencyRecord, IdempotencyStore } from './idempotency-store';
import { Journal } from './journal';

/** The subset of Stripe's PaymentIntent the sandbox keeps and returns. */
export interface PaymentIntentObject {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'succeeded' | 'processing' | 'requires_payment_method';
  created: number;
  description: string | null;
  metadata: Record<string, string>;
  payment_method: string | null;
  latest_charge: string | null;
  capture_method: 'automatic';
  confirmation_method: 'automatic';
  allowed_payment_method_types: string[];
  last_payment_error: { type: string; code: string; decline_code: string; message: string } | null;
  livemode: false;
}

export interface RefundObject {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  payment_intent: string;
  charge: string | null;
  status: 'succeeded';
  created: number;
  metadata: Record<string, string>;
  reason: string | null;
}

type JournalEntry =
  | { t: 'intent'; intent: PaymentIntentObject }
  | { t: 'refund'; refund: RefundObject }
  | { t: 'idempotency'; record: IdempotencyRecord }
  | { t: 'attempt'; slot: string; n: number };

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Stripe-looking ids: prefix + 24 random letters/digits. */
export function newId(prefix: string): string {
  const bytes = randomBytes(24);
  let id = `${prefix}_`;
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

/** Newest first; equal seconds keep reverse insertion order, as Stripe lists do. */
export function newestFirst<T extends { created: number }>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => b.item.created - a.item.created || b.index - a.index)
    .map(({ item }) => item);
}

/** Everything the sandbox remembers: charges, refunds, idempotency records, fault attempt counts. */
export class SandboxStore {
  readonly idempotency: IdempotencyStore;
  private readonly intents = new Map<string, PaymentIntentObject>();
  private readonly refunds = new Map<string, RefundObject>();
  private readonly attempts = new Map<string, number>();
  private readonly journal: Journal<JournalEntry>;

  constructor(
    dataFile: string | undefined,
    readonly now: () => number = Date.now,
  ) {
    this.journal = new Journal<JournalEntry>(dataFile);
    this.idempotency = new IdempotencyStore(now, (record) =>
      this.journal.append({ t: 'idempotency', record }),
    );
    for (const entry of this.journal.load()) this.replay(entry);
  }

  private replay(entry: JournalEntry): void {
    if (entry.t === 'intent') this.intents.set(entry.intent.id, entry.intent);
    else if (entry.t === 'refund') this.refunds.set(entry.refund.id, entry.refund);
    else if (entry.t === 'idempotency') this.idempotency.restore(entry.record);
    else this.attempts.set(entry.slot, entry.n);
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  saveIntent(intent: PaymentIntentObject): PaymentIntentObject {
    this.intents.set(intent.id, intent);
    this.journal.append({ t: 'intent', intent });
    return intent;
  }

  saveRefund(refund: RefundObject): RefundObject {
    this.refunds.set(refund.id, refund);
    this.journal.append({ t: 'refund', refund });
    return refund;
  }

  intent(id: string): PaymentIntentObject | undefined {
    return this.intents.get(id);
  }

  allIntents(): PaymentIntentObject[] {
    return [...this.intents.values()];
  }

  allRefunds(): RefundObject[] {
    return [...this.refunds.values()];
  }

  refundedAmount(intentId: string): number {
    let total = 0;
    for (const refund of this.refunds.values())
      if (refund.payment_intent === intentId) total += refund.amount;
    return total;
  }

  /** Counts an attempt of a fault schedule; returns its 1-based number. */
  countAttempt(scope: string, key: string): number {
    const slot = `${scope}\u0000${key}`;
    const n = (this.attempts.get(slot) ?? 0) + 1;
    this.attempts.set(slot, n);
    this.journal.append({ t: 'attempt', slot, n });
    return n;
  }
}
