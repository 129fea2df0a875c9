import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ASL_FILE, ASL_RESOURCE_PLACEHOLDERS, FUNCTION_KEYS, FUNCTIONS } from '../config/names';

const ASL_PATH = fileURLToPath(new URL(`../../${ASL_FILE}`, import.meta.url));

/** The saga's ASL text with its `${...}` placeholders, exactly as stacks/ hands it to CDK. */
export function readSagaDefinitionText(): string {
  return readFileSync(ASL_PATH, 'utf8');
}

/** Every placeholder the ASL uses: one per saga function plus the bus and the two DLQ URLs. */
export function sagaPlaceholders(): string[] {
  const functionPlaceholders = FUNCTION_KEYS.flatMap((key) => FUNCTIONS[key].aslPlaceholder ?? []);
  return [...functionPlaceholders, ...Object.values(ASL_RESOURCE_PLACEHOLDERS)];
}

export class MissingSubstitutionError extends Error {
  override readonly name = 'MissingSubstitutionError';
}

/** Substitutes `${Name}` placeholders the way Step Functions' definitionSubstitutions does. */
export function renderSagaDefinition(
  substitutions: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const text = readSagaDefinitionText().replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => {
    const value = substitutions[name];
    if (value === undefined)
      throw new MissingSubstitutionError(`no substitution for \${${name}} in ${ASL_FILE}`);
    return value;
  });
  return JSON.parse(text) as Record<string, unknown>;
}
