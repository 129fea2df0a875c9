import fc from 'fast-check';
import { mayHoldPan, panArbitrary, panWithoutSpacesArbitrary } from '../arbitraries/pan';
import { PROTOTYPE_KEYS, TRICKY_UNICODE } from '../arbitraries/payment-requested';
import {
  type StatementQueryCase,
  statementQueryArbitrary,
  walletCaseArbitrary,
} from '../arbitraries/wallets';

/**
 * Requests for the wallet routes of the front door, over HTTP (test/e2e/fuzz-wallet-routes.test.ts):
 * POST /v1/wallets, GET /v1/wallets/{walletId}, GET .../transactions, POST .../top-ups and
 * GET .../top-ups/{topUpId}. A path names its wallet by role (`own`: opened by the caller, `theirs`:
 * by another client, `unknown`) or as a raw segment; each case says what the door must answer.
 */
export type RouteExpectation =
  /** 2xx (201 open, 200 read, 202 top-up accepted) */
  | 'ok'
  /** 400 or 413 with field paths */
  | 'refused'
  /** 400 card_data_refused naming the field, never the number */
  | 'card_data_refused'
  /** 404, the same answer as for an unknown wallet */
  | 'not_found'
  /** 400 or 404 (a malformed path segment: refused or not found, never more) */
  | 'refused_or_not_found';

export type WalletRole = 'own' | 'theirs' | 'unknown';
export type PathWallet = { readonly role: WalletRole } | { readonly raw: string };

export interface RouteCase {
  readonly label: string;
  readonly route: 'open' | 'wallet' | 'statement' | 'topUp' | 'topUpStatus';
  readonly wallet?: PathWallet;
  /** GET .../top-ups/{topUpId}: a raw segment, or the caller's own top-up. */
  readonly topUpId?: string | { readonly own: true };
  readonly key?: string;
  readonly body?: string;
  readonly query?: Record<string, string>;
  readonly pans: readonly string[];
  readonly expect: RouteExpectation;
}

const safeKey = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/).filter((key) => !mayHoldPan(key));

/** POST /v1/wallets: the wallet fuzz generators (test/helpers/arbitraries/wallets.ts). */
const openCases: fc.Arbitrary<RouteCase> = walletCaseArbitrary().map((c) => ({
  label: `open: ${c.label}`,
  route: 'open',
  ...(c.key !== undefined && { key: c.key }),
  body: c.body,
  pans: c.pans,
  expect: c.expect === 'open' ? 'ok' : c.expect,
}));

interface Segment {
  readonly raw: string;
  readonly pans: readonly string[];
  readonly label: string;
}

/** A path segment that is no id anyone made: junk, unicode, prototype names, very long, a card number. */
const rawSegment: fc.Arbitrary<Segment> = fc.oneof(
  fc
    .string({ minLength: 1, maxLength: 80 })
    .filter((s) => !mayHoldPan(s))
    .map((raw) => ({ raw, pans: [], label: 'junk' })),
  fc.constantFrom(...TRICKY_UNICODE, ...PROTOTYPE_KEYS).map((raw) => ({ raw, pans: [], label: 'tricky' })),
  fc.constant({ raw: 'x'.repeat(300), pans: [], label: 'long' }),
  panWithoutSpacesArbitrary.map((pan) => ({ raw: pan.text, pans: [pan.digits], label: 'PAN' })),
  panWithoutSpacesArbitrary.map((pan) => ({ raw: `wal_${pan.digits}`, pans: [pan.digits], label: 'PAN' })),
);

/** GET /v1/wallets/{walletId}: the caller's own wallet reads; anything else is a 404 like an unknown one. */
const walletCases: fc.Arbitrary<RouteCase> = fc.oneof(
  fc.constantFrom<WalletRole>('own', 'theirs', 'unknown').map((role) => ({
    label: `wallet: ${role}`,
    route: 'wallet' as const,
    wallet: { role },
    pans: [],
    expect: role === 'own' ? ('ok' as const) : ('not_found' as const),
  })),
  rawSegment.map((s) => ({
    label: `wallet: ${s.label} segment`,
    route: 'wallet' as const,
    wallet: { raw: s.raw },
    pans: s.pans,
    expect: 'refused_or_not_found' as const,
  })),
);

