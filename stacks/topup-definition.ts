import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useProject } from 'sst/project.js';
import { TOP_UP_ASL_FILE } from '../core/config/names';
import { expandTopUpDefinition } from '../core/topups/definition';

/** The top-up ASL, read from the project root (see stacks/saga-definition.ts why), its tokens expanded. */
export function topUpDefinitionText(): string {
  return expandTopUpDefinition(readFileSync(join(useProject().paths.root, TOP_UP_ASL_FILE), 'utf8'));
}
