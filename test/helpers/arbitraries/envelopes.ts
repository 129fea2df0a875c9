/**
 * Hostile envelopes: PutEvents entries and raw intake-queue bodies around a
 * request. A detail case becomes an entry (`entryFor`) or a body (`bodyFor`);
 * the hostile arbitraries break the envelope itself.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DETAIL_TYPES } from '../../../events/envelope';
import { panArbitrary } from './pan';
import type { CaseIds, DetailCase, IntakeExpectation, ValidDetail } from './payment-requested';
import { validDetailArbitrary } from './payment-requested';

/** What the transport or intake must do: refuse at the API, route nowhere, or intake's answer. */
export type TransportExpectation = IntakeExpectation | 'refused' | 'unrouted';

export const ENVELOPE_CATEGORIES = ['envelope', 'envelopePan', 'oversizedBody', 'invalidCharacters'] as const;
export type EnvelopeCategory = (typeof ENVELOPE_CATEGORIES)[number];

/** A PutEvents entry without its EventBusName (the test adds it). */
export interface EntryInput {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
}

export interface EntryCase {
  readonly category: DetailCase['category'] | EnvelopeCategory;
  readonly label: string;
  readonly entry: EntryInput;
  readonly expect: TransportExpectation;
  readonly pans: readonly string[];
  readonly paymentId?: string;
}

export interface BodyCase {
  readonly category: DetailCase['category'] | EnvelopeCategory;
  readonly label: string;
  readonly body: string;
  readonly expect: TransportExpectation;
  readonly pans: readonly string[];
  readonly paymentId?: string;
}

export const FUZZ_SOURCE = 'fuzz.checkout';

/** A well-formed PutEvents entry carrying the case's detail text. */
export function entryFor(detailCase: DetailCase): EntryCase {
  return {
    ...detailCase,
    entry: { Source: FUZZ_SOURCE, DetailType: DETAIL_TYPES.paymentRequested, Detail: detailCase.json },
  };
}

/** Envelope fields as EventBridge writes them, before `detail`. */
function envelopeHead(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': DETAIL_TYPES.paymentRequested,
    source: FUZZ_SOURCE,
    account: '000000000000',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    ...overrides,
  };
}

/** An EventBridge-shaped body with the detail text spliced in as is (raw numbers, deep nesting). */
export function envelopeText(detailJson: string, overrides: Record<string, unknown> = {}): string {
  const head = JSON.stringify(envelopeHead(overrides));
  return `${head.slice(0, -1)},"detail":${detailJson}}`;
}

/**
 * SQS takes only #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF: a body with anything else
 * (NUL, a lone surrogate) is refused by SendMessage itself.
 */
export function hasCharactersSqsRefuses(text: string): boolean {
  return /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(text);
}

/** The case as a raw intake-queue body, as the EventBridge rule would have delivered it. */
export function bodyFor(detailCase: DetailCase): BodyCase {
  const body = envelopeText(detailCase.json);
  return { ...detailCase, body, expect: hasCharactersSqsRefuses(body) ? 'refused' : detailCase.expect };
}

const breakEntry = (
  label: string,
  expect: TransportExpectation,
  change: (entry: EntryInput, detail: ValidDetail, json: string) => void,
) => ({ label, expect, change });

const ENTRY_BREAKS = [
  breakEntry('Source missing', 'refused', (e) => {
    delete e.Source;
  }),
  breakEntry('Source empty', 'refused', (e) => {
    e.Source = '';
  }),
  breakEntry('Source aws.events', 'refused', (e) => {
    e.Source = 'aws.events';
  }),
  breakEntry('DetailType missing', 'refused', (e) => {
    delete e.DetailType;
  }),
  breakEntry('DetailType empty', 'refused', (e) => {
    e.DetailType = '';
  }),
  breakEntry('Detail missing', 'refused', (e) => {
    delete e.Detail;
  }),
  breakEntry('Detail empty', 'refused', (e) => {
    e.Detail = '';
  }),
  breakEntry('Detail truncated JSON', 'refused', (e, _d, json) => {
    e.Detail = json.slice(0, -1);
  }),
  breakEntry('Detail NaN', 'refused', (e) => {
    e.Detail = 'NaN';
  }),
  breakEntry('Detail single-quoted', 'refused', (e) => {
    e.Detail = "{'paymentId':'x'}";
  }),
  breakEntry('Detail a number', 'refused', (e) => {
    e.Detail = '42';
  }),
  breakEntry('Detail a JSON string', 'refused', (e) => {
    e.Detail = '"PaymentRequested"';
  }),
  breakEntry('Detail null', 'refused', (e) => {
    e.Detail = 'null';
  }),
  breakEntry('Detail an array of the request', 'refused', (e, _d, json) => {
    e.Detail = `[${json}]`;
  }),
  breakEntry('Detail double-encoded', 'refused', (e, _d, json) => {
    e.Detail = JSON.stringify(json);
  }),
  ...[
    'paymentrequested',
    'PaymentRequested ',
    ' PaymentRequested',
    'PaymentRequested\u200B',
    'PaymentRequested.v1',
    'PAYMENTREQUESTED',
  ].map((detailType) =>
    breakEntry(`DetailType ${JSON.stringify(detailType)}`, 'unrouted', (e) => {
      e.DetailType = detailType;
    }),
  ),
];