function statementCase(q: StatementQueryCase, role: WalletRole): RouteCase {
  // Ownership is checked first: another client's wallet is a 404 whatever the query.
  const expect: RouteExpectation = role !== 'own' ? 'not_found' : q.expect === 'ok' ? 'ok' : q.expect;
  return {
    label: `statement (${role}): ${q.label}`,
    route: 'statement',
    wallet: { role },
    query: q.query,
    pans: q.pans,
    expect,
  };
}

/** GET .../transactions: the statement query fuzz, plus forged cursors, on the caller's or another wallet. */
const statementCases: fc.Arbitrary<RouteCase> = fc.oneof(
  fc
    .tuple(statementQueryArbitrary(), fc.constantFrom<WalletRole>('own', 'own', 'own', 'theirs'))
    .map(([q, role]) => statementCase(q, role)),
  fc
    .stringMatching(/^[A-Za-z0-9_-]{1,200}$/)
    .filter((cursor) => !mayHoldPan(cursor))
    .map((cursor) => ({
      label: 'statement: forged cursor',
      route: 'statement' as const,
      wallet: { role: 'own' as const },
      query: { cursor },
      pans: [],
      // Only a cursor the door made decodes to one of its own: a string of the same alphabet never does.
      expect: 'refused' as const,
    })),
);

const amount = (value: unknown, currency: unknown = 'EUR', exponent: unknown = 2) => ({
  value,
  currency,
  exponent,
});
export const VALID_TOP_UP = { amount: amount(1_000), paymentMethod: 'pm_card_visa' };
const withAmount = (value: unknown) => JSON.stringify({ ...VALID_TOP_UP, amount: value });

interface BodyCase {
  readonly label: string;
  readonly body: string;
  readonly pans: readonly string[];
  readonly expect: RouteExpectation;
}

const BAD_AMOUNTS: ReadonlyArray<[string, unknown]> = [
  ['fractional amount', amount(10.5)],
  ['zero amount', amount(0)],
  ['negative amount', amount(-100)],
  ['amount as text', amount('1000')],
  ['huge amount', amount(1e20)],
  ['below the minimum charge', amount(49)],
  ["another currency than the wallet's", amount(1_000, 'USD')],
  ['unknown currency', amount(1_000, 'XYZ')],
  ['wrong exponent', amount(1_000, 'EUR', 3)],
  ['amount missing', undefined],
];

const TOP_UP_PREFIX = '{"amount":{"value":1000,"currency":"EUR","exponent":2},"paymentMethod":"pm_card_visa"';

