/**
 * fast-check arbitraries for PaymentRequested input: valid details, boundary
 * details (just inside and just outside every limit), hostile details, and
 * hostile PutEvents entries and raw queue bodies. Every generated case says
 * what the intake must answer (`expect`), decided by how the case was built —
 * never by running the schema — plus the card numbers it carries (`pans`), so
 * a test can scan logs and stored copies for them. Transport-agnostic: the
 * same details fit PutEvents, a raw SQS body or POST /v1/payments.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { STRIPE_CURRENCY_RULES, STRIPE_MAX_AMOUNT } from '../../../core/gateway/stripe-units';
import { CURRENCY_EXPONENTS, type Currency, MAX_AMOUNT_MINOR } from '../../../core/money';
import {
  type GeneratedPan,
  luhnCheckDigit,
  mayHoldPan,
  panArbitrary,
  panWithoutSpacesArbitrary,
} from './pan';

export { type GeneratedPan, leakedPan, luhnCheckDigit, mayHoldPan, panArbitrary } from './pan';

/** What intake must do with the case: start a saga, or reject it with this reasonCode. */
export type IntakeExpectation = 'start' | 'invalid_event' | 'card_data_refused';

export const DETAIL_CATEGORIES = [
  'valid',
  'boundary',
  'wrongType',
  'missingField',
  'extraField',
  'hugeString',
  'badNumber',
  'unicode',
  'prototypeKey',
  'pan',
  'deepNesting',
  'oversized',
] as const;
export type DetailCategory = (typeof DETAIL_CATEGORIES)[number];

export interface DetailCase {
  readonly category: DetailCategory;
  /** What was done, naming the field only (never a generated card number). */
  readonly label: string;
  /** The detail as JSON text, exactly as it is sent (raw number spellings and deep nesting included). */
  readonly json: string;
  readonly expect: IntakeExpectation;
  /** Bare digits of every card number the case carries. */
  readonly pans: readonly string[];
  /** The paymentId when the case has a usable one (to find its saga or rejection). */
  readonly paymentId?: string;
}

/** The fields of a valid request, before it is serialized. */
export interface ValidDetail {
  schemaVersion: '1';
  paymentId: string;
  walletId: string;
  merchantId: string;
  amount: { value: number; currency: Currency; exponent: number };
  paymentMethod: string;
  description?: string;
  metadata?: Record<string, string>;
  requestedAt: string;
}

/** Unique paymentIds so cases never collide (a duplicate would be suppressed, not started). */
export interface CaseIds {
  next(): string;
}

/** Letters then a base-36 counter: unique per factory, and never a digit run a PAN scan could trip on. */
export function caseIds(
  prefix = `fz${randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 6)}`,
): CaseIds {
  let counter = 0;
  return { next: () => `${prefix}${(counter++).toString(36)}` };
}

const CURRENCY_LIST = Object.keys(CURRENCY_EXPONENTS) as Currency[];
const exponentOf = (currency: Currency): number => CURRENCY_EXPONENTS[currency];

/** The nearest value the gateway takes in `currency` (docs.stripe.com/currencies): its step, minimum and maximum. */
function representable(value: number, currency: Currency): number {
  const rule = STRIPE_CURRENCY_RULES[currency];
  const perUnit = 10 ** (rule.stripeExponent - exponentOf(currency));
  const step = Math.max(1, rule.multipleOf / perUnit);
  const max = Math.floor(STRIPE_MAX_AMOUNT / perUnit / step) * step;
  const min = Math.ceil((rule.minimumCharge ?? 1) / perUnit / step) * step;
  return Math.min(max, Math.max(min, Math.floor(value / step) * step));
}

/** Keys whose assignment on a plain object does something other than store a value. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Unicode that breaks naive code: emoji, RTL override, zero-width, BOM, lone surrogates, NUL, look-alikes. */
export const TRICKY_UNICODE = [
  '😀',
  '👩‍👩‍👧',
  '\u202E',
  '\u200F',
  '\u200B',
  '\u200D',
  '\uFEFF',
  '\uD800',
  '\uDFFF',
  '\u0000',
  '\u0007',
  '\n',
  'е',
  'Ａ',
  '\u0301',
  'ﷺ',
  '𝕏',
  'مرحبا',
] as const;

const noPan = (text: string) => !mayHoldPan(text);
const safeId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,30}$/).filter(noPan);
const metadataKey = fc
  .stringMatching(/^[A-Za-z0-9_.-]{1,40}$/)
  .filter((key) => noPan(key) && !(PROTOTYPE_KEYS as readonly string[]).includes(key));
