/**
 * Writes api/openapi.json (committed) from the front door's zod contract.
 * `npm run schemas` regenerates; test/unit/frontdoor-openapi.test.ts fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApi } from '../core/frontdoor/openapi';

export const OPENAPI_FILE = fileURLToPath(new URL('./openapi.json', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OPENAPI_FILE, renderOpenApi());
  console.log('wrote api/openapi.json');
}
