/**
 * The chaos run's fault plan. Every decision is a pure function of the seed
 * and stable ids (paymentId, function key, attempt number), so the runtime's
 * hooks (another process, restarted by kill -9) and the harness agree on it
 * without sharing state, and a seed reproduces the same plan.
 */
import { FUNCTION_KEYS, FUNCTIONS, type FunctionKey } from '../../core/config/names';
import { keepsNoRecord } from '../../core/saga/steps-records';

/** A uniform draw in [0, 1) from the seed and the parts that name the decision (FNV-1a, then a mixer). */
export function chaosDraw(seed: number, ...parts: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (const char of parts.join('\u0000')) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 4294967296;
}

/**
 * What a payment meets at the gateway and the ledger. `settle*` kinds have
 * Settle refused for good (as an expired hold would), so the saga refunds the
 * charge: that is how refunds, and faults on them, enter the run.
 */
export const PAYMENT_KINDS = {
  approve: { per1000: 0, fault: false },
  gateway5xx: { per1000: 60, fault: true },
  gatewayRateLimited: { per1000: 30, fault: true },
  gatewayTimeout: { per1000: 8, fault: true },
  gatewaySlow: { per1000: 40, fault: true },
  chargeResponseLost: { per1000: 40, fault: true },
  refundResponseLost: { per1000: 25, fault: true },
  settleRefused: { per1000: 10, fault: true },
  refundFails: { per1000: 3, fault: true },
  declined: { per1000: 25, fault: false },
  walletShort: { per1000: 10, fault: false },
  /**
   * The payment succeeds, then the chaos run refunds it (refund-plan.ts) and the gateway drops the refund's
   * answers (refund saga: replayed by its key, refunded once) or refuses it for good (FAILED, released).
   * Last in the table: their share comes out of `approve`, so the other kinds' draws stay as they were.
   */
  refundAfterSuccessLost: { per1000: 15, fault: true },
  refundAfterSuccessRefused: { per1000: 5, fault: true },
} as const;
export type PaymentKind = keyof typeof PAYMENT_KINDS;
export const PAYMENT_KIND_NAMES = Object.keys(PAYMENT_KINDS) as PaymentKind[];

/** The kind of a payment: the same answer in the harness and in the runtime's hooks. */
export function paymentKindOf(seed: number, paymentId: string): PaymentKind {
  let draw = chaosDraw(seed, paymentId, 'kind') * 1000;
  for (const kind of PAYMENT_KIND_NAMES) {
    draw -= PAYMENT_KINDS[kind].per1000;
    if (draw < 0) return kind;
  }
  return 'approve';
}

/** Kinds whose Settle the hooks refuse for good (the refund path). */
export const SETTLE_REFUSED: ReadonlySet<PaymentKind> = new Set([
  'refundResponseLost',
  'settleRefused',
  'refundFails',
]);

/** The sandbox payment method that makes the gateway behave as the kind says (local/sandbox-gateway/test-methods.ts). */
export function paymentMethodOf(seed: number, paymentId: string, kind: PaymentKind): string {
  const pick = (n: number) => 1 + Math.floor(chaosDraw(seed, paymentId, 'times') * n);
  switch (kind) {
    case 'gateway5xx':
      return `pm_sandbox_unavailable_${pick(3)}`;
    case 'gatewayRateLimited':
      return `pm_sandbox_ratelimited_${pick(2)}`;
    case 'gatewayTimeout':
      return 'pm_sandbox_timeout_1';
    case 'gatewaySlow':
      return `pm_sandbox_slow_${100 + Math.floor(chaosDraw(seed, paymentId, 'slow') * 2400)}ms`;
    case 'chargeResponseLost':
      return `pm_sandbox_dropresponse_${pick(2)}`;
    case 'refundResponseLost':
      return `pm_sandbox_refunddrop_${pick(2)}`;
    case 'refundFails':
    case 'refundAfterSuccessRefused':
      return 'pm_sandbox_refundfail';
    case 'refundAfterSuccessLost':
      return `pm_sandbox_refunddrop_${pick(2)}`;
    case 'declined':
      return 'pm_card_chargeDeclined';
    default:
      return 'pm_card_visa';
  }
}

/** Faults the runtime's hooks inject (counted when they happen) or the harness causes. */
export const INJECTED_KINDS = [
  'crashBeforeSideEffect',
  'crashAfterSideEffect',
  'crashBeforeRecord',
  'crashNotRetried',
  'settleRefused',
  'intakeRedelivery',
  'duplicateEvent',
  'reorderedEvent',
  'malformedEvent',
  'kill9',
] as const;
export type InjectedKind = (typeof INJECTED_KINDS)[number];