const freeText = (maxLength: number) =>
  fc
    .string({ unit: 'grapheme', maxLength })
    .filter((text) => text.length <= 500 && noPan(text) && !/\d/.test(text));

/** A valid request: every field within its rules, a unique paymentId. */
export function validDetailArbitrary(ids: CaseIds): fc.Arbitrary<ValidDetail> {
  return fc
    .record({
      tail: fc.stringMatching(/^[A-Za-z0-9_-]{0,24}$/).filter(noPan),
      walletId: safeId,
      merchantId: safeId,
      currency: fc.constantFrom(...CURRENCY_LIST),
      value: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: MAX_AMOUNT_MINOR })),
      paymentMethod: fc.stringMatching(/^[A-Za-z0-9_]{3,60}$/).filter(noPan),
      description: fc.option(freeText(80), { nil: undefined }),
      metadata: fc.option(fc.dictionary(metadataKey, freeText(40), { maxKeys: 5 }), { nil: undefined }),
      requestedAt: fc.date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2099-12-31T23:59:59Z'),
        noInvalidDate: true,
      }),
    })
    .map((r) => {
      const detail: ValidDetail = {
        schemaVersion: '1',
        paymentId: `${ids.next()}_${r.tail}`.slice(0, 64),
        walletId: r.walletId,
        merchantId: r.merchantId,
        amount: {
          value: representable(r.value, r.currency),
          currency: r.currency,
          exponent: exponentOf(r.currency),
        },
        paymentMethod: `pm_${r.paymentMethod}`,
        requestedAt: r.requestedAt.toISOString(),
      };
      if (r.description !== undefined) detail.description = r.description;
      if (r.metadata !== undefined) detail.metadata = { ...r.metadata };
      return detail;
    });
}

/** A change applied to a valid request, with the answer it calls for. */
interface Mutation {
  readonly label: string;
  readonly expect: IntakeExpectation;
  readonly apply: (detail: Record<string, unknown>) => void;
  /** Raw JSON text replacing the placeholder string (number spellings JSON.stringify cannot produce). */
  readonly raw?: string;
  readonly pans?: readonly string[];
}

/** The placeholder a raw-text mutation puts where its JSON text goes. */
const RAW = '\u0001raw\u0001';

function serialize(detail: Record<string, unknown>, raw?: string): string {
  const json = JSON.stringify(detail);
  return raw === undefined ? json : json.replace(JSON.stringify(RAW), raw);
}

function caseFrom(category: DetailCategory, base: ValidDetail, mutation: Mutation): DetailCase {
  const detail = structuredClone(base) as unknown as Record<string, unknown>;
  mutation.apply(detail);
  const paymentId = typeof detail.paymentId === 'string' ? detail.paymentId : undefined;
  return {
    category,
    label: mutation.label,
    json: serialize(detail, mutation.raw),
    expect: mutation.expect,
    pans: mutation.pans ?? [],
    ...(paymentId !== undefined && { paymentId }),
  };
}

const amountOf = (detail: Record<string, unknown>) => detail.amount as Record<string, unknown>;
const metadataOf = (detail: Record<string, unknown>): Record<string, unknown> => {
  if (!detail.metadata || typeof detail.metadata !== 'object') detail.metadata = {};
  return detail.metadata as Record<string, unknown>;
};
/** Sets an own property, even `__proto__` (plain assignment would set the prototype instead). */
const defineOwn = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });

const setCurrency = (currency: Currency, exponent: number) => (d: Record<string, unknown>) => {
  d.amount = { value: 100_000, currency, exponent };
};

function padTo(text: string, length: number, filler = 'x'): string {
  return text.length >= length ? text.slice(0, length) : text + filler.repeat(length - text.length);
}

