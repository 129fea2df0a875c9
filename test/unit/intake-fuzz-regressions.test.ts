/**
 * Regressions found by the intake fuzz test (test/e2e/fuzz-intake.test.ts):
 * each case failed before its fix.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decideIntake, MAX_REASON_LENGTH } from '../../core/intake/decide';
import { attributeBytes, dlqCopy, SQS_MAX_MESSAGE_BYTES } from '../../core/intake/dlq-copy';
import { containsPan, findPanPaths, redactPans } from '../../core/pan';

const sampleEvent = JSON.parse(
  readFileSync(new URL('../../events/samples/PaymentRequested.v1.json', import.meta.url), 'utf8'),
) as { detail: Record<string, unknown> } & Record<string, unknown>;

/** A queued body: the sample event with envelope and detail changes; `detailJson` replaces the detail text. */
function body(
  detailChange: Record<string, unknown> = {},
  envelopeChange: Record<string, unknown> = {},
  detailJson?: string,
): string {
  const event = { ...structuredClone(sampleEvent), ...envelopeChange };
  const detail = JSON.stringify({ ...sampleEvent.detail, ...detailChange });
  const { detail: _, ...head } = event;
  return `${JSON.stringify(head).slice(0, -1)},"detail":${detailJson ?? detail}}`;
}

const PAN = '4111111111111111';
const SQS_REFUSES = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

describe('Intake fuzz regressions', () => {
  it('refuses a card number joined to an identifier by a dash (it started a saga named by it)', () => {
    // Act
    const decision = decideIntake(body({ paymentId: `order-${PAN}` }));
    // Assess
    expect(decision).toMatchObject({ kind: 'reject', reasonCode: 'card_data_refused' });
    expect(JSON.stringify(decision)).not.toContain(PAN);
    expect(containsPan(`x-${PAN}-y`)).toBe(true);
    expect(redactPans(`order-${PAN}`)).toBe('order-[REDACTED PAN]');
  });

  it('refuses a card number in envelope fields a sender can write, and never echoes it as the eventId', () => {
    for (const field of ['id', 'time', 'region', 'account', 'resources']) {
      // Act
      const decision = decideIntake(body({}, { [field]: field === 'resources' ? [PAN] : PAN }));
      // Assess
      expect(decision, field).toMatchObject({ kind: 'reject', reasonCode: 'card_data_refused' });
      expect(JSON.stringify(decision), field).not.toContain(PAN);
    }
  });

  it('refuses a card number hidden by a duplicate key, which parsing drops', () => {
    // Prepare: JSON.parse keeps the last paymentId, so the object holds no card number but the text does
    const detail = JSON.stringify(sampleEvent.detail);
    // Act
    const decision = decideIntake(body({}, {}, `{"paymentId":"${PAN}",${detail.slice(1)}`));
    // Assess
    expect(decision).toMatchObject({ kind: 'reject', reasonCode: 'card_data_refused' });
  });

  it('survives a detail nested 50,000 arrays deep (the PAN scan overflowed the stack and the message stuck)', () => {
    // Prepare
    const deep = `${'['.repeat(50_000)}"x"${']'.repeat(50_000)}`;
    const detail = JSON.stringify({ ...sampleEvent.detail, metadata: { deep: 'PLACEHOLDER' } });
    // Act
    const decision = decideIntake(body({}, {}, detail.replace('"PLACEHOLDER"', deep)));
    // Assess
    expect(decision).toMatchObject({ kind: 'reject', reasonCode: 'invalid_event' });
    expect(findPanPaths(JSON.parse(deep))).toEqual([]);
  });

  it('does not read the fraction digits of a number as a card number', () => {
    // Prepare: 0.4111111111111111's digits after the point are Luhn-valid
    const fraction = 0.4111111111111111;
    // Act
    const decision = decideIntake(body({ amount: { value: fraction, currency: 'EUR', exponent: 2 } }));
    // Assess
    expect(decision).toMatchObject({ kind: 'reject', reasonCode: 'invalid_event' });
    expect(findPanPaths({ value: Number(PAN) })).toEqual(['value']);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses %s as a metadata key (zod dropped __proto__ silently; constructor broke the DynamoDB marshaller)',
    (key) => {
      // Prepare: an own key, as JSON.parse makes it
      const detail = JSON.stringify({ ...sampleEvent.detail, metadata: { note: 'x' } }).replace(
        '"note":"x"',
        `"note":"x","${key}":"plain text"`,
      );
      // Act
      const decision = decideIntake(body({}, {}, detail));
      // Assess
      expect(decision).toMatchObject({ kind: 'reject', reasonCode: 'invalid_event' });
      expect(decision.kind === 'reject' && decision.reason).toContain(key);
    },
  );

  it('writes rejection texts SQS accepts and PaymentRejected allows, whatever the input held', () => {
    // Prepare: a NUL and a lone surrogate in an unknown key (echoed by the validation message), a huge one
    const detail = { ...sampleEvent.detail, 'bad\u0000key\uD800': 1, ['k'.repeat(100_000)]: 1 };
    // Act
    const decision = decideIntake(body({}, {}, JSON.stringify(detail)));
    // Assess
    expect(decision.kind).toBe('reject');
    if (decision.kind !== 'reject') return;
    expect(decision.reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    expect(SQS_REFUSES.test(decision.reason)).toBe(false);
    expect(decision.reason).toContain('\\u0000');
  });

  it('echoes a paymentId with characters SQS refuses as escapes', () => {
    // Act
    const decision = decideIntake(body({ paymentId: 'pay\u0000\uDFFF' }));
    // Assess
    expect(decision).toMatchObject({ kind: 'reject', paymentId: 'pay\\u0000\\udfff' });
  });

  it('keeps the DLQ copy valid JSON when a card number was a JSON number', () => {
    // Prepare
    const queued = body({ amount: { value: Number(PAN), currency: 'EUR', exponent: 2 } });
    // Act
    const copy = dlqCopy(queued, 100);
    // Assess
    expect(copy.body).not.toContain(PAN);
    expect(JSON.parse(copy.body).detail.amount.value).toBe('[REDACTED PAN]');
    expect(dlqCopy(body(), 100).body).toBe(body());
  });

  it('cuts a DLQ copy that would not fit one SQS message with its attributes, and says so', () => {
    // Prepare: a body 100 bytes under the ceiling leaves no room for the reason attributes
    const head = body({ description: '' });
    const queued = body({ description: 'n'.repeat(SQS_MAX_MESSAGE_BYTES - 100 - Buffer.byteLength(head)) });
    const attributes = { reason: { DataType: 'String', StringValue: 'r'.repeat(1000) } };
    // Act
    const copy = dlqCopy(queued, attributeBytes(attributes));
    // Assess
    expect(Buffer.byteLength(copy.body) + attributeBytes(attributes)).toBeLessThanOrEqual(
      SQS_MAX_MESSAGE_BYTES,
    );
    expect(copy.originalBytes).toBe(Buffer.byteLength(queued));
    expect(queued.startsWith(copy.body)).toBe(true);
  });
});