/** PutEvents entries with a broken envelope around a valid request; and card numbers in Source or Resources. */
export function hostileEntryArbitrary(ids: CaseIds): fc.Arbitrary<EntryCase> {
  const broken = fc
    .tuple(validDetailArbitrary(ids), fc.constantFrom(...ENTRY_BREAKS))
    .map<EntryCase>(([detail, b]) => {
      const json = JSON.stringify(detail);
      const entry: EntryInput = {
        Source: FUZZ_SOURCE,
        DetailType: DETAIL_TYPES.paymentRequested,
        Detail: json,
      };
      b.change(entry, detail, json);
      return {
        category: 'envelope',
        label: b.label,
        entry,
        expect: b.expect,
        pans: [],
        paymentId: detail.paymentId,
      };
    });
  const withPan = fc
    .tuple(validDetailArbitrary(ids), panArbitrary, fc.constantFrom('Source', 'Resources'))
    .map<EntryCase>(([detail, pan, where]) => ({
      category: 'envelopePan',
      label: `PAN in the entry's ${where}`,
      entry: {
        Source: where === 'Source' ? `shop ${pan.text}` : FUZZ_SOURCE,
        DetailType: DETAIL_TYPES.paymentRequested,
        Detail: JSON.stringify(detail),
        ...(where === 'Resources' && { Resources: [`card ${pan.text}`] }),
      },
      expect: 'card_data_refused',
      pans: [pan.digits],
      paymentId: detail.paymentId,
    }));
  return fc.oneof({ weight: 4, arbitrary: broken }, { weight: 1, arbitrary: withPan });
}

const breakBody = (label: string, expect: TransportExpectation, make: (detailJson: string) => string) => ({
  label,
  expect,
  make,
});