/** Just inside and just outside every limit of the contract. */
export const boundaryMutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom<Mutation>(
    {
      label: 'paymentId of 64',
      expect: 'start',
      apply: (d) => {
        d.paymentId = padTo(String(d.paymentId), 64);
      },
    },
    {
      label: 'paymentId of 65',
      expect: 'invalid_event',
      apply: (d) => {
        d.paymentId = padTo(String(d.paymentId), 65);
      },
    },
    {
      label: 'paymentId starting with "-"',
      expect: 'invalid_event',
      apply: (d) => {
        d.paymentId = `-${String(d.paymentId)}`;
      },
    },
    {
      label: 'walletId of 64 with ":"',
      expect: 'start',
      apply: (d) => {
        d.walletId = padTo('wal:', 64);
      },
    },
    {
      label: 'walletId of 65',
      expect: 'invalid_event',
      apply: (d) => {
        d.walletId = padTo('wal:', 65);
      },
    },
    {
      label: 'merchantId of 64',
      expect: 'start',
      apply: (d) => {
        d.merchantId = padTo('mer-', 64);
      },
    },
    {
      label: 'merchantId of 65',
      expect: 'invalid_event',
      apply: (d) => {
        d.merchantId = padTo('mer-', 65);
      },
    },
    {
      label: 'merchantId empty',
      expect: 'invalid_event',
      apply: (d) => {
        d.merchantId = '';
      },
    },
    {
      label: 'amount 1 (CLP: no minimum charge stated)',
      expect: 'start',
      apply: (d) => {
        d.amount = { value: 1, currency: 'CLP', exponent: 0 };
      },
    },
    {
      label: 'amount below the gateway minimum charge (EUR 0.49)',
      expect: 'invalid_event',
      apply: (d) => {
        d.amount = { value: 49, currency: 'EUR', exponent: 2 };
      },
    },
    {
      label: 'three-decimal amount whose last digit is not 0 (KWD 5.124)',
      expect: 'invalid_event',
      apply: (d) => {
        d.amount = { value: 5124, currency: 'KWD', exponent: 3 };
      },
    },
    {
      label: 'ISK over the gateway maximum (1,000,000 ISK is 100000000 in its units)',
      expect: 'invalid_event',
      apply: (d) => {
        d.amount = { value: 1_000_000, currency: 'ISK', exponent: 0 };
      },
    },
    {
      label: 'amount 0',
      expect: 'invalid_event',
      apply: (d) => {
        amountOf(d).value = 0;
      },
    },
    {
      label: 'amount at the maximum',
      expect: 'start',
      apply: (d) => {
        d.amount = { value: MAX_AMOUNT_MINOR, currency: 'EUR', exponent: 2 };
      },
    },
    {
      label: 'amount one over the maximum',
      expect: 'invalid_event',
      apply: (d) => {
        amountOf(d).value = MAX_AMOUNT_MINOR + 1;
      },
    },
    {
      label: 'paymentMethod pm_ + 3',
      expect: 'start',
      apply: (d) => {
        d.paymentMethod = 'pm_abc';
      },
    },
    {
      label: 'paymentMethod pm_ + 2',
      expect: 'invalid_event',
      apply: (d) => {
        d.paymentMethod = 'pm_ab';
      },
    },
    {
      label: 'paymentMethod pm_ + 96',
      expect: 'start',
      apply: (d) => {
        d.paymentMethod = padTo('pm_', 99, 'k');
      },
    },
    {
      label: 'paymentMethod pm_ + 97',
      expect: 'invalid_event',
      apply: (d) => {
        d.paymentMethod = padTo('pm_', 100, 'k');
      },
    },
    {
      label: 'paymentMethod without pm_',
      expect: 'invalid_event',
      apply: (d) => {
        d.paymentMethod = 'card_visa';
      },
    },
    {
      label: 'description of 500',
      expect: 'start',
      apply: (d) => {
        d.description = 'd'.repeat(500);
      },
    },
    {
      label: 'description of 501',
      expect: 'invalid_event',
      apply: (d) => {
        d.description = 'd'.repeat(501);
      },
    },
    {
      label: 'description of 500 emoji (500 code points, 1000 UTF-16 units)',
      expect: 'start',
      apply: (d) => {
        d.description = '😀'.repeat(500);
      },
    },
    {
      label: 'description of 501 emoji',
      expect: 'invalid_event',
      apply: (d) => {
        d.description = '😀'.repeat(501);
      },
    },
    {
      label: 'description empty',
      expect: 'start',
      apply: (d) => {
        d.description = '';
      },
    },
    {
      label: 'metadata empty',
      expect: 'start',
      apply: (d) => {
        d.metadata = {};
      },
    },
    {
      label: 'metadata with 20 keys',
      expect: 'start',
      apply: (d) => {
        d.metadata = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v']));
      },
    },
    {
      label: 'metadata with 21 keys',
      expect: 'invalid_event',
      apply: (d) => {
        d.metadata = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
      },
    },
    {
      label: 'metadata key of 40',
      expect: 'start',
      apply: (d) => {
        d.metadata = { [padTo('k', 40)]: 'v' };
      },
    },
    {
      label: 'metadata key of 41',
      expect: 'invalid_event',
      apply: (d) => {
        d.metadata = { [padTo('k', 41)]: 'v' };
      },
    },
    {
      label: 'metadata key empty',
      expect: 'invalid_event',
      apply: (d) => {
        d.metadata = { '': 'v' };
      },
    },
    {
      label: 'metadata value of 500',
      expect: 'start',
      apply: (d) => {
        d.metadata = { note: 'v'.repeat(500) };
      },
    },
    {
      label: 'metadata value of 501',
      expect: 'invalid_event',
      apply: (d) => {
        d.metadata = { note: 'v'.repeat(501) };
      },
    },
    {
      label: 'requestedAt at +14:00',
      expect: 'start',
      apply: (d) => {
        d.requestedAt = '2026-01-01T00:00:00+14:00';
      },
    },
    {
      label: 'requestedAt with nanoseconds',
      expect: 'start',
      apply: (d) => {
        d.requestedAt = '2026-01-01T00:00:00.123456789Z';
      },
    },
    {
      label: 'requestedAt without a time zone',
      expect: 'invalid_event',
      apply: (d) => {
        d.requestedAt = '2026-01-01T00:00:00';
      },
    },
    {
      label: 'requestedAt on 30 February',
      expect: 'invalid_event',
      apply: (d) => {
        d.requestedAt = '2026-02-30T00:00:00Z';
      },
    },
    {
      label: 'requestedAt leap second',
      expect: 'invalid_event',
      apply: (d) => {
        d.requestedAt = '2026-12-31T23:59:60Z';
      },
    },
    {
      label: 'requestedAt as a date only',
      expect: 'invalid_event',
      apply: (d) => {
        d.requestedAt = '2026-01-01';
      },
    },
    {
      label: 'schemaVersion "2"',
      expect: 'invalid_event',
      apply: (d) => {
        d.schemaVersion = '2';
      },
    },
  ),
  fc.constantFrom(...CURRENCY_LIST).map<Mutation>((currency) => ({
    label: `amount in ${currency} with its exponent`,
    expect: 'start',
    apply: setCurrency(currency, exponentOf(currency)),
  })),
  fc.constantFrom(...CURRENCY_LIST).map<Mutation>((currency) => ({
    label: `amount in ${currency} with the wrong exponent`,
    expect: 'invalid_event',
    apply: setCurrency(currency, (exponentOf(currency) + 2) % 5),
  })),
);

