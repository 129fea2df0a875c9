import fc from 'fast-check';
import { CURRENCIES } from '../../../core/money';
import { mayHoldPan, panArbitrary, panWithoutSpacesArbitrary } from './pan';
import { PROTOTYPE_KEYS, TRICKY_UNICODE } from './payment-requested';

/**
 * Hostile and valid inputs for the wallet routes (POST /v1/wallets bodies and
 * keys, GET .../transactions query strings), each with what the door must
 * answer: `open` (201), `refused` (400 or 413), `card_data_refused` (400 naming
 * the field, never the number).
 */
export type WalletExpectation = 'open' | 'refused' | 'card_data_refused';

export interface WalletCase {
  readonly label: string;
  readonly key: string | undefined;
  readonly body: string;
  readonly pans: readonly string[];
  readonly expect: WalletExpectation;
}

export interface StatementQueryCase {
  readonly label: string;
  readonly query: Record<string, string>;
  readonly pans: readonly string[];
  readonly expect: 'ok' | 'refused' | 'card_data_refused';
}

const safeId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,40}$/).filter((id) => !mayHoldPan(id));
const safeKey = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/).filter((key) => !mayHoldPan(key));
const currency = fc.constantFrom(...CURRENCIES);

const valid: fc.Arbitrary<WalletCase> = fc
  .record({ key: safeKey, walletId: fc.option(safeId, { nil: undefined }), currency })
  .map(({ key, walletId, currency }) => ({
    label: 'valid',
    key,
    body: JSON.stringify({ ...(walletId !== undefined && { walletId }), currency }),
    pans: [],
    expect: 'open',
  }));

const invalid: fc.Arbitrary<WalletCase> = fc.oneof(
  fc
    .record({ key: safeKey, text: fc.constantFrom(...TRICKY_UNICODE), currency })
    .map(({ key, text, currency }) => ({
      label: 'walletId unicode',
      key,
      body: JSON.stringify({ walletId: text, currency }),
      pans: [],
      expect: 'refused' as const,
    })),
  fc
    .record({ key: safeKey, code: fc.string({ maxLength: 5 }) })
    .filter(({ code }) => !(CURRENCIES as string[]).includes(code) && !mayHoldPan(code))
    .map(({ key, code }) => ({
      label: 'bad currency',
      key,
      body: JSON.stringify({ currency: code }),
      pans: [],
      expect: 'refused' as const,
    })),
  fc
    .record({ key: safeKey, proto: fc.constantFrom(...PROTOTYPE_KEYS), currency })
    .map(({ key, proto, currency }) => ({
      label: `prototype key ${proto}`,
      key,
      body: `{"currency":"${currency}","${proto}":{"polluted":true}}`,
      pans: [],
      expect: 'refused' as const,
    })),
  fc
    .record({
      key: safeKey,
      extra: fc
        .string({ minLength: 1, maxLength: 12 })
        .filter((k) => k !== 'walletId' && k !== 'currency' && !mayHoldPan(k)),
      currency,
    })
    .map(({ key, extra, currency }) => ({
      label: 'unknown field',
      key,
      body: JSON.stringify({ currency, [extra]: 1 }),
      pans: [],
      expect: 'refused' as const,
    })),
  fc
    .record({ key: safeKey, json: fc.json({ maxDepth: 3 }) })
    .filter(({ json }) => !mayHoldPan(json))
    .map(({ key, json }) => ({
      label: 'any JSON',
      key,
      body: json,
      pans: [],
      // Random JSON is a valid open request only by a fluke ({"currency":"EUR"}); the test re-checks with the schema.
      expect: 'refused' as const,
    })),
  fc
    .record({ key: fc.constantFrom(undefined, '', 'has space', 'x'.repeat(65)), currency })
    .map(({ key, currency }) => ({
      label: 'bad key',
      key,
      body: JSON.stringify({ currency }),
      pans: [],
      expect: 'refused' as const,
    })),
  fc.record({ key: safeKey, depth: fc.integer({ min: 200, max: 2000 }) }).map(({ key, depth }) => ({
    label: 'deep nesting',
    key,
    body: `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
    pans: [],
    expect: 'refused' as const,
  })),
);

const withPan: fc.Arbitrary<WalletCase> = fc.oneof(
  fc.record({ key: safeKey, pan: panWithoutSpacesArbitrary, currency }).map(({ key, pan, currency }) => ({
    label: 'PAN as walletId',
    key,
    body: JSON.stringify({ walletId: pan.text, currency }),
    pans: [pan.digits],
    expect: 'card_data_refused' as const,
  })),
  fc.record({ key: safeKey, pan: panArbitrary, currency }).map(({ key, pan, currency }) => ({
    label: 'PAN in another field',
    key,
    body: JSON.stringify({ currency, note: `card ${pan.text}` }),
    pans: [pan.digits],
    expect: 'card_data_refused' as const,
  })),
  fc.record({ pan: panWithoutSpacesArbitrary, currency }).map(({ pan, currency }) => ({
    label: 'PAN as the key',
    key: pan.digits,
    body: JSON.stringify({ currency }),
    pans: [pan.digits],
    expect: 'card_data_refused' as const,
  })),
  fc.record({ key: safeKey, pan: panWithoutSpacesArbitrary }).map(({ key, pan }) => ({
    label: 'PAN as a JSON number',
    key,
    body: `{"currency":"EUR","walletId":${pan.digits}}`,
    pans: [pan.digits],
    expect: 'card_data_refused' as const,
  })),
);

export function walletCaseArbitrary(): fc.Arbitrary<WalletCase> {
  return fc.oneof(
    { arbitrary: valid, weight: 2 },
    { arbitrary: invalid, weight: 5 },
    { arbitrary: withPan, weight: 2 },
  );
}

const QUERY_NAMES = ['from', 'to', 'limit', 'cursor'] as const;

export function statementQueryArbitrary(): fc.Arbitrary<StatementQueryCase> {
  const okQuery = fc
    .record(
      {
        from: fc
          .date({ min: new Date('2020-01-01'), max: new Date('2025-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString()),
        to: fc
          .date({ min: new Date('2025-01-02'), max: new Date('2030-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString()),
        limit: fc.integer({ min: 1, max: 200 }).map(String),
      },
      { requiredKeys: [] },
    )
    .map((query) => ({ label: 'valid query', query, pans: [], expect: 'ok' as const }));
  const badQuery = fc.oneof(
    fc
      .record({ name: fc.constantFrom(...QUERY_NAMES), value: fc.string({ maxLength: 30 }) })
      .filter(({ value }) => !mayHoldPan(value))
      .map(({ name, value }) => ({
        label: `junk ${name}`,
        query: { [name]: value },
        pans: [],
        expect: 'refused' as const,
      })),
    fc
      .string({ minLength: 1, maxLength: 10 })
      .filter((name) => !(QUERY_NAMES as readonly string[]).includes(name) && !mayHoldPan(name))
      .map((name) => ({
        label: 'unknown parameter',
        query: { [name]: '1' },
        pans: [],
        expect: 'refused' as const,
      })),
  );
  const panQuery = fc
    .record({ name: fc.constantFrom(...QUERY_NAMES), pan: panArbitrary })
    .map(({ name, pan }) => ({
      label: `PAN in ${name}`,
      query: { [name]: pan.text },
      pans: [pan.digits],
      expect: 'card_data_refused' as const,
    }));
  return fc.oneof(okQuery, badQuery, panQuery);
}
