import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { breakingChanges } from '../../events/compatibility';
import { renderSchemas, SCHEMAS_DIR, schemaFileName } from '../../events/generate-schemas';
import { CONTRACTS } from '../../events/index';

const PUBLISHED_DIR = fileURLToPath(new URL('../../events/published/', import.meta.url));
const SAMPLES_DIR = fileURLToPath(new URL('../../events/samples/', import.meta.url));
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('Contracts: events/', () => {
  it('committed JSON Schemas are what `npm run schemas` generates now', () => {
    // Act
    const generated = renderSchemas();
    // Assess
    for (const [name, text] of generated) {
      expect(readFileSync(`${SCHEMAS_DIR}${name}`, 'utf8'), `${name} is stale: run npm run schemas`).toBe(
        text,
      );
    }
  });

  it.each(CONTRACTS.map((c) => [c.detailType, c] as const))(
    '%s v1 stays backward compatible with the published schema',
    (_, contract) => {
      // Prepare
      const file = schemaFileName(contract.detailType, contract.version);
      const published = readJson(`${PUBLISHED_DIR}${file}`);
      const current = z.toJSONSchema(contract.schema, {
        target: 'draft-2020-12',
        io: 'input',
        unrepresentable: 'any',
      });
      // Act
      const problems = breakingChanges(published, current);
      // Assess
      expect(problems).toEqual([]);
    },
  );

  it.each(CONTRACTS.map((c) => [c.detailType, c] as const))(
    'the %s sample validates',
    (detailType, contract) => {
      // Prepare
      const sample = readJson(`${SAMPLES_DIR}${detailType}.v${contract.version}.json`) as Record<
        string,
        unknown
      >;
      const detail = 'detail-type' in sample ? sample.detail : sample;
      // Act
      const result = contract.schema.safeParse(detail);
      // Assess
      expect(result.success, result.success ? '' : z.prettifyError(result.error)).toBe(true);
    },
  );
});

describe('Function: breakingChanges', () => {
  const published = {
    type: 'object',
    required: ['id'],
    properties: {
      id: { type: 'string', maxLength: 64 },
      amount: { type: 'integer', maximum: 100 },
      currency: { type: 'string', enum: ['EUR', 'USD'] },
      note: { type: 'string' },
    },
  };

  it('accepts a compatible change (optional field added, bound widened)', () => {
    // Prepare
    const current = structuredClone(published) as typeof published & { properties: Record<string, unknown> };
    current.properties.extra = { type: 'string' };
    current.properties.amount = { type: 'integer', maximum: 1000 };
    // Act & Assess
    expect(breakingChanges(published, current)).toEqual([]);
  });

  it('flags a removed field', () => {
    const { note: _removed, ...properties } = published.properties;
    expect(breakingChanges(published, { ...published, properties })).toEqual(['$.note: field removed']);
  });

  it('flags a narrowed type, a tightened bound, a removed enum value and a new required field', () => {
    // Prepare
    const current = {
      type: 'object',
      required: ['id', 'note'],
      properties: {
        id: { type: 'string', maxLength: 32 },
        amount: { type: 'string' },
        currency: { type: 'string', enum: ['EUR'] },
        note: { type: 'string' },
      },
    };
    // Act
    const problems = breakingChanges(published, current);
    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        '$.id: maxLength tightened from 64 to 32',
        '$.amount: type integer is no longer accepted (now string)',
        '$.currency: enum value "USD" was removed',
        '$.note: became required',
      ]),
    );
  });
});