/** Field paths a mutation can target, with the JSON type each expects. */
const FIELDS = {
  schemaVersion: 'string',
  paymentId: 'string',
  walletId: 'string',
  merchantId: 'string',
  amount: 'object',
  'amount.value': 'number',
  'amount.currency': 'string',
  'amount.exponent': 'number',
  paymentMethod: 'string',
  description: 'string',
  metadata: 'object',
  'metadata.note': 'string',
  requestedAt: 'string',
} as const;
type FieldPath = keyof typeof FIELDS;
const FIELD_PATHS = Object.keys(FIELDS) as FieldPath[];
const REQUIRED_PATHS: FieldPath[] = [
  'schemaVersion',
  'paymentId',
  'walletId',
  'merchantId',
  'amount',
  'amount.value',
  'amount.currency',
  'amount.exponent',
  'paymentMethod',
  'requestedAt',
];

function setPath(detail: Record<string, unknown>, path: FieldPath, value: unknown): void {
  const [head, leaf] = path.split('.') as [string, string | undefined];
  if (leaf === undefined) {
    defineOwn(detail, head, value);
    return;
  }
  const parent = head === 'metadata' ? metadataOf(detail) : amountOf(detail);
  defineOwn(parent, leaf, value);
}

function deletePath(detail: Record<string, unknown>, path: FieldPath): void {
  const [head, leaf] = path.split('.') as [string, string | undefined];
  if (leaf === undefined) delete detail[head];
  else delete amountOf(detail)[leaf];
}

const WRONG_VALUES: ReadonlyArray<{ type: string; value: unknown }> = [
  { type: 'number', value: 42 },
  { type: 'number', value: -1.5 },
  { type: 'number', value: 0 },
  { type: 'boolean', value: true },
  { type: 'boolean', value: false },
  { type: 'null', value: null },
  { type: 'array', value: [] },
  { type: 'array', value: ['pm_card_visa', 1] },
  { type: 'object', value: {} },
  { type: 'object', value: { value: 1 } },
  { type: 'string', value: '' },
  { type: 'string', value: '12' },
  { type: 'string', value: 'EUR' },
];

/** Every field with a value of another JSON type. */
export const wrongTypeMutationArbitrary: fc.Arbitrary<Mutation> = fc
  .constantFrom(...FIELD_PATHS)
  .chain((path) =>
    fc
      .constantFrom(...WRONG_VALUES.filter(({ type }) => type !== FIELDS[path]))
      .map<Mutation>(({ type, value }) => ({
        label: `${path} as ${type}`,
        expect: 'invalid_event',
        apply: (d) => setPath(d, path, value),
      })),
  );