const refusedBodies: fc.Arbitrary<BodyCase> = fc.oneof(
  fc.constantFrom(...BAD_AMOUNTS).map(([label, value]) => ({
    label,
    body: withAmount(value),
    pans: [],
    expect: 'refused' as const,
  })),
  fc.constantFrom(...PROTOTYPE_KEYS).map((proto) => ({
    label: `prototype key ${proto}`,
    body: `${TOP_UP_PREFIX},"${proto}":{"polluted":true}}`,
    pans: [],
    expect: 'refused' as const,
  })),
  fc.constantFrom(...PROTOTYPE_KEYS).map((proto) => ({
    label: `prototype key ${proto} in metadata`,
    body: `${TOP_UP_PREFIX},"metadata":{"${proto}":"x"}}`,
    pans: [],
    expect: 'refused' as const,
  })),
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((k) => !['amount', 'paymentMethod', 'metadata', 'topUpId'].includes(k) && !mayHoldPan(k))
    .map((extra) => ({
      label: 'unknown field',
      body: JSON.stringify({ ...VALID_TOP_UP, [extra]: 1 }),
      pans: [],
      expect: 'refused' as const,
    })),
  fc
    .json({ maxDepth: 3 })
    .filter((json) => !mayHoldPan(json))
    .map((json) => ({ label: 'any JSON', body: json, pans: [], expect: 'refused' as const })),
  fc.integer({ min: 200, max: 2_000 }).map((depth) => ({
    label: 'deep nesting',
    body: `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
    pans: [],
    expect: 'refused' as const,
  })),
  fc.constant({ label: 'not JSON', body: '{"amount":', pans: [], expect: 'refused' as const }),
);

const cardBodies: fc.Arbitrary<BodyCase> = fc.oneof(
  panWithoutSpacesArbitrary.map((pan) => ({
    label: 'PAN as paymentMethod',
    body: JSON.stringify({ ...VALID_TOP_UP, paymentMethod: pan.text }),
    pans: [pan.digits],
    expect: 'card_data_refused' as const,
  })),
  panArbitrary.map((pan) => ({
    label: 'PAN in metadata',
    body: JSON.stringify({ ...VALID_TOP_UP, metadata: { note: `card ${pan.text}` } }),
    pans: [pan.digits],
    expect: 'card_data_refused' as const,
  })),
  panWithoutSpacesArbitrary.map((pan) => ({
    label: 'PAN as a JSON number',
    body: `{"amount":{"value":1000,"currency":"EUR","exponent":2},"paymentMethod":${pan.digits}}`,
    pans: [pan.digits],
    expect: 'card_data_refused' as const,
  })),
);

const topUpBodies: fc.Arbitrary<BodyCase> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.constant({
      label: 'valid',
      body: JSON.stringify(VALID_TOP_UP),
      pans: [],
      expect: 'ok' as const,
    }),
  },
  { weight: 6, arbitrary: refusedBodies },
  { weight: 3, arbitrary: cardBodies },
);

interface KeyCase {
  readonly label: string;
  readonly key: string | undefined;
  readonly pans: readonly string[];
  readonly expect: RouteExpectation;
}

const badKeys: fc.Arbitrary<KeyCase> = fc.oneof(
  fc.constantFrom(undefined, '', 'has space', 'x'.repeat(65)).map((key) => ({
    label: `bad key ${JSON.stringify(key ?? null).slice(0, 12)}`,
    key,
    pans: [],
    expect: 'refused' as const,
  })),
  panWithoutSpacesArbitrary.map((pan) => ({
    label: 'PAN as the key',
    key: pan.digits,
    pans: [pan.digits],
    expect: 'card_data_refused' as const,
  })),
);

/** POST /v1/wallets/{walletId}/top-ups: bodies on the caller's wallet, other wallets, bad keys. */
const topUpCases: fc.Arbitrary<RouteCase> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(topUpBodies, safeKey).map(([b, key]) => ({
      label: `top-up: ${b.label}`,
      route: 'topUp' as const,
      wallet: { role: 'own' as const },
      key: `top_${key}`,
      body: b.body,
      pans: b.pans,
      expect: b.expect,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom<WalletRole>('theirs', 'unknown'), safeKey).map(([role, key]) => ({
      label: `top-up: ${role} wallet`,
      route: 'topUp' as const,
      wallet: { role },
      key: `top_${key}`,
      body: JSON.stringify(VALID_TOP_UP),
      pans: [],
      expect: 'not_found' as const,
    })),
  },
  {
    weight: 1,
    arbitrary: badKeys.map((k) => ({
      label: `top-up: ${k.label}`,
      route: 'topUp' as const,
      wallet: { role: 'own' as const },
      ...(k.key !== undefined && { key: k.key }),
      body: JSON.stringify(VALID_TOP_UP),
      pans: k.pans,
      expect: k.expect,
    })),
  },
);

/** GET .../top-ups/{topUpId}: the caller's own top-up, on its wallet or another's path, and junk ids. */
const topUpStatusCases: fc.Arbitrary<RouteCase> = fc.oneof(
  fc.constant<RouteCase>({
    label: 'top-up status: own',
    route: 'topUpStatus',
    wallet: { role: 'own' },
    topUpId: { own: true },
    pans: [],
    expect: 'ok',
  }),
  fc.constant<RouteCase>({
    label: "top-up status: own top-up under another client's wallet",
    route: 'topUpStatus',
    wallet: { role: 'theirs' },
    topUpId: { own: true },
    pans: [],
    expect: 'not_found',
  }),
  rawSegment.map((s) => ({
    label: `top-up status: ${s.label} id`,
    route: 'topUpStatus' as const,
    wallet: { role: 'own' as const },
    topUpId: s.raw,
    pans: s.pans,
    expect: 'refused_or_not_found' as const,
  })),
);

/** The whole corpus: every wallet route, hostile input weighted over valid. */
export function walletRouteCaseArbitrary(): fc.Arbitrary<RouteCase> {
  return fc.oneof(
    { weight: 3, arbitrary: openCases },
    { weight: 2, arbitrary: walletCases },
    { weight: 3, arbitrary: statementCases },
    { weight: 3, arbitrary: topUpCases },
    { weight: 2, arbitrary: topUpStatusCases },
  );
}
