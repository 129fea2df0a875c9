/**
 * What the chaos run sends: N valid payments (each with a kind from the
 * schedule and the matching sandbox payment method), malformed requests the
 * intake must park in its DLQ, duplicates, and a shuffled sending order in
 * which some duplicates come before their original.
 */
import { DETAIL_TYPES } from '../../events/envelope';
import { malformedDetail, seededRandom, shuffle, type WalletSeed } from '../demo/plan';
import { type ChaosRefund, planRefunds } from './refund-plan';
import { type ChaosRates, chaosDraw, type PaymentKind, paymentKindOf, paymentMethodOf } from './schedule';

export interface ChaosPayment {
  readonly paymentId: string;
  readonly kind: PaymentKind;
  readonly walletId: string;
  readonly amount: number;
  readonly currency: 'EUR' | 'USD';
  readonly detail: Record<string, unknown>;
}

/** A top-up of a wallet that also pays (TopUpRequested on the bus): it races the payments on that wallet. */
export interface ChaosTopUp {
  readonly topUpId: string;
  /** The gateway behaviour its payment method asks for (approve, declined or a charge fault). */
  readonly kind: PaymentKind;
  readonly walletId: string;
  readonly amount: number;
  readonly currency: 'EUR' | 'USD';
  readonly detail: Record<string, unknown>;
}

/** One event of the stream, with its detail-type. */
export interface ChaosEvent {
  readonly detailType: string;
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
  /** Top-ups of funded wallets, about TOP_UP_SHARE of the payments. */
  readonly topUps: readonly ChaosTopUp[];
  /** Refunds of payments that succeeded: sent after their payment is SUCCEEDED, not in `stream`. */
  readonly refunds: readonly ChaosRefund[];
  /** The payment requests' details in sending order (duplicates included), without the top-ups. */
  readonly sendOrder: readonly Record<string, unknown>[];
  /** What the driver sends: sendOrder with the top-ups mixed in at seeded places. */
  readonly stream: readonly ChaosEvent[];
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
/** Top-ups per payment in the stream. */
export const TOP_UP_SHARE = 0.1;
/** Of the top-ups the payment kinds leave approved, the share declined (a failed top-up: refund, no credit). */
const TOP_UP_DECLINES = 0.15;
/** The top-up's kinds: those the top-up saga meets at the gateway's charge; the others top up by pm_card_visa. */
const TOP_UP_KINDS: ReadonlySet<PaymentKind> = new Set<PaymentKind>([
  'declined',
  'gateway5xx',
  'gatewayRateLimited',
  'gatewayTimeout',
  'gatewaySlow',
  'chargeResponseLost',
]);

/** Top-ups of the funded wallets (1.00-50.00 in the wallet's currency), each with a seeded gateway kind. */
function planTopUps(
  runId: string,
  seed: number,
  count: number,
  funded: readonly WalletSeed[],
  random: () => number,
  requestedAt: string,
): ChaosTopUp[] {
  return Array.from({ length: count }, (_, index) => {
    const topUpId = `${runId}-t${index}`;
    const drawn = paymentKindOf(seed, topUpId);
    const declined = chaosDraw(seed, topUpId, 'top-up-decline') < TOP_UP_DECLINES;
    const kind: PaymentKind = TOP_UP_KINDS.has(drawn) ? drawn : declined ? 'declined' : 'approve';
    const wallet = funded[Math.floor(random() * funded.length)] as WalletSeed;
    const currency = wallet.currency as 'EUR' | 'USD';
    const amount = 100 + Math.floor(random() * 4_900);
    const detail = {
      schemaVersion: '1',
      topUpId,
      walletId: wallet.walletId,
      amount: { value: amount, currency, exponent: 2 },
      paymentMethod: paymentMethodOf(seed, topUpId, kind),
      requestedAt,
    };
    return { topUpId, kind, walletId: wallet.walletId, amount, currency, detail };
  });
}

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
  const topUps = planTopUps(
    runId,
    seed,
    Math.round(options.payments * TOP_UP_SHARE),
    wallets.slice(0, funded),
    random,
    requestedAt,
  );
  const stream: ChaosEvent[] = slots.map((slot) => ({
    detailType: DETAIL_TYPES.paymentRequested,
    detail: slot.detail,
  }));
  for (const topUp of topUps) {
    const at = Math.floor(random() * (stream.length + 1));
    stream.splice(at, 0, { detailType: DETAIL_TYPES.topUpRequested, detail: topUp.detail });
  }
  return {
    runId,
    seed,
    wallets,
    payments,
    malformed,
    topUps,
    refunds: planRefunds(runId, seed, payments, requestedAt),
    sendOrder: slots.map((slot) => slot.detail),
    stream,
    duplicates: duplicated.length,
    reordered,
  };
}