/** Each required field missing, or everything. */
export const missingFieldMutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...REQUIRED_PATHS).map<Mutation>((path) => ({
    label: `${path} missing`,
    expect: 'invalid_event',
    apply: (d) => deletePath(d, path),
  })),
  fc.constant<Mutation>({
    label: 'every field missing',
    expect: 'invalid_event',
    apply: (d) => {
      for (const key of Object.keys(d)) delete d[key];
    },
  }),
);

const KNOWN_KEYS = new Set([...FIELD_PATHS, 'value', 'currency', 'exponent']);
const extraKey = fc.oneof(
  fc.constantFrom('paymentID', 'amout', 'Amount', 'payment_id', 'cardNumber', 'pan', 'cvc', 'v', ''),
  fc.string({ maxLength: 30 }).filter((key) => noPan(key) && !KNOWN_KEYS.has(key)),
);
const extraValue = fc.jsonValue({ maxDepth: 2 }).filter((value) => noPan(JSON.stringify(value) ?? ''));

/** An unknown field at the top level or in the (strict) amount. */
export const extraFieldMutationArbitrary: fc.Arbitrary<Mutation> = fc
  .record({ where: fc.constantFrom('top', 'amount'), key: extraKey, value: extraValue })
  .map<Mutation>(({ where, key, value }) => ({
    label: `extra field in ${where}`,
    expect: 'invalid_event',
    apply: (d) => defineOwn(where === 'top' ? d : amountOf(d), key, value),
  }));

/** How long each string field may be; a huge string goes past it. */
const STRING_LIMITS = {
  schemaVersion: 1,
  paymentId: 64,
  walletId: 64,
  merchantId: 64,
  'amount.currency': 3,
  paymentMethod: 99,
  description: 500,
  'metadata.note': 500,
  requestedAt: 35,
} as const satisfies Partial<Record<FieldPath, number>>;
const HUGE_CHARS = ['a', 'Z', ' ', 'é', '😀', '\u200B', 'x_'] as const;
/** UTF-8 bytes a huge string may take: leaves room for the envelope under EventBridge's 256 KB. */
export const HUGE_STRING_MAX_BYTES = 200_000;

/** A string field, or a metadata key, beyond its limit: just past it up to ~200 KB. */
export const hugeStringMutationArbitrary: fc.Arbitrary<Mutation> = fc
  .record({
    field: fc.constantFrom(
      ...(Object.keys(STRING_LIMITS) as Array<keyof typeof STRING_LIMITS>),
      'metadata key',
    ),
    char: fc.constantFrom(...HUGE_CHARS),
    over: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 100 }) },
      { weight: 3, arbitrary: fc.integer({ min: 100, max: 20_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 20_000, max: HUGE_STRING_MAX_BYTES }) },
    ),
  })
  .map<Mutation>(({ field, char, over }) => {
    const limit = field === 'metadata key' ? 40 : STRING_LIMITS[field];
    // Lengths are Unicode code points (zod and JSON Schema count them so), sizes are UTF-8 bytes.
    const codePoints = [...char].length;
    const maxRepeats = Math.floor(HUGE_STRING_MAX_BYTES / Buffer.byteLength(char));
    const text = char.repeat(Math.min(Math.ceil((limit + over) / codePoints), maxRepeats));
    return {
      label: `${field} of ${[...text].length} code points of ${JSON.stringify(char)}`,
      expect: 'invalid_event',
      apply: (d) => {
        if (field === 'metadata key') defineOwn(metadataOf(d), text, 'v');
        else setPath(d, field, text);
      },
    };
  });

/** Numbers JSON can spell that are not a positive integer of minor units, and spellings that are. */
const BAD_VALUES: ReadonlyArray<{ label: string; value: unknown }> = [
  { label: '-1', value: -1 },
  { label: '-0', value: -0 },
  { label: '1.5', value: 1.5 },
  { label: '0.1', value: 0.1 },
  { label: '2^53', value: 2 ** 53 },
  { label: '2^53 + 2', value: 2 ** 53 + 2 },
  { label: '1e21', value: 1e21 },
  { label: 'MAX_VALUE', value: Number.MAX_VALUE },
  { label: 'MIN_VALUE', value: Number.MIN_VALUE },
  { label: 'NaN (serialized as null)', value: Number.NaN },
  { label: '-Infinity (serialized as null)', value: Number.NEGATIVE_INFINITY },
  { label: 'the string "NaN"', value: 'NaN' },
  { label: 'the string "Infinity"', value: 'Infinity' },
  { label: 'the string "1e3"', value: '1e3' },
  { label: 'the string "0x10"', value: '0x10' },
  { label: 'the string " 12"', value: ' 12' },
];
const RAW_NUMBERS: ReadonlyArray<{ raw: string; expect: IntakeExpectation }> = [
  // JSON numbers mean their value: these spell positive integers, so they are valid.
  { raw: '1e2', expect: 'start' },
  { raw: '1E+2', expect: 'start' },
  { raw: '12.50e1', expect: 'start' },
  { raw: '100.0', expect: 'start' },
  { raw: '1e400', expect: 'invalid_event' },
  { raw: '-1e2', expect: 'invalid_event' },
  { raw: '1.5e0', expect: 'invalid_event' },
  { raw: '1e-7', expect: 'invalid_event' },
  { raw: '99999999.5', expect: 'invalid_event' },
  { raw: '100000000e0', expect: 'invalid_event' },
  { raw: '-0.0', expect: 'invalid_event' },
];

