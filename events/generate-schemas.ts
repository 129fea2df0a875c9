/**
 * Writes one JSON Schema per published contract to events/schemas/ (committed),
 * so upstream systems in any language can validate what they emit and consume.
 * `npm run schemas` regenerates; test/unit/contracts.test.ts fails when they are stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { CONTRACTS } from './index';

export const SCHEMAS_DIR = fileURLToPath(new URL('./schemas/', import.meta.url));

export function schemaFileName(detailType: string, version: string): string {
  return `${detailType}.v${version}.schema.json`;
}

export function renderSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const { detailType, version, schema } of CONTRACTS) {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
    const document = {
      $id: `https://paysaga.dev/events/${schemaFileName(detailType, version)}`,
      title: `${detailType} v${version}`,
      ...json,
    };
    files.set(schemaFileName(detailType, version), `${JSON.stringify(document, null, 2)}\n`);
  }
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(SCHEMAS_DIR, { recursive: true });
  for (const [name, text] of renderSchemas()) {
    writeFileSync(`${SCHEMAS_DIR}${name}`, text);
    console.log(`wrote events/schemas/${name}`);
  }
}