const BODY_BREAKS = [
  breakBody('not JSON', 'invalid_event', () => '{not json'),
  breakBody('the word undefined', 'invalid_event', () => 'undefined'),
  breakBody('XML', 'invalid_event', () => '<PaymentRequested/>'),
  breakBody('whitespace only', 'invalid_event', () => ' \t\n'),
  breakBody('a BOM before the JSON', 'invalid_event', (json) => `\uFEFF${envelopeText(json)}`),
  breakBody('truncated JSON', 'invalid_event', (json) => envelopeText(json).slice(0, -2)),
  breakBody('an empty array', 'invalid_event', () => '[]'),
  breakBody('an array of the event', 'invalid_event', (json) => `[${envelopeText(json)}]`),
  breakBody('a number', 'invalid_event', () => '42'),
  breakBody('null', 'invalid_event', () => 'null'),
  breakBody('a JSON string', 'invalid_event', () => '"PaymentRequested"'),
  breakBody('the event double-encoded', 'invalid_event', (json) => JSON.stringify(envelopeText(json))),
  breakBody('detail-type missing', 'invalid_event', (json) =>
    envelopeText(json, { 'detail-type': undefined }),
  ),
  breakBody('detail-type lower case', 'invalid_event', (json) =>
    envelopeText(json, { 'detail-type': 'paymentrequested' }),
  ),
  breakBody('detail-type a number', 'invalid_event', (json) => envelopeText(json, { 'detail-type': 42 })),
  breakBody('detail-type null', 'invalid_event', (json) => envelopeText(json, { 'detail-type': null })),
  breakBody('detail-type an array', 'invalid_event', (json) =>
    envelopeText(json, { 'detail-type': [DETAIL_TYPES.paymentRequested] }),
  ),
  breakBody('detail missing', 'invalid_event', () => JSON.stringify(envelopeHead())),
  breakBody('detail null', 'invalid_event', () => envelopeText('null')),
  breakBody('detail an array', 'invalid_event', (json) => envelopeText(`[${json}]`)),
  breakBody('detail a JSON string', 'invalid_event', (json) => envelopeText(JSON.stringify(json))),
  breakBody('detail-type only in __proto__', 'invalid_event', (json) => {
    const text = envelopeText(json, { 'detail-type': undefined });
    return `{"__proto__":{"detail-type":"${DETAIL_TYPES.paymentRequested}"},${text.slice(1)}`;
  }),
  breakBody('raw NUL in a string (SQS refuses it)', 'refused', (json) =>
    envelopeText(json.replace(/"pm_/, '"pm_\u0000')),
  ),
  breakBody('raw lone surrogate (SQS refuses it)', 'refused', (json) =>
    envelopeText(json.replace(/"requestedAt"/, '"requestedAt\uD800"')),
  ),
];

/** Over SQS's 1 MiB ceiling the queue refuses the body; between 256 KB and 1 MiB intake must reject it. */
export const QUEUE_MAX_BYTES = 1024 * 1024;

/**
 * Raw intake-queue bodies: not JSON, not an object, the wrong or a missing detail-type or detail,
 * card numbers in envelope fields (EventBridge fills those in, but anyone who may send to the queue
 * can write them), duplicate keys hiding a card number, characters SQS refuses, oversized bodies.
 */
export function hostileBodyArbitrary(ids: CaseIds): fc.Arbitrary<BodyCase> {
  const broken = fc
    .tuple(validDetailArbitrary(ids), fc.constantFrom(...BODY_BREAKS))
    .map<BodyCase>(([detail, b]) => ({
      category: b.expect === 'refused' ? 'invalidCharacters' : 'envelope',
      label: b.label,
      body: b.make(JSON.stringify(detail)),
      expect: b.expect,
      pans: [],
      paymentId: detail.paymentId,
    }));
  const envelopePan = fc
    .tuple(
      validDetailArbitrary(ids),
      panArbitrary,
      fc.constantFrom(
        'id',
        'source',
        'time',
        'account',
        'region',
        'resources',
        'unknown field',
        'shadowed paymentId',
      ),
    )
    .map<BodyCase>(([detail, pan, where]) => {
      const json = JSON.stringify(detail);
      const body =
        where === 'shadowed paymentId'
          ? // JSON.parse keeps the last of duplicate keys: the card number is in the text, not in the object.
            envelopeText(`{"paymentId":"${pan.text}",${json.slice(1)}`)
          : where === 'unknown field'
            ? envelopeText(json, { note: pan.text })
            : envelopeText(json, { [where]: where === 'resources' ? [pan.text] : pan.text });
      return {
        category: 'envelopePan',
        label: `PAN in the envelope's ${where}`,
        body,
        expect: 'card_data_refused',
        pans: [pan.digits],
        paymentId: detail.paymentId,
      };
    });
  const oversized = fc
    .tuple(
      validDetailArbitrary(ids),
      fc.integer({ min: QUEUE_MAX_BYTES + 1, max: QUEUE_MAX_BYTES + 200_000 }),
    )
    .map<BodyCase>(([detail, bytes]) => ({
      category: 'oversizedBody',
      label: `body of ${bytes} bytes`,
      body: envelopeText(JSON.stringify({ ...detail, description: 'o'.repeat(bytes) })),
      expect: 'refused',
      pans: [],
      paymentId: detail.paymentId,
    }));
  // Just under the queue's ceiling: the queue takes it, and intake's copy in the DLQ (with its reason
  // attributes) must still fit.
  const nearCeiling = fc
    .tuple(validDetailArbitrary(ids), fc.integer({ min: 1, max: 2_000 }))
    .map<BodyCase>(([detail, room]) => {
      const empty = envelopeText(JSON.stringify({ ...detail, description: '' }));
      const fill = QUEUE_MAX_BYTES - room - Buffer.byteLength(empty);
      return {
        category: 'oversizedBody',
        label: `body ${room} bytes under the queue's ceiling`,
        body: envelopeText(JSON.stringify({ ...detail, description: 'n'.repeat(fill) })),
        expect: 'invalid_event',
        pans: [],
        paymentId: detail.paymentId,
      };
    });
  return fc.oneof(
    { weight: 1, arbitrary: nearCeiling },
    { weight: 8, arbitrary: broken },
    { weight: 3, arbitrary: envelopePan },
    { weight: 1, arbitrary: oversized },
  );
}