/** Out-of-range, fractional, NaN-like and exponent-notation numbers in amount.value and amount.exponent. */
export const badNumberMutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...BAD_VALUES).map<Mutation>(({ label, value }) => ({
    label: `amount.value ${label}`,
    expect: 'invalid_event',
    apply: (d) => {
      amountOf(d).value = value;
    },
  })),
  fc.constantFrom(...RAW_NUMBERS).map<Mutation>(({ raw, expect }) => ({
    label: `amount.value written ${raw}`,
    expect,
    raw,
    apply: (d) => {
      // ZAR: two decimals, minimum charge 0.50, so 1e2 (1.00) and 12.50e1 (1.25) are amounts the gateway takes.
      d.amount = { value: RAW, currency: 'ZAR', exponent: 2 };
    },
  })),
  fc.constantFrom(-1, 2.5, 5, 1e3, Number.NaN, '2').map<Mutation>((exponent) => ({
    label: `amount.exponent ${String(exponent)}`,
    expect: 'invalid_event',
    apply: (d) => {
      amountOf(d).exponent = exponent;
    },
  })),
  fc.integer({ min: -(2 ** 31), max: 0 }).map<Mutation>((value) => ({
    label: 'amount.value not positive',
    expect: 'invalid_event',
    apply: (d) => {
      amountOf(d).value = value;
    },
  })),
  fc
    .double({ min: 0.000001, max: MAX_AMOUNT_MINOR, noInteger: true, noNaN: true })
    .map<Mutation>((value) => ({
      label: 'amount.value fractional',
      expect: 'invalid_event',
      apply: (d) => {
        amountOf(d).value = value;
      },
    })),
);

const ID_FIELDS = [
  'paymentId',
  'walletId',
  'merchantId',
  'paymentMethod',
  'amount.currency',
  'requestedAt',
] as const;
const trickyRun = fc
  .array(fc.constantFrom(...TRICKY_UNICODE), { minLength: 1, maxLength: 6 })
  .map((a) => a.join(''));

/** Unicode in identifiers (refused) and in free text (accepted, and carried as sent). */
export const unicodeMutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .record({ field: fc.constantFrom(...ID_FIELDS), run: trickyRun, at: fc.nat() })
    .map<Mutation>(({ field, run, at }) => ({
      label: `unicode in ${field}`,
      expect: 'invalid_event',
      apply: (d) => {
        const [head, leaf] = field.split('.') as [string, string | undefined];
        const holder = leaf === undefined ? d : amountOf(d);
        const current = String(holder[leaf ?? head]);
        const i = at % (current.length + 1);
        holder[leaf ?? head] = current.slice(0, i) + run + current.slice(i);
      },
    })),
  fc.record({ run: trickyRun }).map<Mutation>(({ run }) => ({
    label: 'unicode in a metadata key',
    expect: 'invalid_event',
    apply: (d) => defineOwn(metadataOf(d), `k${run}`, 'v'),
  })),
  fc
    .record({
      field: fc.constantFrom('description', 'metadata.note'),
      runs: fc.array(trickyRun, { maxLength: 8 }),
    })
    .map<Mutation>(({ field, runs }) => ({
      label: `unicode in ${field} (free text: accepted)`,
      expect: 'start',
      apply: (d) => setPath(d, field, runs.join(' ')),
    })),
);

const POLLUTION_VALUES: readonly unknown[] = [
  { polluted: 'yes' },
  { isAdmin: true },
  'x',
  null,
  { prototype: { polluted: 'yes' } },
];

/**
 * `__proto__`, `constructor` and `prototype` as own keys (as JSON.parse makes them) at the top level,
 * in amount and in metadata: refused everywhere (zod would drop `__proto__` from metadata silently, and
 * an own `constructor` breaks the DynamoDB marshaller in the saga's steps).
 */
