/**
 * What the demo sends: a deterministic (seeded) stream of PaymentRequested
 * events with a known expected outcome each, so the summary can be checked
 * against what the saga, the ledger and the gateway report.
 */

/** Why a request is in the stream; each maps to one sandbox payment method or one kind of bad input. */
export const INTENTS = {
  approve: { paymentMethod: 'pm_card_visa', expect: 'SUCCEEDED' },
  gatewayFlaky: { paymentMethod: 'pm_sandbox_unavailable_2', expect: 'SUCCEEDED' },
  droppedResponse: { paymentMethod: 'pm_sandbox_dropresponse_1', expect: 'SUCCEEDED' },
  decline: { paymentMethod: 'pm_card_chargeDeclined', expect: 'CardDeclinedError' },
  declineNoFunds: { paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds', expect: 'CardDeclinedError' },
  walletShort: { paymentMethod: 'pm_card_visa', expect: 'InsufficientFundsError' },
  gatewayDown: { paymentMethod: 'pm_sandbox_unavailable', expect: 'GatewayUnavailableError' },
  malformed: { paymentMethod: 'pm_card_visa', expect: 'invalid_event' },
  cardNumber: { paymentMethod: 'pm_card_visa', expect: 'card_data_refused' },
} as const;
export type Intent = keyof typeof INTENTS;
export type Expectation = (typeof INTENTS)[Intent]['expect'];

/** Share of the stream per intent (the rest is `approve`); per 1,000 events. */
export const DEFAULT_MIX: Readonly<Partial<Record<Intent, number>>> = {
  gatewayFlaky: 50,
  droppedResponse: 20,
  decline: 40,
  declineNoFunds: 20,
  walletShort: 30,
  gatewayDown: 5,
  malformed: 6,
  cardNumber: 4,
};
/** Share of valid requests sent a second time (same paymentId, same payload), per 1,000. */
export const DEFAULT_DUPLICATES_PER_1000 = 50;

export interface WalletSeed {
  readonly walletId: string;
  readonly currency: 'EUR' | 'USD';
  /** Minor units deposited before the stream starts. */
  readonly deposit: number;
  readonly depositId: string;
}

export interface PlannedRequest {
  readonly paymentId: string;
  readonly intent: Intent;
  readonly walletId: string;
  /** Minor units (valid requests). */
  readonly amount: number;
  readonly currency: 'EUR' | 'USD';
  /** The event detail as sent (an object; malformed ones break the schema on purpose). */
  readonly detail: Record<string, unknown>;
  readonly duplicated: boolean;
}

export interface DemoPlan {
  readonly runId: string;
  readonly wallets: readonly WalletSeed[];
  readonly requests: readonly PlannedRequest[];
  /** Indexes into `requests`, in sending order; a duplicated request appears twice. */
  readonly sendOrder: readonly number[];
}

export interface PlanOptions {
  /** Events put on the bus, duplicates and malformed ones included. */
  readonly events: number;
  readonly seed: number;
  /** Prefix of every id this run creates, so runs never collide on a shared runtime. */
  readonly runId: string;
  readonly mix?: Readonly<Partial<Record<Intent, number>>>;
  readonly duplicatesPer1000?: number;
  /** Payments per funded wallet (fewer = more contention on wallet items). */
  readonly paymentsPerWallet?: number;
}

/** mulberry32: a tiny seeded PRNG, so a run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUNDED_DEPOSIT = 5_000_000; // 50,000.00: never short for the stream it serves
const SHORT_DEPOSIT = 500; // 5.00: every payment drawn on it is larger

/** How many requests get each intent (at least one of each intent the mix names, while there are valid ones left). */
function intentCounts(valid: number, bad: number, mix: Readonly<Partial<Record<Intent, number>>>) {
  const counts = new Map<Intent, number>();
  const share = (intent: Intent, base: number) =>
    Math.max(mix[intent] ? 1 : 0, Math.round((base * (mix[intent] ?? 0)) / 1000));
  const badMix = (mix.malformed ?? 0) + (mix.cardNumber ?? 0);
  const malformed = badMix > 0 ? Math.round((bad * (mix.malformed ?? 0)) / badMix) : 0;
  counts.set('malformed', malformed);
  counts.set('cardNumber', bad - malformed);
  let assigned = 0;
  for (const intent of Object.keys(INTENTS) as Intent[]) {
    if (intent === 'approve' || intent === 'malformed' || intent === 'cardNumber') continue;
    const n = Math.min(valid - assigned, share(intent, valid));
    counts.set(intent, n);
    assigned += n;
  }
  counts.set('approve', valid - assigned);
  return counts;
}

export function malformedDetail(base: Record<string, unknown>, variant: number): Record<string, unknown> {
  const amount = base.amount as Record<string, unknown>;
  switch (variant % 4) {
    case 0:
      return { ...base, amount: { ...amount, value: 12.5 } }; // floats are not money
    case 1: {
      const { merchantId: _dropped, ...rest } = base;
      return rest; // a required field missing
    }
    case 2:
      return { ...base, amount: { ...amount, exponent: 3 } }; // exponent disagrees with ISO 4217
    default:
      return { ...base, paymentMethod: 'card' }; // not a gateway token
  }
}

function cardNumberDetail(base: Record<string, unknown>, variant: number): Record<string, unknown> {
  // Well-known test PANs (Luhn-valid): refused wherever they appear, never logged.
  return variant % 2 === 0
    ? { ...base, description: 'paid with card 4242 4242 4242 4242' }
    : { ...base, metadata: { note: '5555-5555-5555-4444' } };
}

/** Builds the stream: wallets to seed, requests with their expected outcome, and the sending order. */
export function planDemo(options: PlanOptions): DemoPlan {
  const random = seededRandom(options.seed);
  const mix = options.mix ?? DEFAULT_MIX;
  const dupRate = options.duplicatesPer1000 ?? DEFAULT_DUPLICATES_PER_1000;
  const perWallet = options.paymentsPerWallet ?? 8;
  const badShare = ((mix.malformed ?? 0) + (mix.cardNumber ?? 0)) / 1000;
  const bad = badShare > 0 ? Math.max(2, Math.round(options.events * badShare)) : 0;
  // events = valid + duplicates + bad, duplicates = valid * dupRate / 1000
  const valid = Math.max(1, Math.floor((options.events - bad) / (1 + dupRate / 1000)));
  const duplicates = Math.max(0, options.events - bad - valid);
  const counts = intentCounts(valid, bad, mix);

  const intents: Intent[] = [];
  for (const [intent, n] of counts) for (let i = 0; i < n; i++) intents.push(intent);
  shuffle(intents, random);

  const wallets: WalletSeed[] = [];
  const funded: WalletSeed[] = [];
  const fundedCount = Math.max(2, Math.ceil(valid / perWallet));
  for (let i = 0; i < fundedCount; i++) {
    const walletId = `${options.runId}-w${i}`;
    const seed: WalletSeed = {
      walletId,
      currency: i % 2 === 0 ? 'EUR' : 'USD',
      deposit: FUNDED_DEPOSIT,
      depositId: `${walletId}-seed`,
    };
    wallets.push(seed);
    funded.push(seed);
  }
  const requestedAt = new Date().toISOString();
  const requests: PlannedRequest[] = intents.map((intent, index) => {
    const paymentId = `${options.runId}-p${index}`;
    let wallet = funded[index % funded.length] as WalletSeed;
    let amount = 100 + Math.floor(random() * 9_900); // 1.00 .. 99.99
    if (intent === 'walletShort') {
      wallet = {
        walletId: `${options.runId}-short${index}`,
        currency: 'EUR',
        deposit: SHORT_DEPOSIT,
        depositId: `${options.runId}-short${index}-seed`,
      };
      wallets.push(wallet);
      amount = SHORT_DEPOSIT + 100 + Math.floor(random() * 1_000);
    } else if (intent !== 'approve' && isValidIntent(intent)) {
      // Wallet first: a payment whose intent is about the gateway (declines, faults) draws a wallet holding
      // half of it, so the wallet pays that half and the gateway is charged the rest (the card part).
      amount = 200 + Math.floor(random() * 9_800);
      wallet = {
        walletId: `${options.runId}-split${index}`,
        currency: wallet.currency,
        deposit: Math.floor(amount / 2),
        depositId: `${options.runId}-split${index}-seed`,
      };
      wallets.push(wallet);
    }
    const base: Record<string, unknown> = {
      schemaVersion: '1',
      paymentId,
      walletId: wallet.walletId,
      merchantId: `mer_demo_${index % 7}`,
      amount: { value: amount, currency: wallet.currency, exponent: 2 },
      paymentMethod: INTENTS[intent].paymentMethod,
      // A short wallet pays from the wallet only: insufficient_funds at Reserve, the card never charged.
      ...(intent === 'walletShort' && { funding: 'wallet_only' }),
      description: `demo order ${index}`,
      requestedAt,
    };
    const detail =
      intent === 'malformed'
        ? malformedDetail(base, index)
        : intent === 'cardNumber'
          ? cardNumberDetail(base, index)
          : base;
    return {
      paymentId,
      intent,
      walletId: wallet.walletId,
      amount,
      currency: wallet.currency,
      detail,
      duplicated: false,
    };
  });

  // Duplicates: valid requests sent twice with the same payload.
  const validIndexes = requests.flatMap((r, i) => (isValidIntent(r.intent) ? [i] : []));
  shuffle(validIndexes, random);
  const duplicated = new Set(validIndexes.slice(0, duplicates));
  const withDuplicates = requests.map((r, i) => (duplicated.has(i) ? { ...r, duplicated: true } : r));
  const sendOrder = requests.map((_, i) => i);
  for (const i of duplicated) sendOrder.push(i);
  shuffle(sendOrder, random);
  return { runId: options.runId, wallets, requests: withDuplicates, sendOrder };
}

export const isValidIntent = (intent: Intent): boolean => intent !== 'malformed' && intent !== 'cardNumber';

export function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
