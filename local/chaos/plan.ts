/**
 * What the chaos run sends: N valid payments (each with a kind from the
 * schedule and the matching sandbox payment method), malformed requests the
 * intake must park in its DLQ, duplicates, and a shuffled sending order in
 * which some duplicates come before their original.
 */
import { malformedDetail, seededRandom, shuffle, type WalletSeed } from '../demo/plan';
import { type ChaosRates, type PaymentKind, paymentKindOf, paymentMethodOf } from './schedule';

export interface ChaosPayment {
  readonly paymentId: string;
  readonly kind: PaymentKind;
  readonly walletId: string;
  readonly amount: number;
  readonly currency: 'EUR' | 'USD';
  readonly detail: Record<string, unknown>;
}

export interface ChaosPlan {
  readonly runId: string;
  readonly seed: number;
  readonly wallets: readonly WalletSeed[];
  /** Valid requests: the intake accepts each; each must end as a terminal saga or a DLQ message. */
  readonly payments: readonly ChaosPayment[];
  /** Requests that break the schema on purpose: each must be in the intake DLQ with a reason. */
  readonly malformed: readonly { readonly paymentId: string; readonly detail: Record<string, unknown> }[];
  /** Event details in sending order (duplicates included). */
  readonly sendOrder: readonly Record<string, unknown>[];
  readonly duplicates: number;
  /** Duplicates sent before their original. */
  readonly reordered: number;
}

/**
 * Wallet first: a payment draws its wallet and the gateway charges the rest, so the funded wallets hold
 * about half of what their payments ask (~10 payments of 1.00-100.00): early payments come from the
 * wallet alone, then one is split, then the card pays in full; the gateway's faults meet the card parts.
 */
const FUNDED_DEPOSIT = 25_000;
const SHORT_DEPOSIT = 500;
const PAYMENTS_PER_WALLET = 10;

export function planChaos(options: {
  readonly payments: number;
  readonly seed: number;
  readonly runId: string;
  readonly rates: ChaosRates;
}): ChaosPlan {
  const { runId, seed, rates } = options;
  const random = seededRandom(seed);
  const wallets: WalletSeed[] = [];
  const funded = Math.max(2, Math.ceil(options.payments / PAYMENTS_PER_WALLET));
  for (let i = 0; i < funded; i++) {
    const walletId = `${runId}-w${i}`;
    const currency = i % 2 === 0 ? 'EUR' : 'USD';
    wallets.push({ walletId, currency, deposit: FUNDED_DEPOSIT, depositId: `${walletId}-seed` });
  }
  const requestedAt = new Date().toISOString();
  const payments: ChaosPayment[] = [];
  for (let index = 0; index < options.payments; index++) {
    const paymentId = `${runId}-p${index}`;
    const kind = paymentKindOf(seed, paymentId);
    let wallet = wallets[index % funded] as WalletSeed;
    let amount = 100 + Math.floor(random() * 9_900);
    if (kind === 'walletShort') {
      wallet = {
        walletId: `${runId}-short${index}`,
        currency: 'EUR',
        deposit: SHORT_DEPOSIT,
        depositId: `${runId}-short${index}-seed`,
      };
      wallets.push(wallet);
      amount = SHORT_DEPOSIT + 100 + Math.floor(random() * 1_000);
    }
    // A short wallet: every other one pays from the wallet only (fails insufficient_funds at Reserve, nothing
    // charged); the others are split, the wallet's 5.00 and the rest by card.
    const walletOnly = kind === 'walletShort' && index % 2 === 0;
    const detail = {
      schemaVersion: '1',
      paymentId,
      walletId: wallet.walletId,
      merchantId: `mer_chaos_${index % 7}`,
      amount: { value: amount, currency: wallet.currency, exponent: 2 },
      paymentMethod: paymentMethodOf(seed, paymentId, kind),
      ...(walletOnly && { funding: 'wallet_only' }),
      description: `chaos order ${index}`,
      requestedAt,
    };
    payments.push({ paymentId, kind, walletId: wallet.walletId, amount, currency: wallet.currency, detail });
  }
  const malformedCount = Math.max(2, Math.round(options.payments * rates.malformed));
  const malformed = Array.from({ length: malformedCount }, (_, i) => {
    const paymentId = `${runId}-bad${i}`;
    const base = { ...(payments[i % payments.length]?.detail ?? {}), paymentId };
    return { paymentId, detail: malformedDetail(base, i) };
  });

  // Duplicates: the same detail again; the copy goes anywhere in the stream, so some precede their original.
  const slots: Array<{ detail: Record<string, unknown>; paymentId: string; copy: boolean }> = [
    ...payments.map((p) => ({ detail: p.detail, paymentId: p.paymentId, copy: false })),
    ...malformed.map((m) => ({ detail: m.detail, paymentId: m.paymentId, copy: false })),
  ];
  const duplicated = payments.filter(() => random() < rates.duplicates);
  for (const p of duplicated) slots.push({ detail: p.detail, paymentId: p.paymentId, copy: true });
  shuffle(slots, random);
  const seen = new Set<string>();
  let reordered = 0;
  for (const slot of slots) {
    if (slot.copy && !seen.has(slot.paymentId)) reordered++;
    if (!slot.copy) seen.add(slot.paymentId);
  }
  return {
    runId,
    seed,
    wallets,
    payments,
    malformed,
    sendOrder: slots.map((slot) => slot.detail),
    duplicates: duplicated.length,
    reordered,
  };
}