export const prototypeKeyMutationArbitrary: fc.Arbitrary<Mutation> = fc
  .record({
    where: fc.constantFrom('top', 'amount', 'metadata'),
    key: fc.constantFrom(...PROTOTYPE_KEYS),
    value: fc.constantFrom(...POLLUTION_VALUES),
    stringValue: fc.boolean(),
  })
  .map<Mutation>(({ where, key, value, stringValue }) => {
    const stored = where === 'metadata' && stringValue ? 'plain text' : value;
    return {
      label: `${key} in ${where} (${typeof stored === 'string' ? 'string' : JSON.stringify(stored)})`,
      expect: 'invalid_event',
      apply: (d) => {
        const holder = where === 'top' ? d : where === 'amount' ? amountOf(d) : metadataOf(d);
        defineOwn(holder, key, stored);
      },
    };
  });

/** A 15-digit card number from the first 14 digits of a longer one (fits a double exactly). */
function shortPan(digits: string): GeneratedPan {
  const body = digits.slice(0, 14);
  const short = body + luhnCheckDigit(body);
  return { digits: short, text: short };
}

/** Where a PAN goes: every field (in the form that field's alphabet allows), as a key, as a number. */
const PAN_PLACES = [
  'paymentId',
  'walletId',
  'merchantId',
  'paymentMethod',
  'description',
  'metadata value',
  'metadata key',
  'requestedAt',
  'schemaVersion',
  'amount.currency',
  'amount.value as a number',
  'extra field',
  'extra field name',
  'array in metadata',
] as const;
const TEXT_PLACES: readonly string[] = [
  'description',
  'metadata value',
  'requestedAt',
  'schemaVersion',
  'extra field',
  'array in metadata',
];
const ID_PLACES: readonly string[] = ['paymentId', 'walletId', 'merchantId'];
const TEXT_AROUND = [
  ['', ''],
  ['card ', ' exp 12/29'],
  ['my card is ', '.'],
  ['(', ')'],
  ['"', '"'],
  ['pan:', ''],
] as const;
const ID_AROUND = [
  ['', ''],
  ['pay_', ''],
  ['pay-', ''],
  ['x:', ''],
  ['', '_x'],
  ['', '-x'],
  ['ord-', '-1'],
] as const;

/**
 * A card number in one place of an otherwise valid request. Identifier fields get it joined by the
 * separators their alphabet allows ("pay-4111...", "pm_4111..."); glued to letters ("ref4111...") it is
 * not generated — core/pan documents that as not caught.
 */
export const panMutationArbitrary: fc.Arbitrary<Mutation> = fc
  .record({
    place: fc.constantFrom(...PAN_PLACES),
    pan: panArbitrary,
    bare: panWithoutSpacesArbitrary,
    text: fc.constantFrom(...TEXT_AROUND),
    id: fc.constantFrom(...ID_AROUND),
  })
  .map<Mutation>(({ place, pan, bare, text, id }) => {
    const inText = `${text[0]}${pan.text}${text[1]}`;
    // As a JSON number it must survive parsing: past 2^53 the digits are rounded away (and are no card).
    const safeBare = Number.isSafeInteger(Number(bare.digits)) ? bare : shortPan(bare.digits);
    // Joined to an identifier by a dash, only the bare number is caught: "pay-4111-1111-..." reads like
    // the digit groups of a UUID, which core/pan deliberately lets through.
    const dashJoined = id[0].endsWith('-') || id[1].startsWith('-');
    const idPan = dashJoined ? bare.digits : bare.text;
    const inId = `${id[0]}${idPan}${id[1]}`;
    const digitsOnly = `${id[0]}${bare.digits}${id[1]}`;
    const written = TEXT_PLACES.includes(place) ? pan.text : ID_PLACES.includes(place) ? idPan : bare.digits;
    const used: GeneratedPan = TEXT_PLACES.includes(place) ? pan : bare;
    const apply = (d: Record<string, unknown>): void => {
      switch (place) {
        case 'paymentId':
        case 'walletId':
        case 'merchantId':
          d[place] = inId;
          return;
        case 'paymentMethod':
          d.paymentMethod = `pm_${bare.digits}`;
          return;
        case 'description':
          d.description = inText;
          return;
        case 'metadata value':
          metadataOf(d).note = inText;
          return;
        case 'metadata key':
          defineOwn(metadataOf(d), digitsOnly, 'v');
          return;
        case 'requestedAt':
        case 'schemaVersion':
          d[place] = inText;
          return;
        case 'amount.currency':
          amountOf(d).currency = bare.digits;
          return;
        case 'amount.value as a number':
          amountOf(d).value = Number(safeBare.digits);
          return;
        case 'extra field':
          defineOwn(d, 'cardNumber', inText);
          return;
        case 'extra field name':
          defineOwn(d, bare.digits, true);
          return;
        case 'array in metadata':
          metadataOf(d).cards = ['x', inText];
          return;
      }
    };
    return {
      label: `PAN (${written === used.digits ? 'bare' : 'grouped'}) in ${place}`,
      expect: 'card_data_refused',
      pans: [place === 'amount.value as a number' ? safeBare.digits : used.digits],
      apply,
    };
  });

