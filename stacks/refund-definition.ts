import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useProject } from 'sst/project.js';
import { REFUND_ASL_FILE } from '../core/refunds/definition';
import { expandSagaDefinition } from '../core/saga/definition';

/**
 * The refund ASL, read from the project root (see stacks/saga-definition.ts
 * why: core/refunds/definition.ts resolves it from import.meta.url, SST's
 * bundled config under `sst deploy`), its tokens expanded as
 * readRefundDefinitionText() does; test/infra/refund.test.ts checks both agree.
 */
export function refundDefinitionText(): string {
  return expandSagaDefinition(readFileSync(join(useProject().paths.root, REFUND_ASL_FILE), 'utf8'));
}
