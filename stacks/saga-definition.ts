import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useProject } from 'sst/project.js';
import { ASL_FILE, ASL_RESOURCE_PLACEHOLDERS } from '../core/config/names';
import { expandSagaDefinition } from '../core/saga/definition';

/**
 * The saga's ASL text, read from the project root. core/saga/definition.ts
 * resolves the file from its own import.meta.url, which points at SST's bundled
 * config (.sst.config.*.mjs in the root) under `sst deploy`; the root is where
 * the file really is in every mode. Its tokens (error lists, the in-progress
 * retrier) are expanded from core/ as for every other reader. test/infra checks
 * both read the same text.
 */
export function sagaDefinitionText(): string {
  return expandSagaDefinition(readFileSync(join(useProject().paths.root, ASL_FILE), 'utf8'));
}

/** The ASL's non-function placeholders, with the values the saga stack substitutes. */
export interface SagaResourceSubstitutions {
  readonly eventBusName: string;
  readonly compensationDlqUrl: string;
  readonly notificationDlqUrl: string;
}

export function resourceSubstitutions(values: SagaResourceSubstitutions): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(ASL_RESOURCE_PLACEHOLDERS) as (keyof typeof ASL_RESOURCE_PLACEHOLDERS)[]).map((key) => [
      ASL_RESOURCE_PLACEHOLDERS[key],
      values[key],
    ]),
  );
}