/** Per-decision probabilities of the hooks. */
export interface ChaosRates {
  /** A saga step dies just before its side effect (first attempt; retried by the ASL). */
  readonly crashBefore: number;
  /** A saga step dies just after its side effect (first attempt; its result is lost). */
  readonly crashAfter: number;
  /**
   * A saga step dies after its side effect but before Powertools saved its result (first attempt): its
   * idempotency record stays in progress until the dead invocation's deadline, and the retries must
   * outlast that lock (no redrive).
   */
  readonly crashBeforeRecord: number;
  /** A forward step dies with an error the ASL does not retry: the saga fails and ops redrive it. */
  readonly crashNotRetried: number;
  /** A processed intake message is not deleted and comes back at once. */
  readonly intakeRedelivery: number;
  /** Valid requests sent twice. */
  readonly duplicates: number;
  /** Malformed requests added, per payment. */
  readonly malformed: number;
}

export const DEFAULT_RATES: ChaosRates = {
  crashBefore: 0.03,
  crashAfter: 0.03,
  crashBeforeRecord: 0.02,
  crashNotRetried: 0.004,
  intakeRedelivery: 0.05,
  duplicates: 0.05,
  malformed: 0.005,
};

/** The refund saga's Lambda steps: they carry refund.paymentId and refund.refundId (no Powertools record). */
export const REFUND_STEPS: ReadonlySet<FunctionKey> = new Set(
  FUNCTION_KEYS.filter((key) => FUNCTIONS[key].refundAslPlaceholder !== undefined),
);
/**
 * The sagas' Lambda steps the crash hook may break: every function the payment saga's ASL invokes (they
 * carry payment.paymentId) and the refund saga's (decided per refund: `<paymentId>.<refundId>`).
 */
export const CRASHABLE: ReadonlySet<FunctionKey> = new Set(
  FUNCTION_KEYS.filter((key) => FUNCTIONS[key].aslPlaceholder !== undefined || REFUND_STEPS.has(key)),
);
const FORWARD: ReadonlySet<FunctionKey> = new Set(['reserve', 'charge', 'settle']);
/**
 * Steps that keep a Powertools idempotency record (RecordOutcome is a plain conditional write; no refund step keeps
 * one; core/saga/steps-records.ts says which payment steps run without one: Reserve, Settle, Notify).
 */
export const RECORDED: ReadonlySet<FunctionKey> = new Set(
  [...CRASHABLE].filter((key) => key !== 'recordOutcome' && !REFUND_STEPS.has(key) && !keepsNoRecord(key)),
);

export type InvocationDecision =
  | {
      readonly fault:
        | 'crashBeforeSideEffect'
        | 'crashAfterSideEffect'
        | 'crashBeforeRecord'
        | 'crashNotRetried';
    }
  | { readonly fault: 'settleRefused' }
  | undefined;

/**
 * What the hooks do to attempt `attempt` (1-based, counted by the runtime) of
 * `key` for `paymentId`. Crashes hit the first attempt only, so the ASL's
 * retries get through; a refused Settle is refused on every attempt.
 */
export function invocationDecision(
  seed: number,
  rates: ChaosRates,
  paymentId: string,
  key: FunctionKey,
  attempt: number,
): InvocationDecision {
  if (!CRASHABLE.has(key)) return undefined;
  if (key === 'settle' && SETTLE_REFUSED.has(paymentKindOf(seed, paymentId))) {
    return { fault: 'settleRefused' };
  }
  if (attempt !== 1) return undefined;
  const draw = chaosDraw(seed, paymentId, key, attempt, 'crash');
  if (draw < rates.crashBefore) return { fault: 'crashBeforeSideEffect' };
  if (draw < rates.crashBefore + rates.crashAfter) return { fault: 'crashAfterSideEffect' };
  const beforeRecord = rates.crashBefore + rates.crashAfter + rates.crashBeforeRecord;
  if (draw < beforeRecord) {
    if (RECORDED.has(key)) return { fault: 'crashBeforeRecord' };
    // A payment step that keeps no record dies after its side effect there (the same crash, no record left).
    return keepsNoRecord(key) ? { fault: 'crashAfterSideEffect' } : undefined;
  }
  if (FORWARD.has(key) && draw < beforeRecord + rates.crashNotRetried) {
    return { fault: 'crashNotRetried' };
  }
  return undefined;
}

/** Whether the intake leaves this (processed) message in the queue: first receive only. */
export function redeliveryDecision(
  seed: number,
  rates: ChaosRates,
  paymentId: string,
  receiveCount: number,
): boolean {
  return receiveCount === 1 && chaosDraw(seed, paymentId, 'redeliver') < rates.intakeRedelivery;
}