/** Arrays nested deep inside metadata (a recursive walk must not blow the stack). */
export const deepNestingMutationArbitrary: fc.Arbitrary<Mutation> = fc
  .constantFrom(100, 1_000, 5_000, 20_000, 50_000)
  .map<Mutation>((depth) => ({
    label: `metadata value nested ${depth} arrays deep`,
    expect: 'invalid_event',
    raw: `${'['.repeat(depth)}"x"${']'.repeat(depth)}`,
    apply: (d) => {
      metadataOf(d).deep = RAW;
    },
  }));

/** PutEvents' and SQS's 256 KB: a detail this big cannot be put on the bus. */
export const OVERSIZED_MIN_BYTES = 256 * 1024 + 1;

/** A request whose detail alone is over 256 KB (EventBridge refuses it; a 1 MiB queue takes it). */
export const oversizedMutationArbitrary: fc.Arbitrary<Mutation> = fc
  .record({
    bytes: fc.integer({ min: OVERSIZED_MIN_BYTES, max: 600 * 1024 }),
    where: fc.constantFrom('description', 'metadata.note'),
  })
  .map<Mutation>(({ bytes, where }) => ({
    label: `${where} of ${bytes} bytes`,
    expect: 'invalid_event',
    apply: (d) => setPath(d, where, 'o'.repeat(bytes)),
  }));

const HOSTILE_MUTATIONS: ReadonlyArray<readonly [DetailCategory, fc.Arbitrary<Mutation>]> = [
  ['wrongType', wrongTypeMutationArbitrary],
  ['missingField', missingFieldMutationArbitrary],
  ['extraField', extraFieldMutationArbitrary],
  ['hugeString', hugeStringMutationArbitrary],
  ['badNumber', badNumberMutationArbitrary],
  ['unicode', unicodeMutationArbitrary],
  ['prototypeKey', prototypeKeyMutationArbitrary],
  ['pan', panMutationArbitrary],
  ['deepNesting', deepNestingMutationArbitrary],
  ['oversized', oversizedMutationArbitrary],
];

const mutated = (ids: CaseIds, category: DetailCategory, mutation: fc.Arbitrary<Mutation>) =>
  fc.tuple(validDetailArbitrary(ids), mutation).map(([base, m]) => caseFrom(category, base, m));

/** Valid requests as cases (expect: start). */
export function validCaseArbitrary(ids: CaseIds): fc.Arbitrary<DetailCase> {
  return validDetailArbitrary(ids).map((detail) => ({
    category: 'valid',
    label: 'valid request',
    json: JSON.stringify(detail),
    expect: 'start',
    pans: [],
    paymentId: detail.paymentId,
  }));
}

/** Requests at every limit of the contract, just inside (start) and just outside (invalid_event). */
export function boundaryCaseArbitrary(ids: CaseIds): fc.Arbitrary<DetailCase> {
  return mutated(ids, 'boundary', boundaryMutationArbitrary);
}

/** Hostile requests of one category, or of all (weights: oversized and deep nesting are rare, they are slow). */
export function hostileCaseArbitrary(ids: CaseIds, only?: DetailCategory): fc.Arbitrary<DetailCase> {
  const weights: Partial<Record<DetailCategory, number>> = { oversized: 1, deepNesting: 1, hugeString: 4 };
  const chosen = HOSTILE_MUTATIONS.filter(([category]) => only === undefined || category === only);
  return fc.oneof(
    ...chosen.map(([category, mutation]) => ({
      weight: weights[category] ?? 6,
      arbitrary: mutated(ids, category, mutation),
    })),
  );
}

/**
 * Valid, boundary and hostile cases mixed. `validShare` is the fraction of cases built from
 * the valid generator (boundary and free-text unicode cases add a few more that start a saga).
 */
export function detailCaseArbitrary(ids: CaseIds, validShare = 0.05): fc.Arbitrary<DetailCase> {
  const valid = Math.round(validShare * 100);
  return fc.oneof(
    { weight: valid, arbitrary: validCaseArbitrary(ids) },
    { weight: 8, arbitrary: boundaryCaseArbitrary(ids) },
    { weight: 100 - valid - 8, arbitrary: hostileCaseArbitrary(ids) },
  );
}

export * from './envelopes';
